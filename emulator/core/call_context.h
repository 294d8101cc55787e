// CallContext: who is calling, where, and when — handed to every model function.
#pragma once

#include <string>

#include "emulator/core/accounts.h"
#include "emulator/core/clock.h"

namespace crossmesh {

struct CallContext {
  const Account* account = nullptr;  // decided by the access key, never by the request body
  std::string region;                // the region the request was signed for
  std::string request_id;
  TimePoint now;  // virtual time at the start of the call
};

}  // namespace crossmesh
