// IAM wire layer: the query protocol's service-linked role actions (CreateServiceLinkedRole,
// DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus) and GetRole, signing name "iam".
#pragma once

#include <memory>

#include "emulator/protocol/service.h"
#include "emulator/store/store.h"

namespace crossmesh::iam {

// The service over `store`, whose IAM tables iam::Migrate has created.
std::unique_ptr<Service> MakeIamService(Store& store);

}  // namespace crossmesh::iam
