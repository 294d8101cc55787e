// PickLoopbackPort: a port for a server that will bind it later (an app behind a sidecar, a
// data tier server), chosen now because its address must go into other configuration first.
#pragma once

#include <cstdint>
#include <string>

#include "emulator/core/status.h"

namespace crossmesh {

// A port free now on `address` (an IPv4 loopback address). It comes from below the kernel's
// ephemeral range, where outgoing connections take their local ports: the sidecars' own
// connections leave from the same node addresses, and one of them could take a port picked
// from that range before its server binds it. The start is random, so runs side by side
// rarely try the same ports.
Result<uint16_t> PickLoopbackPort(const std::string& address);

}  // namespace crossmesh
