// App Mesh rules that span more than one field, checked without any state: a listener needs
// service discovery (the controller's admission webhook), backends are not listed twice, a
// PERMISSIVE listener does not enforce mTLS, and ACM certificates and Private CAs named in one
// resource share a Region (appmesh-tls-semantics.md sections 1.3, 1.4 and 2.1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/manifests/appmesh_schema.h"
#include "harness/manifests/finding.h"
#include "harness/manifests/yaml_tree.h"

namespace crossmesh::manifests {

// `spec` is the resource's spec; `kind` is "VirtualNode", "VirtualGateway", ...
void CheckAppMeshRules(const Node& spec, std::string_view kind, Dialect dialect,
                       const std::string& path, const std::string& file, std::vector<Finding>* out);

}  // namespace crossmesh::manifests
