#include "emulator/appmesh/model/mesh_reader.h"

#include <array>

#include "emulator/appmesh/model/access.h"
#include "emulator/appmesh/model/resource_store.h"

namespace crossmesh::appmesh {

Result<std::vector<Resource>> AllMeshes(Store& store) { return internal::LoadMeshes(store, ""); }

Result<MeshContents> ReadMesh(Store& store, std::string_view mesh_owner, std::string_view region,
                              std::string_view mesh) {
  ResourceId id{std::string(mesh_owner), std::string(region), std::string(mesh), Kind::kMesh, "",
                std::string(mesh)};
  auto found = internal::LoadResource(store, id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotPresent(id);

  MeshContents contents;
  contents.mesh = std::move(**found);
  const std::array<std::pair<Kind, std::vector<Resource>*>, 6> lists = {
      {{Kind::kVirtualNode, &contents.virtual_nodes},
       {Kind::kVirtualService, &contents.virtual_services},
       {Kind::kVirtualRouter, &contents.virtual_routers},
       {Kind::kRoute, &contents.routes},
       {Kind::kVirtualGateway, &contents.virtual_gateways},
       {Kind::kGatewayRoute, &contents.gateway_routes}}};
  for (const auto& [kind, list] : lists) {
    auto items = internal::LoadResources(store, id, kind, std::nullopt);
    if (!items.ok()) return items.status();
    *list = std::move(*items);
  }
  return contents;
}

Result<std::optional<Resource>> FindResourceByArn(Store& store, std::string_view arn) {
  return internal::LoadResourceByArn(store, arn);
}

Result<std::vector<MeshChange>> MeshChangesSince(Store& store, int64_t after_sequence,
                                                 size_t limit) {
  auto stmt = store.Prepare(
      "SELECT sequence, arn, mesh_owner, region, mesh, kind, change, version, at_ms"
      " FROM appmesh_changes WHERE sequence > ? ORDER BY sequence LIMIT ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, after_sequence).Bind(2, static_cast<int64_t>(limit));
  std::vector<MeshChange> changes;
  while (stmt->Step()) {
    MeshChange c;
    c.sequence = stmt->Int(0);
    c.arn = stmt->Text(1);
    c.mesh = {stmt->Text(2), stmt->Text(3), stmt->Text(4), Kind::kMesh, "", stmt->Text(4)};
    c.kind = KindNamed(stmt->Text(5)).value_or(Kind::kMesh);
    c.change = stmt->Text(6);
    c.version = stmt->Int(7);
    c.at = FromMillis(stmt->Int(8));
    changes.push_back(std::move(c));
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return changes;
}

}  // namespace crossmesh::appmesh
