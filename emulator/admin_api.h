// The admin API: not an AWS API. Reads health, reads and advances the virtual clock, resets state.
// Served under a reserved path on the same port, to loopback callers only, without SigV4.
//
//   GET  /_crossmesh/health          {"status":"ok","accounts":[...],"now":...}
//   GET  /_crossmesh/clock           {"now":"2027-...Z","epoch_seconds":...,"offset_seconds":...}
//   POST /_crossmesh/clock/advance   {"by":"340d"} or {"seconds":29376000}
//   POST /_crossmesh/reset           forgets every resource; accounts stay
#pragma once

#include <string_view>

#include "emulator/core/status.h"
#include "emulator/protocol/wire.h"

namespace crossmesh {

class Emulator;

inline constexpr std::string_view kAdminPathPrefix = "/_crossmesh/";

WireResponse HandleAdmin(Emulator& emulator, const WireRequest& request,
                         std::string_view request_id);

// Registers every emulated service with the emulator and brings their schemas up to date
// (services.cc).
Status RegisterServices(Emulator& emulator);

}  // namespace crossmesh
