#include "emulator/appmesh/model/certificate_users.h"

#include "emulator/acm/model/certificate_usage.h"

namespace crossmesh::appmesh {

Status SyncCertificateUsers(Store& store, const std::string& user_arn,
                            const std::set<std::string>& before,
                            const std::set<std::string>& after) {
  for (const auto& arn : before) {
    if (after.count(arn)) continue;
    Status removed = acm::RemoveCertificateUser(store, arn, user_arn);
    // A certificate cannot be deleted while it is used, but tolerate one that is gone anyway:
    // there is nothing left to forget.
    if (!removed.ok() && removed.code() != "ResourceNotFoundException") return removed;
  }
  for (const auto& arn : after) {
    if (!before.count(arn)) CM_RETURN_IF_ERROR(acm::AddCertificateUser(store, arn, user_arn));
  }
  return Status::Ok();
}

}  // namespace crossmesh::appmesh
