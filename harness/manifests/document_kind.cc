#include "harness/manifests/document_kind.h"

#include <array>
#include <utility>

namespace crossmesh::manifests {
namespace {

// Most specific first: a route input names its router too.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kInputNames = {{
    {"gatewayRouteName", "GatewayRoute"},
    {"routeName", "Route"},
    {"virtualNodeName", "VirtualNode"},
    {"virtualServiceName", "VirtualService"},
    {"virtualRouterName", "VirtualRouter"},
    {"virtualGatewayName", "VirtualGateway"},
}};

bool HasScalar(const Node& root, std::string_view key) {
  const Node* value = root.Find(key);
  return value && value->IsScalar();
}

}  // namespace

DocumentKind Classify(const Node& root) {
  if (!root.IsMap()) return DocumentKind::kOther;
  if (HasScalar(root, "apiVersion") && HasScalar(root, "kind")) return DocumentKind::kManifest;
  if (root.Find("meshName")) return DocumentKind::kAppMeshInput;
  return DocumentKind::kOther;
}

std::string InputResource(const Node& root) {
  for (const auto& [key, resource] : kInputNames) {
    if (root.Find(key)) return std::string(resource);
  }
  return "Mesh";
}

}  // namespace crossmesh::manifests
