// RAM wire layer: REST-JSON routes to the RAM model, and the invitation-expiry timer.
#pragma once

#include <memory>

#include "emulator/core/resource_catalog.h"
#include "emulator/core/timed_events.h"
#include "emulator/protocol/service.h"

namespace crossmesh::ram {

std::unique_ptr<Service> MakeRamService(Store& store, const ResourceCatalog& catalog);
std::unique_ptr<TimedEventSource> MakeRamTimedEvents(const ResourceCatalog& catalog);

}  // namespace crossmesh::ram
