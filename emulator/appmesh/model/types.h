// The values the App Mesh model takes and returns: the seven resource kinds, where a resource
// lives (mesh owner, region, mesh, parent, name), the resource as Describe reports it, and the
// inputs of each operation.
//
// A resource's spec is kept as the JSON document the caller sent (after validation against the
// API model's shapes): App Mesh specs are deep unions of optional members, and keeping the
// document lets Describe answer exactly what was written, as the service did.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/core/clock.h"

namespace crossmesh::appmesh {

enum class Kind {
  kMesh,
  kVirtualNode,
  kVirtualService,
  kVirtualRouter,
  kRoute,
  kVirtualGateway,
  kGatewayRoute,
};

inline constexpr std::array kAllKinds = {
    Kind::kMesh,  Kind::kVirtualNode,    Kind::kVirtualService, Kind::kVirtualRouter,
    Kind::kRoute, Kind::kVirtualGateway, Kind::kGatewayRoute};

std::string_view KindName(Kind kind);      // "virtualNode": ARNs and the store
std::string_view KindTypeName(Kind kind);  // "VirtualNode": operation names and messages
std::string_view SpecShapeOf(Kind kind);   // "VirtualNodeSpec": the API model's spec shape
std::optional<Kind> KindNamed(std::string_view name);
// Routes live in a virtual router and gateway routes in a virtual gateway.
std::optional<Kind> ParentKind(Kind kind);
// "CreateVirtualNode", "ListVirtualNodes": the IAM action is "appmesh:" + this.
std::string OperationName(std::string_view verb, Kind kind);

// Where a resource lives. For a mesh, `mesh` and `name` are both the mesh's name.
struct ResourceId {
  std::string mesh_owner;
  std::string region;
  std::string mesh;
  Kind kind = Kind::kMesh;
  std::string parent;  // the virtual router (routes) or virtual gateway (gateway routes)
  std::string name;

  bool operator==(const ResourceId&) const = default;
};

// arn:aws:appmesh:REGION:MESH_OWNER:mesh/MESH[/virtualRouter/VR/route/ROUTE], ...
std::string ArnOf(const ResourceId& id);
// The ARN of the mesh a resource lives in.
std::string MeshArnOf(const ResourceId& id);

inline constexpr char kActive[] = "ACTIVE";
inline constexpr char kDeleted[] = "DELETED";

struct Resource {
  ResourceId id;
  std::string arn;
  std::string resource_owner;  // the account that created it
  std::string uid;
  int64_t version = 1;  // 1 at creation, +1 per update
  TimePoint created_at;
  TimePoint last_updated_at;
  nlohmann::json spec = nlohmann::json::object();
  std::string status = kActive;  // DELETED only in the answer to a Delete
};

using Tags = std::vector<std::pair<std::string, std::string>>;

// How a caller names a resource: the mesh by name and, for a mesh shared through RAM, the
// owner's account id (?meshOwner=); then the parent and the resource's own name.
struct ResourceRef {
  std::string mesh;
  std::optional<std::string> mesh_owner;
  Kind kind = Kind::kMesh;
  std::string parent;
  std::string name;  // the mesh's name again for a mesh
};

struct CreateInput {
  ResourceRef ref;
  nlohmann::json spec = nlohmann::json::object();
  Tags tags;
  std::string client_token;  // empty: none
};

struct UpdateInput {
  ResourceRef ref;
  nlohmann::json spec = nlohmann::json::object();
  std::string client_token;
};

struct PageRequest {
  std::optional<int64_t> limit;  // 1..100; the service's default page is 100
  std::string next_token;
};

// List*: for meshes `ref` names nothing (ListMeshes takes no mesh); otherwise `ref.mesh`,
// `ref.mesh_owner`, `ref.kind` and `ref.parent` (routes, gateway routes) say what to list.
struct ListInput {
  ResourceRef ref;
  PageRequest page;
};

struct ResourcePage {
  std::vector<Resource> items;
  std::string next_token;  // empty on the last page
};

struct TagPage {
  Tags tags;
  std::string next_token;
};

}  // namespace crossmesh::appmesh
