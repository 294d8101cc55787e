#include "harness/manifests/plan.h"

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <set>

#include "emulator/core/json_dump.h"
#include "harness/manifests/api_spec.h"
#include "harness/manifests/plan_units.h"
#include "harness/manifests/value_formats.h"

namespace crossmesh::manifests {
namespace {

using nlohmann::json;

constexpr const char* kMeshes = "/v20190125/meshes";

std::string Encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string MeshPath(const ResolvedMesh& mesh) {
  return std::string(kMeshes) + "/" + Encode(mesh.aws_name);
}

// Resolves references against the cluster, keeping every reference inside the referrer's mesh.
class ObjectRefs : public RefResolver {
 public:
  ObjectRefs(const ClusterView& view, const ResolvedMesh& mesh, const K8sObject& from)
      : view_(view), mesh_(mesh), from_(from) {}

  Result<std::string> Name(std::string_view kind, const std::string& name,
                           const std::string& ns) const override {
    const K8sObject* target = view_.Find(kind, ns, name);
    if (!target) {
      return Error("InvalidInput",
                   fmt::format("{} ({}) refers to {} {}/{}, which is neither in these files nor "
                               "applied earlier; apply it first or in the same run",
                               from_.Id(), from_.origin, kind, ns, name));
    }
    auto mesh = view_.MeshOf(*target);
    if (!mesh.ok()) return mesh.status();
    if (!(*mesh == mesh_)) {
      return Error(
          "InvalidInput",
          fmt::format("{} ({}) is in mesh {} but refers to {}, which is in mesh {}", from_.Id(),
                      from_.origin, mesh_.aws_name, target->Id(), mesh->aws_name));
    }
    return DefaultAwsName(*target);
  }

  Result<std::string> NameFromArn(std::string_view type, const std::string& arn) const override {
    auto parsed = ParseAppMeshArn(arn);
    if (!parsed || parsed->type != type) {
      return Error("InvalidInput", fmt::format("{} ({}): '{}' is not an App Mesh {} ARN",
                                               from_.Id(), from_.origin, arn, type));
    }
    if (parsed->mesh != mesh_.aws_name || parsed->mesh_owner != mesh_.owner) {
      return Error("InvalidInput",
                   fmt::format("{} ({}): '{}' is in mesh {} of account {}, but the object is in "
                               "mesh {} of account {}; it can only name resources of its own mesh",
                               from_.Id(), from_.origin, arn, parsed->mesh, parsed->mesh_owner,
                               mesh_.aws_name, mesh_.owner));
    }
    return parsed->name;
  }

 private:
  const ClusterView& view_;
  const ResolvedMesh& mesh_;
  const K8sObject& from_;
};

ApiCall AppMesh(std::string method, std::string path, const ResolvedMesh& mesh, json body) {
  return {"appmesh", std::move(method), std::move(path), mesh.OwnerQuery(), std::move(body)};
}

class Planner {
 public:
  Planner(const std::vector<K8sObject>& applied, const ClusterState& state)
      : applied_(applied), view_(applied, state) {}

  Result<Plan> Build() {
    StoreCoreObjects();
    CM_RETURN_IF_ERROR(PlanMeshes());
    auto units = BuildUnits(view_, applied_);
    if (!units.ok()) return units.status();
    auto order = OrderUnits(*units);
    if (!order.ok()) return order.status();
    for (const auto& unit : *units) ++units_left_[unit.object];
    for (const auto& entry : *order) CM_RETURN_IF_ERROR(Emit(entry));
    for (const auto& update : deferred_) plan_.steps.push_back(update);
    return std::move(plan_);
  }

 private:
  void Store(const K8sObject& object, json body) {
    std::string ns = object.info->namespaced ? object.meta.namespace_ : "-";
    plan_.steps.push_back({StepKind::kStore,
                           object.Id(),
                           "",
                           {"crossmesh-k8s", "PUT", StorePath(object.kind(), ns, object.meta.name),
                            "", std::move(body)},
                           std::nullopt});
  }

  // Namespaces first: the App Mesh objects after them are resolved through their labels.
  void StoreCoreObjects() {
    for (const auto& object : applied_) {
      if (!object.info->appmesh) Store(object, object.body);
    }
  }

  Status PlanMeshes() {
    for (const auto& object : applied_) {
      if (object.kind() != "Mesh") continue;
      ResolvedMesh mesh = view_.MeshOfResource(object);
      if (mesh.owned) {
        json spec = ToApiSpec(object, ObjectRefs(view_, mesh, object)).value();
        std::string path = MeshPath(mesh);
        plan_.steps.push_back(
            {StepKind::kCreateOrUpdate,
             object.Id(),
             "mesh " + mesh.aws_name,
             {"appmesh", "PUT", kMeshes, "", {{"meshName", mesh.aws_name}, {"spec", spec}}},
             ApiCall{"appmesh", "PUT", path, "", {{"spec", spec}}}});
      } else {
        VerifyMesh(object.Id(), mesh);
      }
      Store(object, WithDefaults(object, mesh));
    }
    return Status::Ok();
  }

  void VerifyMesh(const std::string& object, const ResolvedMesh& mesh) {
    if (!verified_.insert(mesh.aws_name + "@" + mesh.owner).second) return;
    plan_.steps.push_back(
        {StepKind::kVerifyMesh,
         object,
         "mesh " + mesh.aws_name,
         {"appmesh", "GET", MeshPath(mesh), mesh.owned ? "" : "meshOwner=" + mesh.owner, nullptr},
         std::nullopt});
  }

