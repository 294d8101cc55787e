#include <fmt/format.h>

#include <array>

#include "emulator/appmesh/model/types.h"

namespace crossmesh::appmesh {
namespace {

struct KindInfo {
  Kind kind;
  std::string_view name;
  std::string_view type_name;
  std::string_view spec_shape;
  std::string_view plural;  // for List operation names
};

constexpr std::array<KindInfo, 7> kKinds = {{
    {Kind::kMesh, "mesh", "Mesh", "MeshSpec", "Meshes"},
    {Kind::kVirtualNode, "virtualNode", "VirtualNode", "VirtualNodeSpec", "VirtualNodes"},
    {Kind::kVirtualService, "virtualService", "VirtualService", "VirtualServiceSpec",
     "VirtualServices"},
    {Kind::kVirtualRouter, "virtualRouter", "VirtualRouter", "VirtualRouterSpec", "VirtualRouters"},
    {Kind::kRoute, "route", "Route", "RouteSpec", "Routes"},
    {Kind::kVirtualGateway, "virtualGateway", "VirtualGateway", "VirtualGatewaySpec",
     "VirtualGateways"},
    {Kind::kGatewayRoute, "gatewayRoute", "GatewayRoute", "GatewayRouteSpec", "GatewayRoutes"},
}};

const KindInfo& Info(Kind kind) {
  for (const auto& info : kKinds) {
    if (info.kind == kind) return info;
  }
  return kKinds[0];  // unreachable: every Kind is in the table
}

}  // namespace

std::string_view KindName(Kind kind) { return Info(kind).name; }
std::string_view KindTypeName(Kind kind) { return Info(kind).type_name; }
std::string_view SpecShapeOf(Kind kind) { return Info(kind).spec_shape; }

std::optional<Kind> KindNamed(std::string_view name) {
  for (const auto& info : kKinds) {
    if (info.name == name) return info.kind;
  }
  return std::nullopt;
}

std::optional<Kind> ParentKind(Kind kind) {
  if (kind == Kind::kRoute) return Kind::kVirtualRouter;
  if (kind == Kind::kGatewayRoute) return Kind::kVirtualGateway;
  return std::nullopt;
}

std::string OperationName(std::string_view verb, Kind kind) {
  return fmt::format("{}{}", verb, verb == "List" ? Info(kind).plural : Info(kind).type_name);
}

std::string MeshArnOf(const ResourceId& id) {
  return fmt::format("arn:aws:appmesh:{}:{}:mesh/{}", id.region, id.mesh_owner, id.mesh);
}

std::string ArnOf(const ResourceId& id) {
  std::string arn = MeshArnOf(id);
  if (id.kind == Kind::kMesh) return arn;
  if (auto parent = ParentKind(id.kind)) {
    arn += fmt::format("/{}/{}", KindName(*parent), id.parent);
  }
  return arn + fmt::format("/{}/{}", KindName(id.kind), id.name);
}

}  // namespace crossmesh::appmesh
