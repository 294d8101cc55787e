#include "emulator/sts/model/sts_model.h"

namespace crossmesh::sts {

CallerIdentity GetCallerIdentity(const CallContext& ctx) {
  // For root credentials AWS answers UserId = the account id and Arn = ...:root.
  return {ctx.account->id, ctx.account->id, ctx.account->RootArn()};
}

}  // namespace crossmesh::sts
