#include "harness/control/gateway_renderer.h"

#include <fmt/format.h>

#include <algorithm>

#include "harness/control/spec_json.h"

namespace crossmesh::control {
namespace {

using nlohmann::json;

struct GatewayRouteKind {
  const char* member;
  const char* protocol;  // the listener protocol that serves it
  bool grpc;
};
constexpr GatewayRouteKind kGatewayRouteKinds[] = {
    {"httpRoute", "http", false}, {"http2Route", "http2", false}, {"grpcRoute", "grpc", true}};

// `a` and `b` must both hold, when one field can carry that.
bool Combine(std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!b) return true;
  if (!a) a = b;
  return *a == *b;
}

// One RouteMatch that holds exactly when both hold; nullopt when no request satisfies both or
// the pair does not fit one RouteMatch.
std::optional<proxy::RouteMatch> BothOf(const proxy::RouteMatch& gateway,
                                        const proxy::RouteMatch& service) {
  proxy::RouteMatch out = gateway;
  if (gateway.prefix && service.prefix) {
    const std::string& g = *gateway.prefix;
    const std::string& s = *service.prefix;
    if (!g.starts_with(s) && !s.starts_with(g)) return std::nullopt;
    out.prefix = g.size() >= s.size() ? g : s;
  } else if (service.prefix) {
    out.prefix = service.prefix;
  }
  if (!Combine(out.path_exact, service.path_exact) ||
      !Combine(out.path_regex, service.path_regex) || !Combine(out.method, service.method)) {
    return std::nullopt;
  }
  out.headers.insert(out.headers.end(), service.headers.begin(), service.headers.end());
  return out;
}

// The routes one gateway route contributes to the listener (port, protocol), in the order
// the target service's own routes take (by priority).
std::vector<proxy::Route> RenderGatewayRoute(const MeshView& mesh, const appmesh::Resource& gateway,
                                             const appmesh::Resource& route, uint16_t port,
                                             const std::string& protocol, RenderedNode& out) {
  const json* defaults = Member(gateway.spec, "backendDefaults");
  const json* policy = defaults ? Member(*defaults, "clientPolicy") : nullptr;
  std::vector<proxy::Route> routes;
  for (const GatewayRouteKind& kind : kGatewayRouteKinds) {
    const json* body = Member(route.spec, kind.member);
    if (!body || protocol != kind.protocol) continue;
    const json* match = Member(*body, "match");
    if (match && match->value("port", port) != port) break;

    const json* action = Member(*body, "action");
    const json* target = action ? Member(*action, "target") : nullptr;
    const json* service = target ? Member(*target, "virtualService") : nullptr;
    if (!service) break;
    uint16_t target_port = target->value("port", uint16_t{0});
    auto rendered = RenderVirtualService(mesh, gateway, StringAt(*service, "virtualServiceName"),
                                         policy, out, target_port);
    if (!rendered) break;  // not in the mesh (yet): nothing routes there

    proxy::RouteMatch gateway_match = match ? RouteMatchOf(*match, kind.grpc) : proxy::RouteMatch{};
    std::stable_sort(
        rendered->routes.begin(), rendered->routes.end(),
        [](const proxy::Route& a, const proxy::Route& b) { return a.priority < b.priority; });
    for (proxy::Route& inner : rendered->routes) {
      std::optional<proxy::RouteMatch> both = BothOf(gateway_match, inner.match);
      if (!both || inner.targets.empty()) continue;
      inner.name = fmt::format("{}/{}", route.id.name, inner.name);
      inner.priority = route.spec.value("priority", 1000);
      inner.match = std::move(*both);
      routes.push_back(std::move(inner));
    }
    break;
  }
  return routes;
}

void RenderRouting(const MeshView& mesh, const appmesh::Resource& gateway,
                   const RenderOptions& options, RenderedNode& out) {
  for (size_t i = 0; i < out.listeners.size() && i < options.apps.size(); ++i) {
    const RenderedListener& listener = out.listeners[i];
    std::string name = fmt::format("gateway_{}", listener.mesh_port);
    proxy::VirtualService table;
    table.name = name;
    for (const appmesh::Resource* route : mesh.GatewayRoutesOf(gateway.id.name)) {
      for (proxy::Route& rendered :
           RenderGatewayRoute(mesh, gateway, *route, listener.mesh_port, listener.protocol, out)) {
        table.routes.push_back(std::move(rendered));
      }
    }
    out.config.outbounds.push_back({.name = name,
                                    .address = options.apps[i].host,
                                    .port = options.apps[i].port,
                                    .kind = proxy::OutboundKind::kBackend,
                                    .virtual_service = name,
                                    .http_stat_prefix = name});
    out.config.virtual_services.push_back(std::move(table));
  }
}

}  // namespace

Result<RenderedNode> RenderGateway(const MeshView& mesh, std::string_view gateway_name,
                                   const RenderOptions& options) {
  const appmesh::Resource* gateway = mesh.Gateway(gateway_name);
  if (!gateway) {
    return Error("NotFoundException",
                 fmt::format("virtual gateway {} is not in mesh {} (owner {})", gateway_name,
                             mesh.name(), mesh.contents().mesh.id.mesh_owner));
  }

  RenderedNode out;
  out.owner = gateway->resource_owner;
  out.config.name = gateway->id.name;
  out.config.mesh = mesh.name();
  out.config.admin.address = options.node_address;
  CM_RETURN_IF_ERROR(RenderListeners(*gateway, mesh.name(), options, out));
  RenderRouting(mesh, *gateway, options, out);
  return out;
}

}  // namespace crossmesh::control
