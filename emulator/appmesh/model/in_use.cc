// What keeps a resource from being deleted. The API reference's Delete* pages: a virtual node
// named as a virtual service's provider, a virtual router with routes or named as a provider, a
// virtual gateway with gateway routes, a mesh with anything in it. Route targets and gateway
// route targets hold their virtual node or virtual service too, so that no route is left
// pointing at nothing.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "emulator/appmesh/model/spec_rules.h"

namespace crossmesh::appmesh {
namespace {

using nlohmann::json;

Status InUse(const Resource& resource, const std::vector<std::string>& users) {
  return Error("ResourceInUseException",
               fmt::format("{} {} in mesh {} is still used by {}; delete or change {} first",
                           KindTypeName(resource.id.kind), resource.id.name, resource.id.mesh,
                           fmt::join(users, ", "), users.size() == 1 ? "it" : "them"));
}

bool ProvidedBy(const Resource& service, std::string_view member, std::string_view name_member,
                const std::string& name) {
  const json provider = service.spec.value("provider", json::object());
  return provider.contains(member) &&
         provider[std::string(member)][std::string(name_member)] == name;
}

// The member of a route spec that holds its route kind, whichever it is.
const json* RouteBody(const Resource& route) {
  for (const auto& [key, value] : route.spec.items()) {
    if (key != "priority") return &value;
  }
  return nullptr;
}

std::string Named(const Resource& r) {
  if (r.id.parent.empty()) return fmt::format("{} {}", KindTypeName(r.id.kind), r.id.name);
  return fmt::format("{} {} of {}", KindTypeName(r.id.kind), r.id.name, r.id.parent);
}

Result<std::vector<std::string>> UsersOfNode(const MeshView& mesh, const Resource& node) {
  std::vector<std::string> users;
  auto services = mesh.All(Kind::kVirtualService);
  if (!services.ok()) return services.status();
  for (const auto& s : *services) {
    if (ProvidedBy(s, "virtualNode", "virtualNodeName", node.id.name)) users.push_back(Named(s));
  }
  auto routes = mesh.All(Kind::kRoute);
  if (!routes.ok()) return routes.status();
  for (const auto& r : *routes) {
    const json* body = RouteBody(r);
    if (!body) continue;
    for (const auto& target : (*body)["action"]["weightedTargets"]) {
      if (target["virtualNode"] == node.id.name) {
        users.push_back(Named(r));
        break;
      }
    }
  }
  return users;
}

Result<std::vector<std::string>> UsersOfRouter(const MeshView& mesh, const Resource& router) {
  std::vector<std::string> users;
  auto routes = mesh.All(Kind::kRoute, router.id.name);
  if (!routes.ok()) return routes.status();
  for (const auto& r : *routes) users.push_back(Named(r));
  auto services = mesh.All(Kind::kVirtualService);
  if (!services.ok()) return services.status();
  for (const auto& s : *services) {
    if (ProvidedBy(s, "virtualRouter", "virtualRouterName", router.id.name)) {
      users.push_back(Named(s));
    }
  }
  return users;
}

Result<std::vector<std::string>> UsersOfService(const MeshView& mesh, const Resource& service) {
  std::vector<std::string> users;
  auto routes = mesh.All(Kind::kGatewayRoute);
  if (!routes.ok()) return routes.status();
  for (const auto& r : *routes) {
    const json* body = RouteBody(r);
    if (body &&
        (*body)["action"]["target"]["virtualService"]["virtualServiceName"] == service.id.name) {
      users.push_back(Named(r));
    }
  }
  return users;
}

Result<std::vector<std::string>> UsersOfGateway(const MeshView& mesh, const Resource& gateway) {
  std::vector<std::string> users;
  auto routes = mesh.All(Kind::kGatewayRoute, gateway.id.name);
  if (!routes.ok()) return routes.status();
  for (const auto& r : *routes) users.push_back(Named(r));
  return users;
}

Result<std::vector<std::string>> UsersOfMesh(const MeshView& mesh) {
  std::vector<std::string> users;
  for (Kind kind : kAllKinds) {
    if (kind == Kind::kMesh) continue;
    auto all = mesh.All(kind);
    if (!all.ok()) return all.status();
    for (const auto& r : *all) users.push_back(Named(r));
  }
  return users;
}

Result<std::vector<std::string>> UsersOf(const MeshView& mesh, const Resource& resource) {
  switch (resource.id.kind) {
    case Kind::kMesh:
      return UsersOfMesh(mesh);
    case Kind::kVirtualNode:
      return UsersOfNode(mesh, resource);
    case Kind::kVirtualRouter:
      return UsersOfRouter(mesh, resource);
    case Kind::kVirtualService:
      return UsersOfService(mesh, resource);
    case Kind::kVirtualGateway:
      return UsersOfGateway(mesh, resource);
    case Kind::kRoute:
    case Kind::kGatewayRoute:
      return std::vector<std::string>();
  }
  return std::vector<std::string>();
}

}  // namespace

Status CheckNotInUse(const MeshView& mesh, const Resource& resource) {
  auto users = UsersOf(mesh, resource);
  if (!users.ok()) return users.status();
  if (users->empty()) return Status::Ok();
  if (resource.id.kind == Kind::kMesh) {
    return Error("ResourceInUseException",
                 fmt::format("Mesh {} is not empty: it still has {}; delete them first",
                             resource.id.name, fmt::join(*users, ", ")));
  }
  return InUse(resource, *users);
}

}  // namespace crossmesh::appmesh
