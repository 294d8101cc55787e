// The operation names a scenario's `call:` may use, and the nearest one to a misspelling.
//
// The names come from the emulator's own dispatch tables (Service::operations() of a fresh
// in-memory emulator), so a file is checked when it is read against exactly what a run would
// accept, with no second list to keep in step.
#pragma once

#include <string>
#include <vector>

namespace crossmesh::scenario {

// The operations `service` (a signing name such as "acm-pca") answers, sorted; empty when the
// emulator does not serve it or could not be started (the run then reports the problem).
const std::vector<std::string>& KnownOperations(const std::string& service);

// The known name closest to `name` by edit distance, ignoring case; empty when none is within
// half of its length (nothing plausible to suggest).
std::string NearestName(const std::string& name, const std::vector<std::string>& known);

}  // namespace crossmesh::scenario
