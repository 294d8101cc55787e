// ACM's events on the virtual clock, for the Emulator to run: issuance kIssuanceDelay after a
// request, the 72-hour validation timeout of public requests, managed renewal from 60 days
// before expiry, and expiry. The work is CertificateManager::NextDue / RunDue over the store.
#pragma once

#include <memory>

#include "emulator/core/accounts.h"
#include "emulator/core/timed_events.h"
#include "emulator/store/store.h"

namespace crossmesh::acm {

// Events for the certificates in `store` (migrated by CertificateManager::Migrate). New and
// renewed keys come from SharedKeyPool(). `accounts` must outlive the source.
std::unique_ptr<TimedEventSource> MakeAcmTimedEvents(Store& store, const AccountRegistry& accounts);

}  // namespace crossmesh::acm