  json WithDefaults(const K8sObject& object, const ResolvedMesh& mesh) const {
    json body = object.body;
    body["spec"]["awsName"] = DefaultAwsName(object);
    if (object.info->namespaced && !mesh.k8s_name.empty()) {
      body["spec"]["meshRef"] = {{"name", mesh.k8s_name}};
    }
    return body;
  }

  Status Emit(const OrderedUnit& entry) {
    const Unit& unit = *entry.unit;
    const K8sObject& object = *unit.object;
    auto mesh = view_.MeshOf(object);
    if (!mesh.ok()) return mesh.status();
    if (mesh->k8s_name.empty()) VerifyMesh(object.Id(), *mesh);
    ObjectRefs refs(view_, *mesh, object);

    auto target = Target(unit, *mesh);
    if (!target.ok()) return target.status();
    auto spec = unit.route >= 0 ? ToApiRouteSpec(object.spec().at("routes").at(unit.route),
                                                 object.meta.namespace_, refs)
                                : ToApiSpec(object, refs);
    if (!spec.ok()) return spec.status();

    json create_spec = *spec;
    if (entry.without_backends) {
      create_spec.erase("backends");
      deferred_.push_back({StepKind::kUpdate, object.Id(), target->resource,
                           AppMesh("PUT", target->item_path, *mesh, {{"spec", *spec}}),
                           std::nullopt});
    }
    json body = {{target->name_field, target->name}, {"spec", create_spec}};
    plan_.steps.push_back({StepKind::kCreateOrUpdate, object.Id(), target->resource,
                           AppMesh("PUT", target->collection_path, *mesh, body),
                           AppMesh("PUT", target->item_path, *mesh, {{"spec", *spec}})});
    // Stored once all of its resources exist (a router has one per route as well).
    if (--units_left_[&object] == 0) Store(object, WithDefaults(object, *mesh));
    return Status::Ok();
  }

  struct TargetPaths {
    std::string name_field;  // "virtualNodeName"
    std::string name;
    std::string resource;  // "virtual node redis-server_yelb"
    std::string collection_path;
    std::string item_path;
  };

  Result<TargetPaths> Target(const Unit& unit, const ResolvedMesh& mesh) const {
    const K8sObject& object = *unit.object;
    std::string base = MeshPath(mesh);
    std::string name = DefaultAwsName(object);
    std::string_view kind = object.kind();
    if (unit.route >= 0) {
      std::string route = object.spec().at("routes").at(unit.route).value("name", "");
      std::string routes = base + "/virtualRouter/" + Encode(name) + "/routes";
      return TargetPaths{"routeName", route, "route " + route + " of " + name, routes,
                         routes + "/" + Encode(route)};
    }
    if (kind == "GatewayRoute") {
      auto gateway = GatewayOf(view_, object);
      if (!gateway.ok()) return gateway.status();
      std::string routes =
          base + "/virtualGateway/" + Encode(DefaultAwsName(**gateway)) + "/gatewayRoutes";
      return TargetPaths{"gatewayRouteName", name, "gateway route " + name, routes,
                         routes + "/" + Encode(name)};
    }
    static const std::map<std::string_view, std::pair<const char*, const char*>> kPaths = {
        {"VirtualNode", {"virtualNodes", "virtual node"}},
        {"VirtualRouter", {"virtualRouters", "virtual router"}},
        {"VirtualService", {"virtualServices", "virtual service"}},
        {"VirtualGateway", {"virtualGateways", "virtual gateway"}},
    };
    const auto& [collection, what] = kPaths.at(kind);
    std::string field = std::string(kind) + "Name";
    field[0] = static_cast<char>(std::tolower(field[0]));
    std::string path = base + "/" + collection;
    return TargetPaths{field, name, std::string(what) + " " + name, path,
                       path + "/" + Encode(name)};
  }

  const std::vector<K8sObject>& applied_;
  ClusterView view_;
  Plan plan_;
  std::vector<PlanStep> deferred_;
  std::set<std::string> verified_;
  std::map<const K8sObject*, int> units_left_;
};

}  // namespace

std::string ApiCall::ToString() const {
  std::string out = method + " " + path;
  if (!query.empty()) out += "?" + query;
  if (!body.is_null()) out += " " + DumpJson(body);
  return out;
}

std::string StorePath(std::string_view kind, const std::string& ns, const std::string& name) {
  return fmt::format("/k8s/v1/objects/{}/{}/{}", kind, Encode(ns), Encode(name));
}

Result<Plan> PlanApply(const std::vector<K8sObject>& applied, const ClusterState& state) {
  // One cluster: the same object twice (in two files, say) would depend on itself.
  std::map<std::string, const K8sObject*> seen;
  for (const K8sObject& object : applied) {
    auto [it, inserted] = seen.emplace(object.Id(), &object);
    if (!inserted) {
      return Error("InvalidInput",
                   fmt::format("{} is defined twice, at {} and at {}; apply one of them",
                               object.Id(), it->second->origin, object.origin));
    }
  }
  return Planner(applied, state).Build();
}

}  // namespace crossmesh::manifests
