// `crossmesh lint`: checks Kubernetes manifests of the App Mesh controller's kinds (and the
// Namespace, Service and Deployment documents beside them) and App Mesh --cli-input-json
// documents, touching no state. Every finding comes from a general rule: YAML syntax (with the
// likely cause), placeholders left in, whether a file is a manifest at all, the schema of each
// kind, and the App Mesh TLS rules that need no state.
#pragma once

#include <string>
#include <vector>

#include "harness/manifests/finding.h"
#include "harness/manifests/source_file.h"

namespace crossmesh::manifests {

std::vector<Finding> LintSource(const SourceFile& file);

// The finding for a path that could not be read (`status` says why).
Finding UnreadableFinding(const std::string& path, const Status& status);

// Reads and lints each path. An unreadable path is itself an error finding. The result is
// sorted by file, line and column.
std::vector<Finding> LintPaths(const std::vector<std::string>& paths);

// Lints already-read files the same way (apply uses it before it sends anything).
std::vector<Finding> LintSources(const std::vector<SourceFile>& files);

}  // namespace crossmesh::manifests
