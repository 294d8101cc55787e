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

// App Mesh's rewrite (gateway-routes.md, virtual_gateways.md): the Host becomes the target
// virtual service's name and a matched prefix becomes "/", unless `rewrite` turns either off
// or gives a value; `path.exact` replaces the whole path. gRPC gateway routes rewrite the Host
// only.
proxy::RouteRewrite RewriteOf(const json* action, const json* match, const std::string& service,
                              bool grpc) {
  const json* rewrite = action ? Member(*action, "rewrite") : nullptr;
  const json* hostname = rewrite ? Member(*rewrite, "hostname") : nullptr;
  proxy::RouteRewrite out;
  if (!hostname || StringAt(*hostname, "defaultTargetHostname") != "DISABLED") out.host = service;
  if (grpc) return out;

  const json* path = rewrite ? Member(*rewrite, "path") : nullptr;
  if (path && Member(*path, "exact")) {
    out.path = StringAt(*path, "exact");
    return out;
  }
  if (!match || !Member(*match, "prefix")) return out;
  const json* prefix = rewrite ? Member(*rewrite, "prefix") : nullptr;
  if (prefix && Member(*prefix, "value")) {
    out.prefix = StringAt(*prefix, "value");
  } else if (!prefix || StringAt(*prefix, "defaultPrefix") != "DISABLED") {
    out.prefix = "/";
  }
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
    const std::string service_name = StringAt(*service, "virtualServiceName");
    auto rendered = RenderVirtualService(mesh, gateway, service_name, policy, out, target_port);
    if (!rendered) break;  // not in the mesh (yet): nothing routes there

    proxy::RouteMatch gateway_match = match ? RouteMatchOf(*match, kind.grpc) : proxy::RouteMatch{};
    proxy::RouteRewrite rewrite = RewriteOf(action, match, service_name, kind.grpc);
    std::stable_sort(
        rendered->routes.begin(), rendered->routes.end(),
        [](const proxy::Route& a, const proxy::Route& b) { return a.priority < b.priority; });
    for (proxy::Route& inner : rendered->routes) {
      if (inner.targets.empty()) continue;
      inner.name = fmt::format("{}/{}", route.id.name, inner.name);
      inner.priority = route.spec.value("priority", 1000);
      inner.rewritten_match = std::move(inner.match);  // the service sees the rewritten request
      inner.match = gateway_match;
      inner.rewrite = rewrite;
      routes.push_back(std::move(inner));
    }
    break;
  }
  return routes;
}

void RenderRouting(const MeshView& mesh, const appmesh::Resource& gateway, RenderedNode& out) {
  for (size_t i = 0; i < out.listeners.size(); ++i) {
    const RenderedListener& listener = out.listeners[i];
    proxy::VirtualService table;
    table.name = fmt::format("gateway_{}", listener.mesh_port);
    for (const appmesh::Resource* route : mesh.GatewayRoutesOf(gateway.id.name)) {
      for (proxy::Route& rendered :
           RenderGatewayRoute(mesh, gateway, *route, listener.mesh_port, listener.protocol, out)) {
        table.routes.push_back(std::move(rendered));
      }
    }
    proxy::Listener& routing = out.config.listeners[i];
    routing.virtual_service = table.name;
    routing.app = {};  // a gateway has no app: the listener routes
    routing.app_cluster.clear();
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

  Result<RenderedNode> out = RenderProxyBase(mesh, *gateway, options);
  if (!out.ok()) return out;
  RenderRouting(mesh, *gateway, *out);
  SetClusterSources(options, *out);
  return out;
}

}  // namespace crossmesh::control
