// The one authorization seam of the ACM Private CA model: every operation that touches a CA asks
// Authorize whether the calling account may perform the action on it.
//
// The owner account may do everything; another account only what an ASSOCIATED RAM resource
// share grants it (ram::CheckSharedAccess), decided here and only here.
#pragma once

#include <string_view>

#include "emulator/acmpca/model/types.h"
#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca {

// OK when `account` (a 12-digit id) may perform `action` (an ACM-PCA operation name, such as
// "IssueCertificate") on `ca`. AccessDeniedException otherwise, naming the account, the
// action and the CA, and saying how to get access.
Status Authorize(Store& store, std::string_view account, std::string_view action,
                 const CaRecord& ca);

inline Status Authorize(Store& store, const CallContext& ctx, std::string_view action,
                        const CaRecord& ca) {
  return Authorize(store, ctx.account->id, action, ca);
}

// Parses `ca_arn`, loads the CA by the ARN's own account and region (so another account's CA is
// found, then judged by Authorize, rather than reported missing) and authorizes `action`.
// InvalidArnException, ResourceNotFoundException (also when the ARN's region is not the region
// the request was signed for), AccessDeniedException.
Result<CaRecord> FindCaFor(Store& store, const CallContext& ctx, std::string_view ca_arn,
                           std::string_view action);

}  // namespace crossmesh::acmpca
