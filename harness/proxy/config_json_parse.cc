// ConfigFromJson: the reading half of config_json.h.
#include <cstdint>

#include "harness/proxy/config_json.h"
#include "harness/proxy/json_reader.h"

namespace crossmesh::proxy {
namespace {

constexpr const char* kModes = "STRICT, PERMISSIVE, DISABLED";
constexpr const char* kProtocols = "http, http2, grpc, tcp";
constexpr const char* kVersions = "TLSv1.2, TLSv1.3";

void Port(JsonReader& in, const char* key, uint16_t& out) {
  uint64_t value = out;
  in.Uint(key, 65535, value);
  out = static_cast<uint16_t>(value);
}

void ReadEndpoint(JsonReader& in, Endpoint& endpoint) {
  in.String("host", endpoint.host);
  Port(in, "port", endpoint.port);
}

void ReadPeerValidation(JsonReader& in, PeerValidation& validation) {
  in.String("trust_secret", validation.trust_secret);
  in.Strings("san_exact", validation.san_exact);
  in.String("discovery_name", validation.discovery_name);
}

void ReadListenerTls(JsonReader& in, ListenerTls& tls) {
  in.Enum<TlsMode>("mode", tls.mode, ParseTlsMode, kModes);
  in.String("certificate_secret", tls.certificate_secret);
  in.Object<ListenerValidation>(
      "validation", tls.validation, [](JsonReader& v, ListenerValidation& out) {
        v.String("trust_secret", out.trust_secret);
        v.Strings("san_exact", out.san_exact);
        v.Bool("require_client_certificate", out.require_client_certificate);
      });
}

void ReadListener(JsonReader& in, Listener& listener) {
  in.String("name", listener.name);
  in.String("address", listener.address);
  Port(in, "port", listener.port);
  in.Enum<Protocol>("protocol", listener.protocol, ParseProtocol, kProtocols);
  in.Object<ListenerTls>("tls", listener.tls, ReadListenerTls);
  std::optional<Endpoint> app;
  in.Object<Endpoint>("app", app, ReadEndpoint);
  if (app) listener.app = *app;
  in.String("app_cluster", listener.app_cluster);
  in.String("virtual_service", listener.virtual_service);
  in.String("http_stat_prefix", listener.http_stat_prefix);
  uint64_t max_connections = listener.max_connections;
  in.Uint("max_connections", 1'000'000, max_connections);
  listener.max_connections = max_connections;
  in.Millis("request_timeout_ms", listener.request_timeout);
  in.Millis("idle_timeout_ms", listener.idle_timeout);
  std::optional<AppConnectionPool> pool;
  in.Object<AppConnectionPool>("connection_pool", pool, [](JsonReader& r, AppConnectionPool& out) {
    uint64_t max_connections = 0;
    uint64_t max_pending = out.max_pending_requests;
    uint64_t max_requests = 0;
    r.Uint("max_connections", kMaxPoolLimit, max_connections);
    r.Uint("max_pending_requests", kMaxPoolLimit, max_pending);
    r.Uint("max_requests", kMaxPoolLimit, max_requests);
    out = {max_connections, max_pending, max_requests};
  });
  if (pool) listener.connection_pool = *pool;
}

void ReadHeaderMatch(JsonReader& in, HeaderMatch& header) {
  in.String("name", header.name);
  in.OptionalString("exact", header.exact);
  in.OptionalString("prefix", header.prefix);
  in.OptionalString("suffix", header.suffix);
  in.OptionalString("regex", header.regex);
  in.Bool("invert", header.invert);
  in.Object<IntRange>("range", header.range, [](JsonReader& r, IntRange& out) {
    r.Int("start", INT64_MIN, INT64_MAX, out.start);
    r.Int("end", INT64_MIN, INT64_MAX, out.end);
  });
}

void ReadRetry(JsonReader& in, RetryPolicy& retry) {
  uint64_t max_retries = retry.max_retries;
  in.Uint("max_retries", 100, max_retries);
  retry.max_retries = static_cast<uint32_t>(max_retries);
  in.Millis("per_retry_timeout_ms", retry.per_retry_timeout);
  std::vector<std::string> events;
  in.Strings("http_retry_events", events);
  for (const std::string& name : events) {
    std::optional<HttpRetryEvent> event = ParseHttpRetryEvent(name);
    if (!event) {
      constexpr const char* kHttpEvents = "server-error, gateway-error, client-error, stream-error";
      in.Fail(in.path() + ".http_retry_events: '" + name + "' is not one of " + kHttpEvents +
              DidYouMeanChoice(name, kHttpEvents));
      return;
    }
    retry.http_events.push_back(*event);
  }
  in.Bool("tcp_connection_error", retry.tcp_connection_error);
  std::vector<std::string> grpc_events;
  in.Strings("grpc_retry_events", grpc_events);
  for (const std::string& name : grpc_events) {
    std::optional<unsigned> status = ParseGrpcRetryEvent(name);
    if (!status) {
      constexpr const char* kGrpcEvents =
          "cancelled, deadline-exceeded, internal, resource-exhausted, unavailable";
      in.Fail(in.path() + ".grpc_retry_events: '" + name + "' is not one of " + kGrpcEvents +
              DidYouMeanChoice(name, kGrpcEvents));
      return;
    }
    retry.grpc_statuses.push_back(*status);
  }
}

void ReadRouteMatch(JsonReader& in, RouteMatch& match) {
  in.OptionalString("prefix", match.prefix);
  in.OptionalString("path_exact", match.path_exact);
  in.OptionalString("path_regex", match.path_regex);
  in.OptionalString("method", match.method);
  in.Array<HeaderMatch>("headers", match.headers, ReadHeaderMatch);
  in.Array<QueryParameterMatch>("query_parameters", match.query_parameters,
                                [](JsonReader& q, QueryParameterMatch& out) {
                                  q.String("name", out.name);
                                  q.OptionalString("exact", out.exact);
                                });
}

void ReadRoute(JsonReader& in, Route& route) {
  in.String("name", route.name);
  int64_t priority = route.priority;
  in.Int("priority", 0, 1000, priority);
  route.priority = static_cast<int>(priority);
  std::optional<RouteMatch> match;
  in.Object<RouteMatch>("match", match, ReadRouteMatch);
  if (match) route.match = *match;
  in.Object<RouteRewrite>("rewrite", route.rewrite, [](JsonReader& r, RouteRewrite& out) {
    r.OptionalString("prefix", out.prefix);
    r.OptionalString("path", out.path);
    r.OptionalString("host", out.host);
  });
  in.Object<RouteMatch>("rewritten_match", route.rewritten_match, ReadRouteMatch);
  in.Array<WeightedTarget>("targets", route.targets, [](JsonReader& t, WeightedTarget& out) {
    t.String("cluster", out.cluster);
    uint64_t weight = out.weight;
    t.Uint("weight", 100, weight);
    out.weight = static_cast<uint32_t>(weight);
  });
  in.Object<RetryPolicy>("retry", route.retry, ReadRetry);
  in.Millis("timeout_ms", route.timeout);
  in.Millis("idle_timeout_ms", route.idle_timeout);
}

void ReadService(JsonReader& in, VirtualService& service) {
  in.String("name", service.name);
  in.Enum<Protocol>("protocol", service.protocol, ParseProtocol, kProtocols);
  in.Array<Route>("routes", service.routes, ReadRoute);
}

void ReadOutbound(JsonReader& in, Outbound& outbound) {
  in.String("name", outbound.name);
  in.String("address", outbound.address);
  Port(in, "port", outbound.port);
  auto parse_kind = [](std::string_view text) -> std::optional<OutboundKind> {
    if (text == "backend") return OutboundKind::kBackend;
    if (text == "http_proxy") return OutboundKind::kHttpProxy;
    return std::nullopt;
  };
  in.Enum<OutboundKind>("kind", outbound.kind, parse_kind, "backend, http_proxy");
  in.String("virtual_service", outbound.virtual_service);
  in.String("http_stat_prefix", outbound.http_stat_prefix);
}

void ReadClientPolicy(JsonReader& in, ClientTlsPolicy& policy) {
  in.Bool("enforce", policy.enforce);
  std::vector<uint64_t> ports;
  in.Uints("ports", 65535, ports);
  policy.ports.assign(ports.begin(), ports.end());
  in.Object<PeerValidation>("validation", policy.validation, ReadPeerValidation);
  in.String("client_certificate_secret", policy.client_certificate_secret);
}

void ReadCluster(JsonReader& in, Cluster& cluster) {
  in.String("name", cluster.name);
  in.Array<Endpoint>("endpoints", cluster.endpoints, ReadEndpoint);
  in.String("source_address", cluster.source_address);
  Port(in, "mesh_port", cluster.mesh_port);
  in.Enum<Protocol>("protocol", cluster.protocol, ParseProtocol, kProtocols);
  in.Object<ClientTlsPolicy>("tls_policy", cluster.tls_policy, ReadClientPolicy);
  std::optional<TargetTls> target;
  in.Object<TargetTls>("target_tls", target, [](JsonReader& t, TargetTls& out) {
    t.Enum<TlsMode>("mode", out.mode, ParseTlsMode, kModes);
    t.Object<PeerValidation>("auto_validation", out.auto_validation, ReadPeerValidation);
  });
  if (target) cluster.target_tls = *target;
  in.Millis("connect_timeout_ms", cluster.connect_timeout);
}

void ReadSettings(JsonReader& in, TlsSettings& tls) {
  in.Enum<TlsVersion>("upstream_min", tls.upstream.min, ParseTlsVersion, kVersions);
  in.Enum<TlsVersion>("upstream_max", tls.upstream.max, ParseTlsVersion, kVersions);
  in.Enum<TlsVersion>("downstream_min", tls.downstream.min, ParseTlsVersion, kVersions);
  in.Enum<TlsVersion>("downstream_max", tls.downstream.max, ParseTlsVersion, kVersions);
  in.Bool("session_resumption", tls.session_resumption);
  in.Millis("handshake_timeout_ms", tls.handshake_timeout);
  in.Millis("permissive_peek_timeout_ms", tls.permissive_peek_timeout);
}

void ReadTop(JsonReader& in, ProxyConfig& config) {
  in.String("name", config.name);
  in.String("mesh", config.mesh);
  in.Array<Listener>("listeners", config.listeners, ReadListener);
  in.Array<Outbound>("outbounds", config.outbounds, ReadOutbound);
  in.Array<VirtualService>("virtual_services", config.virtual_services, ReadService);
  in.Array<Cluster>("clusters", config.clusters, ReadCluster);
  in.Array<FileSecret>("file_secrets", config.file_secrets, [](JsonReader& f, FileSecret& out) {
    f.String("secret_name", out.secret_name);
    f.String("certificate_chain_path", out.certificate_chain_path);
    f.String("private_key_path", out.private_key_path);
    f.String("trusted_ca_path", out.trusted_ca_path);
  });
}

void ReadOptions(JsonReader& in, ProxyConfig& config) {
  std::optional<TlsSettings> tls;
  in.Object<TlsSettings>("tls", tls, ReadSettings);
  if (tls) config.tls = *tls;
  std::optional<HttpLimits> http;
  in.Object<HttpLimits>("http", http, [](JsonReader& h, HttpLimits& out) {
    uint64_t header = out.max_header_bytes, body = out.max_body_bytes;
    uint64_t count = out.max_headers_count;
    h.Uint("max_header_bytes", 1 << 20, header);
    h.Uint("max_headers_count", 10000, count);
    h.Uint("max_body_bytes", 1ULL << 30, body);
    out.max_header_bytes = header;
    out.max_headers_count = count;
    out.max_body_bytes = body;
    h.Millis("idle_timeout_ms", out.idle_timeout);
    h.Bool("accept_http_10", out.accept_http_10);
  });
  if (http) config.http = *http;
  auto parse_style = [](std::string_view text) -> std::optional<ErrorStyle> {
    if (text == "classic") return ErrorStyle::kClassic;
    if (text == "modern") return ErrorStyle::kModern;
    return std::nullopt;
  };
  in.Enum<ErrorStyle>("error_style", config.error_style, parse_style, "classic, modern");
  std::optional<AdminConfig> admin;
  in.Object<AdminConfig>("admin", admin, [](JsonReader& a, AdminConfig& out) {
    a.Bool("enabled", out.enabled);
    a.String("address", out.address);
    Port(a, "port", out.port);
  });
  if (admin) config.admin = *admin;
  uint64_t capacity = config.handshake_log_capacity;
  in.Uint("handshake_log_capacity", 1'000'000, capacity);
  config.handshake_log_capacity = capacity;
}

}  // namespace

Result<ProxyConfig> ConfigFromJson(const nlohmann::json& json, const std::string& path) {
  ProxyConfig config;
  JsonReader in(json, path);
  ReadTop(in, config);
  ReadOptions(in, config);
  Status status = in.Finish();
  if (!status.ok()) return status;
  return config;
}

}  // namespace crossmesh::proxy
