// Finding the server programs the data tier runs (redis-server, initdb, postgres), with a clear
// install hint when one is missing. The search path is injectable so tests can point it at an
// empty folder.
#pragma once

#include <string>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::yelb {

// Debian's PostgreSQL keeps its server programs off PATH, under /usr/lib/postgresql/<major>/bin;
// the default path globs for them (newest major first), then the usual bin folders, then $PATH.
std::vector<std::string> DefaultSearchPath();

// The first executable `name` in `search_path` (entries may be glob patterns). Fails with
// MissingBinary naming the folders searched and the apt-get command that installs it.
Result<std::string> FindBinary(const std::string& name,
                               const std::vector<std::string>& search_path);

// The apt-get command that provides every data-tier program.
inline constexpr const char* kDataTierInstallCommand = "apt-get install redis-server postgresql";

}  // namespace crossmesh::yelb
