#include "emulator/appmesh/api/wire_shapes.h"

#include <array>

namespace crossmesh::appmesh {
namespace {

using nlohmann::json;

constexpr std::array<KindWire, 7> kWires = {{
    {Kind::kMesh, "/v20190125/meshes", "meshName", "meshes", ""},
    {Kind::kVirtualNode, "/v20190125/meshes/{meshName}/virtualNodes", "virtualNodeName",
     "virtualNodes", ""},
    {Kind::kVirtualService, "/v20190125/meshes/{meshName}/virtualServices", "virtualServiceName",
     "virtualServices", ""},
    {Kind::kVirtualRouter, "/v20190125/meshes/{meshName}/virtualRouters", "virtualRouterName",
     "virtualRouters", ""},
    {Kind::kRoute, "/v20190125/meshes/{meshName}/virtualRouter/{virtualRouterName}/routes",
     "routeName", "routes", "virtualRouterName"},
    {Kind::kVirtualGateway, "/v20190125/meshes/{meshName}/virtualGateways", "virtualGatewayName",
     "virtualGateways", ""},
    {Kind::kGatewayRoute,
     "/v20190125/meshes/{meshName}/virtualGateway/{virtualGatewayName}/gatewayRoutes",
     "gatewayRouteName", "gatewayRoutes", "virtualGatewayName"},
}};

// The members every *Ref and every *Data names the resource by.
void AddNames(const Resource& r, json& out) {
  const KindWire& wire = WireOf(r.id.kind);
  out["meshName"] = r.id.mesh;
  if (r.id.kind != Kind::kMesh) out[wire.name_member] = r.id.name;
  if (*wire.parent_member) out[wire.parent_member] = r.id.parent;
}

}  // namespace

const KindWire& WireOf(Kind kind) {
  for (const auto& wire : kWires) {
    if (wire.kind == kind) return wire;
  }
  return kWires[0];  // unreachable: every Kind is in the table
}

std::string ItemPath(const KindWire& wire) {
  return std::string(wire.collection) + "/{" + wire.name_member + "}";
}

json ResourceJson(const Resource& r) {
  json out = {{"spec", r.spec},
              {"metadata",
               {{"arn", r.arn},
                {"createdAt", EpochSeconds(r.created_at)},
                {"lastUpdatedAt", EpochSeconds(r.last_updated_at)},
                {"meshOwner", r.id.mesh_owner},
                {"resourceOwner", r.resource_owner},
                {"uid", r.uid},
                {"version", r.version}}},
              {"status", {{"status", r.status}}}};
  AddNames(r, out);
  return out;
}

json RefJson(const Resource& r) {
  json out = {{"arn", r.arn},
              {"createdAt", EpochSeconds(r.created_at)},
              {"lastUpdatedAt", EpochSeconds(r.last_updated_at)},
              {"meshOwner", r.id.mesh_owner},
              {"resourceOwner", r.resource_owner},
              {"version", r.version}};
  AddNames(r, out);
  return out;
}

json TagsJson(const Tags& tags) {
  json out = json::array();
  for (const auto& [key, value] : tags) out.push_back({{"key", key}, {"value", value}});
  return out;
}

}  // namespace crossmesh::appmesh
