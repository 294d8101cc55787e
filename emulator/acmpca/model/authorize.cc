#include "emulator/acmpca/model/authorize.h"

#include <fmt/format.h>

#include "emulator/acmpca/model/ca_store.h"
#include "emulator/ram/model/permissions.h"
#include "emulator/ram/model/ram_model.h"

namespace crossmesh::acmpca {

Status Authorize(Store& store, std::string_view account, std::string_view action,
                 const CaRecord& ca) {
  if (account == ca.account) return Status::Ok();

  // Another account gets in only through an ASSOCIATED RAM share whose permission grants it.
  std::string qualified = "acm-pca:" + std::string(action);
  Status shared = ram::CheckSharedAccess(store, ca.arn, account, qualified);
  if (shared.ok() || shared.code() != "AccessDeniedException") return shared;

  // Sharing cannot help with what RAM's CA permission never grants (import, update, delete,
  // tag, permissions), so the advice differs: only the owner can do it.
  const ram::ManagedPermission* sharable = ram::DefaultPermission("acm-pca:CertificateAuthority");
  if (sharable == nullptr || !ram::Grants(*sharable, qualified)) {
    return Error("AccessDeniedException",
                 fmt::format("{}. Only the CA's owner, account {}, may perform {}: a RAM share "
                             "of a CA never grants it; ask that account to do it",
                             shared.message(), ca.account, action));
  }
  return Error("AccessDeniedException",
               fmt::format("{}. The CA belongs to account {}: share it through RAM and accept "
                           "the invitation, or use a CA this account owns",
                           shared.message(), ca.account));
}

Result<CaRecord> FindCaFor(Store& store, const CallContext& ctx, std::string_view ca_arn,
                           std::string_view action) {
  auto arn = ParseCaArn(ca_arn);
  if (!arn.ok()) return arn.status();

  // AWS Private CA is regional: an endpoint never sees another region's CAs.
  if (!ctx.region.empty() && arn->region != ctx.region) {
    return Error("ResourceNotFoundException",
                 fmt::format("Could not find certificate authority {}: its ARN names region {}, "
                             "but the request was signed for region {}; call with --region {}",
                             ca_arn, arn->region, ctx.region, arn->region));
  }

  auto ca = LoadCa(store, *arn);
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(Authorize(store, ctx, action, *ca));
  return ca;
}

}  // namespace crossmesh::acmpca
