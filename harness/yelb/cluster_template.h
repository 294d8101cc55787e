// A PostgreSQL cluster as initdb left it, kept in the user's cache and copied into each later
// run's throwaway folder: initdb costs about a second, the copy a fifth of that, and every
// scenario with Yelb starts one cluster.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "harness/yelb/child_process.h"

namespace crossmesh::yelb {

// Where the template for clusters made the way `recipe` says is kept:
// $XDG_CACHE_HOME/crossmesh/ (else ~/.cache/crossmesh/) postgres-<hash of recipe>. Empty when
// neither variable is set, which turns the cache off.
std::string ClusterTemplatePath(std::string_view recipe);

// Copies the template at `template_dir` to `pgdata`, handing every file to `owner` when given.
// False (and nothing left at `pgdata`) when there is no usable template.
bool CopyClusterTemplate(const std::string& template_dir, const std::string& pgdata,
                         const std::optional<RunAs>& owner);

// Keeps a copy of the fresh cluster at `pgdata` as the template. Best effort: if it fails, the
// next run runs initdb again. Concurrent runs race safely (the first complete copy wins).
void SaveClusterTemplate(const std::string& pgdata, const std::string& template_dir);

}  // namespace crossmesh::yelb
