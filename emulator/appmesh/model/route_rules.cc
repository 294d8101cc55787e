// Route and gateway route rules: one route kind, served by a listener of the router or gateway
// with the same protocol, a port match once there are several listeners, and targets that
// exist. The port-match sentences are the service's own (aws-app-mesh-controller-for-k8s#715,
// aws-cdk#22452).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <re2/re2.h>
#include <algorithm>
#include <set>

#include "emulator/appmesh/model/spec_rules.h"

namespace crossmesh::appmesh {
namespace {

using nlohmann::json;

const json& ListenersOf(const Resource& parent) {
  static const json kNone = json::array();
  return parent.spec.contains("listeners") ? parent.spec["listeners"] : kNone;
}

// The listener that serves a route: the one on its match port, else the only listener there is
// (several listeners need a port match).
Status CheckServedBy(const json& listeners, const RouteKind& kind, const json& route,
                     const Resource& parent, bool gateway) {
  const json match = route.value("match", json::object());
  std::string parent_name = fmt::format("{} {}", KindTypeName(parent.id.kind), parent.id.name);
  if (listeners.size() > 1 && !match.contains("port")) {
    return BadRequest(gateway ? "Gateway route must define a match port if the parent Virtual "
                                "Gateway has multiple listeners."
                              : "Route must define a port match criteria if the Virtual Router "
                                "has multiple listeners");
  }
  for (const auto& listener : listeners) {
    const json& mapping = listener["portMapping"];
    if (match.contains("port") && mapping["port"] != match["port"]) continue;
    if (mapping["protocol"] == kind.protocol) return Status::Ok();
    return BadRequest(fmt::format(
        "spec.{} does not match the protocol of {}'s listener on port "
        "{} ({}); a {} listener serves spec.{}Route",
        kind.member, parent_name, mapping["port"].dump(), mapping["protocol"].get<std::string>(),
        mapping["protocol"].get<std::string>(), mapping["protocol"].get<std::string>()));
  }
  if (match.contains("port")) {
    return BadRequest(fmt::format("spec.{}.match.port {} is not a listener port of {}", kind.member,
                                  match["port"].dump(), parent_name));
  }
  return BadRequest(
      fmt::format("{} has no {} listener for spec.{}; add a listener with protocol "
                  "{} first",
                  parent_name, kind.protocol, kind.member, kind.protocol));
}

// A regex the sidecars could not compile would fail every proxy of the mesh later: refused
// here, with the reason (RE2 syntax, as the sidecars and Envoy read it: no backreferences or
// lookaround).
Status CheckRegex(const json& holder, const std::string& path) {
  if (!holder.contains("regex") || !holder["regex"].is_string()) return Status::Ok();
  const std::string pattern = holder["regex"].get<std::string>();
  const RE2 compiled(pattern, RE2::Quiet);
  if (!compiled.ok()) {
    return BadRequest(
        fmt::format("{}.regex '{}' does not compile: {}; fix the expression (RE2 "
                    "syntax: no backreferences or lookaround)",
                    path, pattern, compiled.error()));
  }
  return Status::Ok();
}

// A header (or gRPC metadata) `range` matches [start, end): start >= end would match nothing.
// A `regex` must compile.
Status CheckRanges(const json& match, const char* list, const std::string& path) {
  for (size_t i = 0; match.contains(list) && i < match[list].size(); ++i) {
    const json& item = match[list][i];
    if (item.contains("match")) {
      CM_RETURN_IF_ERROR(CheckRegex(item["match"], fmt::format("{}.{}[{}].match", path, list, i)));
    }
    if (item.contains("match") && item["match"].contains("range") &&
        item["match"]["range"]["start"] >= item["match"]["range"]["end"]) {
      return BadRequest(
          fmt::format("{}.{}[{}].match.range: start must be below end", path, list, i));
    }
  }
  return Status::Ok();
}

Status CheckHttpMatch(const json& match, const std::string& path) {
  if (match.contains("prefix") && match.contains("path")) {
    return BadRequest(path + " sets both prefix and path; set one of them");
  }
  if (match.contains("prefix") && match["prefix"].get<std::string>().rfind('/', 0) != 0) {
    return BadRequest(
        fmt::format("{}.prefix is {}; it must start with /", path, match["prefix"].dump()));
  }
  if (match.contains("path") && match["path"].size() != 1) {
    return BadRequest(path + ".path must set exactly one of exact, regex");
  }
  if (match.contains("path")) CM_RETURN_IF_ERROR(CheckRegex(match["path"], path + ".path"));
  return CheckRanges(match, "headers", path);
}

Status CheckMatch(const RouteKind& kind, const json& route, const std::string& path) {
  if (!route.contains("match")) return Status::Ok();
  const json& match = route["match"];
  if (kind.member == "grpcRoute") {
    if (match.contains("methodName") && !match.contains("serviceName")) {
      return BadRequest(path + ".match.methodName needs serviceName as well");
    }
    return CheckRanges(match, "metadata", path + ".match");
  }
  if (kind.member == "tcpRoute") return Status::Ok();
  return CheckHttpMatch(match, path + ".match");
}

// A target needs a port once its virtual node has several listeners, and the port must be one
// of them.
Status CheckTargetPort(const json& target, const Resource& node, const std::string& path) {
  const json& listeners = ListenersOf(node);
  if (!target.contains("port")) {
    if (listeners.size() <= 1) return Status::Ok();
    return BadRequest(fmt::format("{} must define a port: virtual node {} has multiple listeners",
                                  path, node.id.name));
  }
  for (const auto& listener : listeners) {
    if (listener["portMapping"]["port"] == target["port"]) return Status::Ok();
  }
  return BadRequest(fmt::format("{}.port {} is not a listener port of virtual node {}", path,
                                target["port"].dump(), node.id.name));
}

Status CheckWeightedTargets(const MeshView& mesh, const json& route, const std::string& path) {
  const json& targets = route["action"]["weightedTargets"];
  std::set<std::string> seen;
  for (size_t i = 0; i < targets.size(); ++i) {
    std::string target_path = fmt::format("{}.action.weightedTargets[{}]", path, i);
    std::string node_name = targets[i]["virtualNode"];
    std::string key = node_name + ":" + targets[i].value("port", json()).dump();
    if (!seen.insert(key).second) {
      return BadRequest(fmt::format("{} names virtual node {} again", target_path, node_name));
    }
    auto node = mesh.Require(Kind::kVirtualNode, "", node_name);
    if (!node.ok()) return node.status();
    CM_RETURN_IF_ERROR(CheckTargetPort(targets[i], *node, target_path));
  }
  return Status::Ok();
}

// Whether `route_spec` can live under `parent` (listeners and match only, no targets).
Status CheckFits(const json& route_spec, const Resource& parent, bool gateway) {
  auto kind = RouteKindOf(route_spec, gateway);
  if (!kind.ok()) return kind.status();
  const json& route = route_spec[kind->member];
  CM_RETURN_IF_ERROR(CheckMatch(*kind, route, "spec." + kind->member));
  return CheckServedBy(ListenersOf(parent), *kind, route, parent, gateway);
}

// The sentence the service answered when a router or gateway gained listeners its routes could
// not tell apart.
Status MissingPortMatches(const std::vector<std::string>& names, bool gateway) {
  auto shown_count = static_cast<std::ptrdiff_t>(std::min<size_t>(5, names.size()));
  std::vector<std::string> shown(names.begin(), names.begin() + shown_count);
  return BadRequest(fmt::format(
      "All {} for this {} must define a port match before adding multiple listeners to this "
      "{}. {} {}(s) are missing port. Listing up to 5 {} names: [{}]",
      gateway ? "Gateway Routes" : "Routes", gateway ? "Virtual Gateway" : "Virtual Router",
      gateway ? "Virtual Gateway" : "Virtual Router", names.size(),
      gateway ? "Gateway Route" : "Route", gateway ? "gateway route" : "route",
      fmt::join(shown, ", ")));
}

// Every route of a router (or gateway) must still fit its new listeners.
Status CheckChildrenFit(const MeshView& mesh, const ResourceId& parent_id, const json& spec,
                        bool gateway) {
  Kind child_kind = gateway ? Kind::kGatewayRoute : Kind::kRoute;
  auto children = mesh.All(child_kind, parent_id.name);
  if (!children.ok()) return children.status();
  Resource parent;
  parent.id = parent_id;
  parent.spec = spec;

  std::vector<std::string> missing_port;
  for (const auto& child : *children) {
    auto kind = RouteKindOf(child.spec, gateway);
    if (kind.ok() && ListenersOf(parent).size() > 1 &&
        !child.spec[kind->member].value("match", json::object()).contains("port")) {
      missing_port.push_back(child.id.name);
    }
  }
  if (!missing_port.empty()) return MissingPortMatches(missing_port, gateway);
  for (const auto& child : *children) {
    Status fits = CheckFits(child.spec, parent, gateway);
    if (!fits.ok()) {
      return BadRequest(fmt::format("{} {} would no longer fit {} {}: {}", KindTypeName(child_kind),
                                    child.id.name, KindTypeName(parent_id.kind), parent_id.name,
                                    fits.message()));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<RouteKind> RouteKindOf(const json& spec, bool gateway) {
  static const std::vector<RouteKind> kKinds = {
      {"grpcRoute", "grpc"}, {"http2Route", "http2"}, {"httpRoute", "http"}, {"tcpRoute", "tcp"}};
  std::vector<RouteKind> set;
  std::vector<std::string_view> names;
  for (const auto& kind : kKinds) {
    if (gateway && kind.member == "tcpRoute") continue;
    names.push_back(kind.member);
    if (spec.contains(kind.member)) set.push_back(kind);
  }
  if (set.size() == 1) return set.front();
  std::vector<std::string_view> set_names;
  set_names.reserve(set.size());
  for (const auto& kind : set) set_names.push_back(kind.member);
  return BadRequest(
      fmt::format("spec must set exactly one of {}; it sets {}", fmt::join(names, ", "),
                  set.empty() ? "none" : fmt::format("{}", fmt::join(set_names, " and "))));
}

Status CheckRouteSpec(const MeshView& mesh, const ResourceId& self, const json& spec) {
  auto router = mesh.Require(Kind::kVirtualRouter, "", self.parent);
  if (!router.ok()) return router.status();
  CM_RETURN_IF_ERROR(CheckFits(spec, *router, false));
  std::string member = RouteKindOf(spec, false)->member;
  return CheckWeightedTargets(mesh, spec[member], "spec." + member);
}

Status CheckGatewayRouteSpec(const MeshView& mesh, const ResourceId& self, const json& spec) {
  auto gateway = mesh.Require(Kind::kVirtualGateway, "", self.parent);
  if (!gateway.ok()) return gateway.status();
  CM_RETURN_IF_ERROR(CheckFits(spec, *gateway, true));
  std::string member = RouteKindOf(spec, true)->member;
  const json& target = spec[member]["action"]["target"];
  auto service = mesh.Require(Kind::kVirtualService, "",
                              target["virtualService"]["virtualServiceName"].get<std::string>());
  return service.status();
}

Status CheckVirtualRouterSpec(const MeshView& mesh, const ResourceId& self, const json& spec) {
  const json listeners = spec.value("listeners", json::array());
  CM_RETURN_IF_ERROR(CheckUniquePorts(listeners, "spec.listeners"));
  return CheckChildrenFit(mesh, self, spec, false);
}

Status CheckGatewayRoutesFit(const MeshView& mesh, const ResourceId& gateway, const json& spec) {
  return CheckChildrenFit(mesh, gateway, spec, true);
}

}  // namespace crossmesh::appmesh
