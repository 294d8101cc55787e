#include "emulator/appmesh/model/spec_rules.h"

#include "emulator/appmesh/model/access.h"
#include "emulator/appmesh/model/resource_store.h"

namespace crossmesh::appmesh {
namespace {

using nlohmann::json;

// A virtual service's provider must exist when the service is written.
Status CheckVirtualServiceSpec(const MeshView& mesh, const json& spec) {
  if (!spec.contains("provider")) return Status::Ok();
  const json& provider = spec["provider"];
  if (provider.contains("virtualNode")) {
    auto node = mesh.Require(Kind::kVirtualNode, "",
                             provider["virtualNode"]["virtualNodeName"].get<std::string>());
    return node.status();
  }
  auto router = mesh.Require(Kind::kVirtualRouter, "",
                             provider["virtualRouter"]["virtualRouterName"].get<std::string>());
  return router.status();
}

}  // namespace

Result<std::optional<Resource>> MeshView::Find(Kind kind, std::string_view parent,
                                               std::string_view name) const {
  ResourceId id = mesh_;
  id.kind = kind;
  id.parent = std::string(parent);
  id.name = std::string(name);
  return internal::LoadResource(store_, id);
}

Result<Resource> MeshView::Require(Kind kind, std::string_view parent,
                                   std::string_view name) const {
  auto found = Find(kind, parent, name);
  if (!found.ok()) return found.status();
  if (found->has_value()) return std::move(**found);
  ResourceId id = mesh_;
  id.kind = kind;
  id.parent = std::string(parent);
  id.name = std::string(name);
  return NotPresent(id);
}

Result<std::vector<Resource>> MeshView::All(Kind kind,
                                            const std::optional<std::string>& parent) const {
  return internal::LoadResources(store_, mesh_, kind, parent);
}

Status CheckSpecRules(const MeshView& mesh, const ResourceId& self, const json& spec) {
  switch (self.kind) {
    case Kind::kMesh:
      return Status::Ok();
    case Kind::kVirtualNode:
      return CheckVirtualNodeSpec(mesh, spec);
    case Kind::kVirtualService:
      return CheckVirtualServiceSpec(mesh, spec);
    case Kind::kVirtualRouter:
      return CheckVirtualRouterSpec(mesh, self, spec);
    case Kind::kRoute:
      return CheckRouteSpec(mesh, self, spec);
    case Kind::kVirtualGateway:
      return CheckVirtualGatewaySpec(mesh, self, spec);
    case Kind::kGatewayRoute:
      return CheckGatewayRouteSpec(mesh, self, spec);
  }
  return Status::Ok();
}

}  // namespace crossmesh::appmesh
