#include "harness/manifests/plan_units.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "harness/manifests/value_formats.h"

namespace crossmesh::manifests {
namespace {

using nlohmann::json;

const std::map<std::string_view, int> kRank = {
    {"VirtualNode", 0},    {"VirtualRouter", 1},  {"Route", 2},
    {"VirtualService", 3}, {"VirtualGateway", 4}, {"GatewayRoute", 5},
};

std::string Key(std::string_view kind, const std::string& ns, const std::string& name) {
  return fmt::format("{} {}/{}", kind, ns, name);
}

std::string RefKey(std::string_view kind, const json& ref, const std::string& ns) {
  std::string ref_ns = ref.value("namespace", "");
  return Key(kind, ref_ns.empty() ? ns : ref_ns, ref.value("name", ""));
}

const json& Member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// An applied virtual service whose App Mesh name the ARN ends in.
std::string ArnKey(const std::vector<K8sObject>& applied, const std::string& arn) {
  auto parsed = ParseAppMeshArn(arn);
  if (!parsed) return "";
  for (const auto& object : applied) {
    if (object.kind() == "VirtualService" && DefaultAwsName(object) == parsed->name) {
      return Key(object.kind(), object.meta.namespace_, object.meta.name);
    }
  }
  return "";
}

void NodeNeeds(const K8sObject& node, const std::vector<K8sObject>& applied, Unit* unit) {
  const json& backends = Member(node.spec(), "backends");
  if (!backends.is_array()) return;
  for (const auto& backend : backends) {
    const json& service = Member(backend, "virtualService");
    if (const json& ref = Member(service, "virtualServiceRef"); ref.is_object()) {
      unit->backends.push_back(RefKey("VirtualService", ref, node.meta.namespace_));
    } else if (const json& arn = Member(service, "virtualServiceARN"); arn.is_string()) {
      unit->backends.push_back(ArnKey(applied, arn.get<std::string>()));
    }
  }
}

void TargetNeeds(const json& route, const std::string& ns, Unit* unit) {
  for (const char* kind : {"httpRoute", "http2Route", "tcpRoute", "grpcRoute"}) {
    const json& targets = Member(Member(Member(route, kind), "action"), "weightedTargets");
    if (!targets.is_array()) continue;
    for (const auto& target : targets) {
      if (const json& ref = Member(target, "virtualNodeRef"); ref.is_object()) {
        unit->needs.push_back(RefKey("VirtualNode", ref, ns));
      }
    }
  }
}

void RouterUnits(const K8sObject& router, std::vector<Unit>* units) {
  const json& routes = Member(router.spec(), "routes");
  if (!routes.is_array()) return;
  for (size_t i = 0; i < routes.size(); ++i) {
    Unit route{
        &router,
        static_cast<int>(i),
        Key("Route", router.meta.namespace_, router.meta.name + "/" + routes[i].value("name", "")),
        kRank.at("Route"),
        {Key("VirtualRouter", router.meta.namespace_, router.meta.name)},
        {}};
    TargetNeeds(routes[i], router.meta.namespace_, &route);
    units->push_back(std::move(route));
  }
}

void ServiceNeeds(const K8sObject& service, Unit* unit) {
  const json& provider = Member(service.spec(), "provider");
  const std::string& ns = service.meta.namespace_;
  if (const json& ref = Member(Member(provider, "virtualNode"), "virtualNodeRef");
      ref.is_object()) {
    unit->needs.push_back(RefKey("VirtualNode", ref, ns));
  }
  if (const json& ref = Member(Member(provider, "virtualRouter"), "virtualRouterRef");
      ref.is_object()) {
    unit->needs.push_back(RefKey("VirtualRouter", ref, ns));
  }
}

Status GatewayRouteNeeds(const ClusterView& view, const K8sObject& route, Unit* unit) {
  auto gateway = GatewayOf(view, route);
  if (!gateway.ok()) return gateway.status();
  unit->needs.push_back(Key("VirtualGateway", (*gateway)->meta.namespace_, (*gateway)->meta.name));
  for (const char* kind : {"httpRoute", "http2Route", "grpcRoute"}) {
    const json& service =
        Member(Member(Member(Member(route.spec(), kind), "action"), "target"), "virtualService");
    if (const json& ref = Member(service, "virtualServiceRef"); ref.is_object()) {
      unit->needs.push_back(RefKey("VirtualService", ref, route.meta.namespace_));
    }
  }
  return Status::Ok();
}

// Needs on resources not applied in this run are left to the API: they exist or they do not.
void KeepAppliedNeeds(std::vector<Unit>* units) {
  std::set<std::string> keys;
  for (const auto& unit : *units) keys.insert(unit.key);
  auto applied_only = [&](std::vector<std::string>& needs) {
    needs.erase(std::remove_if(needs.begin(), needs.end(),
                               [&](const std::string& key) { return !keys.count(key); }),
                needs.end());
  };
  for (auto& unit : *units) {
    applied_only(unit.needs);
    applied_only(unit.backends);
  }
}

bool AllDone(const std::vector<std::string>& keys, const std::set<std::string>& done) {
  return std::all_of(keys.begin(), keys.end(), [&](const auto& key) { return done.count(key); });
}

}  // namespace

Result<const K8sObject*> GatewayOf(const ClusterView& view, const K8sObject& route) {
  const json& ref = Member(route.spec(), "virtualGatewayRef");
  if (ref.is_object()) {
    std::string ns = ref.value("namespace", route.meta.namespace_);
    if (const K8sObject* gateway = view.Find("VirtualGateway", ns, ref.value("name", ""))) {
      return gateway;
    }
    return Error("InvalidInput",
                 fmt::format("{} ({}): spec.virtualGatewayRef names VirtualGateway {}/{}, which "
                             "is neither in these files nor applied earlier",
                             route.Id(), route.origin, ns, ref.value("name", "")));
  }
  const K8sObject* ns_object = view.Find("Namespace", "", route.meta.namespace_);
  Labels labels = ns_object ? ns_object->meta.labels : Labels{};
  std::vector<const K8sObject*> selecting;
  for (const K8sObject* gateway : view.All("VirtualGateway")) {
    if (ReadSelector(Member(gateway->spec(), "namespaceSelector")).Matches(labels)) {
      selecting.push_back(gateway);
    }
  }
  if (selecting.size() == 1) return selecting.front();
  return Error("InvalidInput",
               fmt::format("{} ({}): {} virtual gateways select namespace '{}'; set "
                           "spec.virtualGatewayRef to name the gateway",
                           route.Id(), route.origin, selecting.empty() ? "no" : "several",
                           route.meta.namespace_));
}

Result<std::vector<Unit>> BuildUnits(const ClusterView& view,
                                     const std::vector<K8sObject>& applied) {
  std::vector<Unit> units;
  for (const auto& object : applied) {
    if (!object.info->appmesh || object.kind() == "Mesh") continue;
    Unit unit{&object,
              -1,
              Key(object.kind(), object.meta.namespace_, object.meta.name),
              kRank.at(object.kind()),
              {},
              {}};
    std::string_view kind = object.kind();
    if (kind == "VirtualNode") NodeNeeds(object, applied, &unit);
    if (kind == "VirtualService") ServiceNeeds(object, &unit);
    if (kind == "GatewayRoute") CM_RETURN_IF_ERROR(GatewayRouteNeeds(view, object, &unit));
    units.push_back(std::move(unit));
    if (kind == "VirtualRouter") RouterUnits(object, &units);
  }
  KeepAppliedNeeds(&units);
  return units;
}

Result<std::vector<OrderedUnit>> OrderUnits(const std::vector<Unit>& units) {
  std::vector<size_t> by_rank(units.size());
  std::iota(by_rank.begin(), by_rank.end(), 0);
  std::stable_sort(by_rank.begin(), by_rank.end(),
                   [&](size_t a, size_t b) { return units[a].rank < units[b].rank; });

  std::vector<OrderedUnit> out;
  std::set<std::string> done;
  auto take = [&](bool without_backends) {
    for (size_t i : by_rank) {
      const Unit& unit = units[i];
      if (done.count(unit.key) || !AllDone(unit.needs, done)) continue;
      if (!without_backends && !AllDone(unit.backends, done)) continue;
      if (without_backends && unit.backends.empty()) continue;
      done.insert(unit.key);
      out.push_back({&unit, without_backends});
      return true;
    }
    return false;
  };
  while (out.size() < units.size()) {
    if (!take(false) && !take(true)) {
      return Error("InvalidInput",
                   "the App Mesh objects being applied refer to each other in a cycle that no "
                   "order can satisfy");
    }
  }
  return out;
}

}  // namespace crossmesh::manifests
