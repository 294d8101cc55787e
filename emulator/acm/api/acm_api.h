// The ACM wire layer: JSON 1.1 ("X-Amz-Target: CertificateManager.<Operation>", signing name
// "acm"). It checks member types, required members and enum values, decodes the base64
// Passphrase and renders timestamps as epoch seconds; every rule is the model's.
#pragma once

#include <memory>

#include "emulator/core/accounts.h"
#include "emulator/protocol/service.h"
#include "emulator/store/store.h"

namespace crossmesh::acm {

// The service over `store`, whose ACM tables CertificateManager::Migrate has created. Its timed
// events are a separate source (MakeAcmTimedEvents). `accounts` must outlive the service.
std::unique_ptr<Service> MakeAcmService(Store& store, const AccountRegistry& accounts);

}  // namespace crossmesh::acm
