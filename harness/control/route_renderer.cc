// Virtual service -> virtual router -> routes -> weighted virtual nodes, as the client's sidecar
// resolves a backend (or a service its node provides directly).
#include <fmt/format.h>

#include "harness/control/node_renderer.h"
#include "harness/control/spec_json.h"

namespace crossmesh::control {
namespace {

using nlohmann::json;

// The first listener of a node: the port a target without an explicit port is reached on.
std::pair<uint16_t, std::string> FirstListener(const appmesh::Resource& node) {
  const json* listeners = Member(node.spec, "listeners");
  if (!listeners || !listeners->is_array() || listeners->empty()) return {0, "http"};
  const json* mapping = Member((*listeners)[0], "portMapping");
  if (!mapping) return {0, "http"};
  return {mapping->value("port", uint16_t{0}), StringAt(*mapping, "protocol")};
}

proxy::HeaderMatch HeaderOf(const json& header) {
  proxy::HeaderMatch out;
  out.name = StringAt(header, "name");
  out.invert = header.value("invert", false);
  if (const json* match = Member(header, "match")) {
    if (const json* v = Member(*match, "exact")) out.exact = v->get<std::string>();
    if (const json* v = Member(*match, "prefix")) out.prefix = v->get<std::string>();
    if (const json* v = Member(*match, "suffix")) out.suffix = v->get<std::string>();
    if (const json* v = Member(*match, "regex")) out.regex = v->get<std::string>();
    if (const json* v = Member(*match, "range")) {
      out.range = proxy::IntRange{v->value("start", int64_t{0}), v->value("end", int64_t{0})};
    }
  }
  return out;
}

proxy::RouteMatch HttpMatchOf(const json& match) {
  proxy::RouteMatch out;
  if (const json* prefix = Member(match, "prefix")) out.prefix = prefix->get<std::string>();
  if (const json* path = Member(match, "path")) {
    if (const json* exact = Member(*path, "exact")) out.path_exact = exact->get<std::string>();
    if (const json* regex = Member(*path, "regex")) out.path_regex = regex->get<std::string>();
  }
  if (const json* method = Member(match, "method")) out.method = method->get<std::string>();
  if (const json* headers = Member(match, "headers"); headers && headers->is_array()) {
    for (const json& header : *headers) out.headers.push_back(HeaderOf(header));
  }
  if (const json* query = Member(match, "queryParameters"); query && query->is_array()) {
    for (const json& parameter : *query) {
      proxy::QueryParameterMatch parameter_match{.name = StringAt(parameter, "name"), .exact = {}};
      const json* exact = Member(parameter, "match");
      if (exact && Member(*exact, "exact")) parameter_match.exact = StringAt(*exact, "exact");
      out.query_parameters.push_back(std::move(parameter_match));
    }
  }
  return out;
}

// gRPC is HTTP/2 POST /<service>/<method>; metadata are headers.
proxy::RouteMatch GrpcMatchOf(const json& match) {
  proxy::RouteMatch out;
  std::string service = StringAt(match, "serviceName");
  std::string method = StringAt(match, "methodName");
  if (!service.empty() && !method.empty()) {
    out.path_exact = fmt::format("/{}/{}", service, method);
  } else if (!service.empty()) {
    out.prefix = fmt::format("/{}/", service);
  }
  if (const json* metadata = Member(match, "metadata"); metadata && metadata->is_array()) {
    for (const json& header : *metadata) out.headers.push_back(HeaderOf(header));
  }
  return out;
}

std::optional<proxy::RetryPolicy> RetryOf(const json* retry) {
  if (!retry) return std::nullopt;
  proxy::RetryPolicy out;
  out.max_retries = retry->value("maxRetries", 0u);
  if (auto per_try = DurationOf(Member(*retry, "perRetryTimeout"))) {
    out.per_retry_timeout = *per_try;
  }
  if (const json* events = Member(*retry, "httpRetryEvents"); events && events->is_array()) {
    for (const json& event : *events) {
      if (auto parsed = proxy::ParseHttpRetryEvent(event.get<std::string>())) {
        out.http_events.push_back(*parsed);
      }
    }
  }
  if (const json* events = Member(*retry, "grpcRetryEvents"); events && events->is_array()) {
    for (const json& event : *events) {
      if (!event.is_string()) continue;
      if (auto status = proxy::ParseGrpcRetryEvent(event.get<std::string>())) {
        out.grpc_statuses.push_back(*status);
      }
    }
  }
  if (const json* events = Member(*retry, "tcpRetryEvents"); events && events->is_array()) {
    for (const json& event : *events) {
      out.tcp_connection_error = out.tcp_connection_error || event == "connection-error";
    }
  }
  return out;
}

struct RouteKind {
  const char* member;
  bool grpc;
};
constexpr RouteKind kRouteKinds[] = {
    {"httpRoute", false}, {"http2Route", false}, {"grpcRoute", true}, {"tcpRoute", false}};

proxy::Route RenderRoute(const MeshView& mesh, const appmesh::Resource& client,
                         const appmesh::Resource& route, uint16_t router_port,
                         const json* client_policy, RenderedNode& node) {
  proxy::Route out;
  out.name = route.id.name;
  out.priority = route.spec.value("priority", 1000);
  for (const RouteKind& kind : kRouteKinds) {
    const json* body = Member(route.spec, kind.member);
    if (!body) continue;

    if (const json* match = Member(*body, "match")) {
      out.match = RouteMatchOf(*match, kind.grpc);
    }
    out.retry = RetryOf(Member(*body, "retryPolicy"));
    if (const json* timeout = Member(*body, "timeout")) {
      if (auto per_request = DurationOf(Member(*timeout, "perRequest"))) {
        out.timeout = *per_request;
      }
      if (auto idle = DurationOf(Member(*timeout, "idle"))) out.idle_timeout = *idle;
    }
    const json* action = Member(*body, "action");
    const json* targets = action ? Member(*action, "weightedTargets") : nullptr;
    if (!targets || !targets->is_array()) break;
    for (const json& target : *targets) {
      const appmesh::Resource* target_node = mesh.Node(StringAt(target, "virtualNode"));
      if (!target_node) continue;  // a target not (yet) in the mesh gets no traffic
      auto [port, protocol] = FirstListener(*target_node);
      if (target.contains("port")) port = target["port"].get<uint16_t>();
      if (port == 0) port = router_port;
      std::string cluster =
          AddCluster(mesh, client, *target_node, port, protocol, client_policy, node);
      out.targets.push_back({.cluster = cluster, .weight = target.value("weight", 1u)});
    }
    break;
  }
  return out;
}

// The protocol of `node`'s listener on `port`; "http" when it has none there.
std::string ProtocolAt(const appmesh::Resource& node, uint16_t port) {
  const json* listeners = Member(node.spec, "listeners");
  if (!listeners || !listeners->is_array()) return "http";
  for (const json& listener : *listeners) {
    const json* mapping = Member(listener, "portMapping");
    if (mapping && mapping->value("port", uint16_t{0}) == port) {
      return StringAt(*mapping, "protocol");
    }
  }
  return "http";
}

}  // namespace

proxy::RouteMatch RouteMatchOf(const json& match, bool grpc) {
  proxy::RouteMatch out = grpc ? GrpcMatchOf(match) : HttpMatchOf(match);
  // Gateway routes may match the Host (GatewayRouteHostnameMatch). The header is compared as
  // sent, so a Host carrying ":port" fails an exact match (COVERAGE.md).
  if (const json* hostname = Member(match, "hostname")) {
    proxy::HeaderMatch host;
    host.name = "host";
    if (const json* v = Member(*hostname, "exact")) host.exact = v->get<std::string>();
    if (const json* v = Member(*hostname, "suffix")) host.suffix = v->get<std::string>();
    out.headers.push_back(std::move(host));
  }
  return out;
}

std::optional<proxy::VirtualService> RenderVirtualService(
    const MeshView& mesh, const appmesh::Resource& client, std::string_view service_name,
    const json* client_policy, RenderedNode& node, uint16_t target_port) {
  const appmesh::Resource* service = mesh.Service(service_name);
  if (!service) return std::nullopt;

  proxy::VirtualService out;
  out.name = std::string(service_name);
  const json* provider = Member(service->spec, "provider");
  if (!provider) return out;  // no provider: nothing to route to

  if (const json* by_node = Member(*provider, "virtualNode")) {
    const appmesh::Resource* target = mesh.Node(StringAt(*by_node, "virtualNodeName"));
    if (!target) return out;
    auto [port, protocol] = FirstListener(*target);
    if (target_port != 0) {
      port = target_port;
      protocol = ProtocolAt(*target, port);
    }
    out.protocol = proxy::ParseProtocol(protocol).value_or(proxy::Protocol::kHttp);
    proxy::Route direct;
    direct.name = "direct";
    direct.match.prefix = "/";
    direct.targets.push_back(
        {.cluster = AddCluster(mesh, client, *target, port, protocol, client_policy, node),
         .weight = 1});
    out.routes.push_back(std::move(direct));
    return out;
  }

  const json* by_router = Member(*provider, "virtualRouter");
  const appmesh::Resource* router =
      by_router ? mesh.Router(StringAt(*by_router, "virtualRouterName")) : nullptr;
  if (!router) return out;
  auto [router_port, router_protocol] = FirstListener(*router);
  out.protocol = proxy::ParseProtocol(router_protocol).value_or(proxy::Protocol::kHttp);
  for (const appmesh::Resource* route : mesh.RoutesOf(router->id.name)) {
    out.routes.push_back(RenderRoute(mesh, client, *route, router_port, client_policy, node));
  }
  return out;
}

}  // namespace crossmesh::control
