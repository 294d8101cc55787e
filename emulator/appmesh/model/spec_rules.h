// The rules App Mesh applied to a spec beyond its shapes: listeners (one port each, service
// discovery with listeners, timeouts and connection pools of the listener's protocol), routes
// (exactly one route kind, matching a listener of the router or gateway, port matches once
// there are several listeners, targets that exist), virtual service providers that exist, and
// what keeps a resource from being deleted (ResourceInUseException).
//
// Missing App Mesh resources named in a spec are NotFoundException in the service's words
// (access.h NotPresent); malformed or contradictory specs are BadRequestException naming the
// member path.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/appmesh/model/types.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh {

// Read access to the other resources of one mesh, for rules that follow references.
class MeshView {
 public:
  MeshView(Store& store, ResourceId mesh) : store_(store), mesh_(std::move(mesh)) {}

  const ResourceId& mesh() const { return mesh_; }
  Result<std::optional<Resource>> Find(Kind kind, std::string_view parent,
                                       std::string_view name) const;
  // NotFoundException (NotPresent) when it does not exist.
  Result<Resource> Require(Kind kind, std::string_view parent, std::string_view name) const;
  Result<std::vector<Resource>> All(Kind kind,
                                    const std::optional<std::string>& parent = std::nullopt) const;

 private:
  Store& store_;
  ResourceId mesh_;
};

// The rules for the spec of `self` (being created or updated) in `mesh`.
// The error every spec rule reports with (a malformed or contradictory spec).
inline Status BadRequest(std::string message) {
  return Error("BadRequestException", std::move(message));
}

Status CheckSpecRules(const MeshView& mesh, const ResourceId& self, const nlohmann::json& spec);

// ResourceInUseException when something in the mesh still needs `resource`.
Status CheckNotInUse(const MeshView& mesh, const Resource& resource);

// --- rule groups, one file each --------------------------------------------------------------

// virtual_node_rules.cc
Status CheckVirtualNodeSpec(const MeshView& mesh, const nlohmann::json& spec);
Status CheckVirtualGatewaySpec(const MeshView& mesh, const ResourceId& self,
                               const nlohmann::json& spec);
// Listeners of nodes, routers and gateways: one port each.
Status CheckUniquePorts(const nlohmann::json& listeners, const std::string& path);

// route_rules.cc
Status CheckRouteSpec(const MeshView& mesh, const ResourceId& self, const nlohmann::json& spec);
Status CheckGatewayRouteSpec(const MeshView& mesh, const ResourceId& self,
                             const nlohmann::json& spec);
// A virtual router's (or gateway's) new listeners must still fit every route it has.
Status CheckVirtualRouterSpec(const MeshView& mesh, const ResourceId& self,
                              const nlohmann::json& spec);
Status CheckGatewayRoutesFit(const MeshView& mesh, const ResourceId& gateway,
                             const nlohmann::json& spec);

// The route kind member a route spec sets ("httpRoute") and the listener protocol it serves.
struct RouteKind {
  std::string member;
  std::string protocol;
};
Result<RouteKind> RouteKindOf(const nlohmann::json& spec, bool gateway);

}  // namespace crossmesh::appmesh
