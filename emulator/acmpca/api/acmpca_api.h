// ACM Private CA wire layer: the JSON 1.1 service ("ACMPrivateCA.<Operation>", signing name
// acm-pca). Handlers only read members, call the model and render its answers.
#pragma once

#include <memory>

#include "emulator/protocol/service.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca {

// The service over `store`, whose acmpca tables MigrateSchema has created.
std::unique_ptr<Service> MakeAcmPcaService(Store& store);

}  // namespace crossmesh::acmpca
