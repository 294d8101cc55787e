// What the data path (harness/control, in the xDS role) reads from App Mesh, in-process and
// without any caller's access rules: every mesh, everything in a mesh with its spec, one
// resource by ARN (an Envoy names its virtual node or gateway that way), and a change log.
//
// Changes are appended in the same transaction as the change itself, so a reader sees one
// exactly when it has committed. Read them with MeshChangesSince inside Emulator::Call after each
// API call or clock advance, then rebuild the affected meshes with ReadMesh.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/appmesh/model/types.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh {

struct MeshContents {
  Resource mesh;
  // Each sorted by name (routes and gateway routes by parent, then name).
  std::vector<Resource> virtual_nodes;
  std::vector<Resource> virtual_services;
  std::vector<Resource> virtual_routers;
  std::vector<Resource> routes;
  std::vector<Resource> virtual_gateways;
  std::vector<Resource> gateway_routes;
};

// Every mesh of every account in every region.
Result<std::vector<Resource>> AllMeshes(Store& store);
// NotFoundException when the mesh does not exist.
Result<MeshContents> ReadMesh(Store& store, std::string_view mesh_owner, std::string_view region,
                              std::string_view mesh);
Result<std::optional<Resource>> FindResourceByArn(Store& store, std::string_view arn);

struct MeshChange {
  int64_t sequence = 0;  // strictly increasing; pass the last one seen to the next read
  std::string arn;
  ResourceId mesh;  // the mesh the resource lives in
  Kind kind = Kind::kMesh;
  std::string change;  // CREATED | UPDATED | DELETED
  int64_t version = 0;
  TimePoint at;
};

// Changes with sequence > `after_sequence`, oldest first, at most `limit`.
Result<std::vector<MeshChange>> MeshChangesSince(Store& store, int64_t after_sequence,
                                                 size_t limit = 1000);

}  // namespace crossmesh::appmesh
