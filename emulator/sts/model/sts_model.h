// STS model: who the caller is. The emulator's keys are account root keys, so the identity is
// the account root, as AWS reports it for root credentials.
#pragma once

#include <string>

#include "emulator/core/call_context.h"

namespace crossmesh::sts {

struct CallerIdentity {
  std::string user_id;
  std::string account;
  std::string arn;
};

CallerIdentity GetCallerIdentity(const CallContext& ctx);

}  // namespace crossmesh::sts
