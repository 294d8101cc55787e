#include "harness/proxy/config_json.h"

#include "harness/proxy/json_reader.h"

namespace crossmesh::proxy {
namespace {

using nlohmann::json;

// --- to JSON -------------------------------------------------------------------------------

json EndpointJson(const Endpoint& endpoint) {
  return {{"host", endpoint.host}, {"port", endpoint.port}};
}

json ValidationJson(const PeerValidation& validation) {
  return {{"trust_secret", validation.trust_secret},
          {"san_exact", validation.san_exact},
          {"discovery_name", validation.discovery_name}};
}

json ListenerJson(const Listener& listener) {
  json out = {{"name", listener.name},
              {"address", listener.address},
              {"port", listener.port},
              {"protocol", ProtocolName(listener.protocol)},
              {"http_stat_prefix", listener.http_stat_prefix},
              {"max_connections", listener.max_connections},
              {"request_timeout_ms", listener.request_timeout.count()},
              {"idle_timeout_ms", listener.idle_timeout.count()},
              {"connection_pool",
               {{"max_connections", listener.connection_pool.max_connections},
                {"max_pending_requests", listener.connection_pool.max_pending_requests},
                {"max_requests", listener.connection_pool.max_requests}}}};
  if (listener.virtual_service.empty()) {
    out["app"] = EndpointJson(listener.app);
    out["app_cluster"] = listener.app_cluster;
  } else {
    out["virtual_service"] = listener.virtual_service;  // a routing listener has no app
  }
  if (listener.tls) {
    json tls = {{"mode", TlsModeName(listener.tls->mode)},
                {"certificate_secret", listener.tls->certificate_secret}};
    if (const auto& v = listener.tls->validation) {
      tls["validation"] = {{"trust_secret", v->trust_secret},
                           {"san_exact", v->san_exact},
                           {"require_client_certificate", v->require_client_certificate}};
    }
    out["tls"] = std::move(tls);
  }
  return out;
}

json MatchJson(const RouteMatch& match) {
  json out = json::object();
  if (match.prefix) out["prefix"] = *match.prefix;
  if (match.path_exact) out["path_exact"] = *match.path_exact;
  if (match.path_regex) out["path_regex"] = *match.path_regex;
  if (match.method) out["method"] = *match.method;
  for (const HeaderMatch& header : match.headers) {
    json h = {{"name", header.name}, {"invert", header.invert}};
    if (header.exact) h["exact"] = *header.exact;
    if (header.prefix) h["prefix"] = *header.prefix;
    if (header.suffix) h["suffix"] = *header.suffix;
    if (header.regex) h["regex"] = *header.regex;
    if (header.range) h["range"] = {{"start", header.range->start}, {"end", header.range->end}};
    out["headers"].push_back(std::move(h));
  }
  for (const QueryParameterMatch& query : match.query_parameters) {
    json q = {{"name", query.name}};
    if (query.exact) q["exact"] = *query.exact;
    out["query_parameters"].push_back(std::move(q));
  }
  return out;
}

json RouteJson(const Route& route) {
  json out = {{"name", route.name},
              {"priority", route.priority},
              {"match", MatchJson(route.match)},
              {"timeout_ms", route.timeout.count()},
              {"idle_timeout_ms", route.idle_timeout.count()},
              {"targets", json::array()}};
  for (const WeightedTarget& target : route.targets) {
    out["targets"].push_back({{"cluster", target.cluster}, {"weight", target.weight}});
  }
  if (const auto& rewrite = route.rewrite) {
    json r = json::object();
    if (rewrite->prefix) r["prefix"] = *rewrite->prefix;
    if (rewrite->path) r["path"] = *rewrite->path;
    if (rewrite->host) r["host"] = *rewrite->host;
    out["rewrite"] = std::move(r);
  }
  if (route.rewritten_match) out["rewritten_match"] = MatchJson(*route.rewritten_match);
  if (route.retry) {
    json events = json::array();
    for (HttpRetryEvent event : route.retry->http_events) {
      events.push_back(HttpRetryEventName(event));
    }
    json grpc = json::array();
    for (unsigned status : route.retry->grpc_statuses) grpc.push_back(GrpcRetryEventName(status));
    out["retry"] = {{"max_retries", route.retry->max_retries},
                    {"per_retry_timeout_ms", route.retry->per_retry_timeout.count()},
                    {"http_retry_events", std::move(events)},
                    {"tcp_connection_error", route.retry->tcp_connection_error},
                    {"grpc_retry_events", std::move(grpc)}};
  }
  return out;
}

json ClusterJson(const Cluster& cluster) {
  json out = {{"name", cluster.name},
              {"endpoints", json::array()},
              {"mesh_port", cluster.mesh_port},
              {"protocol", ProtocolName(cluster.protocol)},
              {"connect_timeout_ms", cluster.connect_timeout.count()}};
  for (const Endpoint& endpoint : cluster.endpoints) {
    out["endpoints"].push_back(EndpointJson(endpoint));
  }
  if (!cluster.source_address.empty()) out["source_address"] = cluster.source_address;
  if (const auto& policy = cluster.tls_policy) {
    json p = {{"enforce", policy->enforce},
              {"ports", policy->ports},
              {"client_certificate_secret", policy->client_certificate_secret}};
    if (policy->validation) p["validation"] = ValidationJson(*policy->validation);
    out["tls_policy"] = std::move(p);
  }
  json target = {{"mode", TlsModeName(cluster.target_tls.mode)}};
  if (cluster.target_tls.auto_validation) {
    target["auto_validation"] = ValidationJson(*cluster.target_tls.auto_validation);
  }
  out["target_tls"] = std::move(target);
  return out;
}

json SettingsJson(const ProxyConfig& config) {
  const TlsSettings& tls = config.tls;
  return {{"upstream_min", TlsVersionName(tls.upstream.min)},
          {"upstream_max", TlsVersionName(tls.upstream.max)},
          {"downstream_min", TlsVersionName(tls.downstream.min)},
          {"downstream_max", TlsVersionName(tls.downstream.max)},
          {"session_resumption", tls.session_resumption},
          {"handshake_timeout_ms", tls.handshake_timeout.count()},
          {"permissive_peek_timeout_ms", tls.permissive_peek_timeout.count()}};
}

json OutboundJson(const Outbound& outbound) {
  json out = {{"name", outbound.name},
              {"address", outbound.address},
              {"port", outbound.port},
              {"kind", outbound.kind == OutboundKind::kBackend ? "backend" : "http_proxy"},
              {"http_stat_prefix", outbound.http_stat_prefix}};
  if (outbound.kind == OutboundKind::kBackend) out["virtual_service"] = outbound.virtual_service;
  return out;
}

json ServiceJson(const VirtualService& service) {
  json out = {{"name", service.name},
              {"protocol", ProtocolName(service.protocol)},
              {"routes", json::array()}};
  for (const Route& route : service.routes) out["routes"].push_back(RouteJson(route));
  return out;
}

json FileSecretJson(const FileSecret& file) {
  return {{"secret_name", file.secret_name},
          {"certificate_chain_path", file.certificate_chain_path},
          {"private_key_path", file.private_key_path},
          {"trusted_ca_path", file.trusted_ca_path}};
}

}  // namespace

json ConfigToJson(const ProxyConfig& config) {
  json out = {{"name", config.name},
              {"mesh", config.mesh},
              {"listeners", json::array()},
              {"outbounds", json::array()},
              {"virtual_services", json::array()},
              {"clusters", json::array()},
              {"file_secrets", json::array()},
              {"tls", SettingsJson(config)},
              {"http",
               {{"max_header_bytes", config.http.max_header_bytes},
                {"max_headers_count", config.http.max_headers_count},
                {"max_body_bytes", config.http.max_body_bytes},
                {"idle_timeout_ms", config.http.idle_timeout.count()},
                {"accept_http_10", config.http.accept_http_10}}},
              {"error_style", config.error_style == ErrorStyle::kClassic ? "classic" : "modern"},
              {"admin",
               {{"enabled", config.admin.enabled},
                {"address", config.admin.address},
                {"port", config.admin.port}}},
              {"handshake_log_capacity", config.handshake_log_capacity}};
  for (const Listener& listener : config.listeners) {
    out["listeners"].push_back(ListenerJson(listener));
  }
  for (const Outbound& outbound : config.outbounds) {
    out["outbounds"].push_back(OutboundJson(outbound));
  }
  for (const VirtualService& service : config.virtual_services) {
    out["virtual_services"].push_back(ServiceJson(service));
  }
  for (const Cluster& cluster : config.clusters) out["clusters"].push_back(ClusterJson(cluster));
  for (const FileSecret& file : config.file_secrets) {
    out["file_secrets"].push_back(FileSecretJson(file));
  }
  return out;
}

}  // namespace crossmesh::proxy
