// Keeps ACM's InUseBy in step with App Mesh: a virtual node or virtual gateway whose listener
// uses an ACM certificate is recorded as a user of it, so DescribeCertificate lists it and
// DeleteCertificate is refused while it does (acm/model/certificate_usage.h).
#pragma once

#include <set>
#include <string>

#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh {

// Records `user_arn` for the certificates only in `after` and forgets it for those only in
// `before`.
Status SyncCertificateUsers(Store& store, const std::string& user_arn,
                            const std::set<std::string>& before,
                            const std::set<std::string>& after);

}  // namespace crossmesh::appmesh
