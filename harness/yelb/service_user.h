// The unprivileged account PostgreSQL runs as when crossmesh runs as root (CI does):
// `postgres` refuses to start with euid 0, so the data tier drops to a system user for it.
#pragma once

#include <optional>
#include <string>

#include "emulator/core/status.h"
#include "harness/yelb/child_process.h"

namespace crossmesh::yelb {

// Not root: nullopt (everything runs as the current user). Root: `preferred` if non-empty
// (created when missing), else the `postgres` user Debian's package creates, else `crossmesh`,
// created with `useradd --system` when missing.
Result<std::optional<RunAs>> UnprivilegedUserForRoot(const std::string& preferred);

}  // namespace crossmesh::yelb
