#include "harness/proxy/config.h"

#include <fmt/format.h>

namespace crossmesh::proxy {

std::string Endpoint::ToString() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

void AllowTls13BetweenProxies(ProxyConfig& config) { config.tls.upstream.max = TlsVersion::kTls13; }

std::string_view TlsModeName(TlsMode mode) {
  switch (mode) {
    case TlsMode::kStrict:
      return "STRICT";
    case TlsMode::kPermissive:
      return "PERMISSIVE";
    case TlsMode::kDisabled:
      return "DISABLED";
  }
  return "DISABLED";
}

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kHttp:
      return "http";
    case Protocol::kHttp2:
      return "http2";
    case Protocol::kGrpc:
      return "grpc";
    case Protocol::kTcp:
      return "tcp";
  }
  return "http";
}

std::string_view TlsVersionName(TlsVersion version) {
  return version == TlsVersion::kTls12 ? "TLSv1.2" : "TLSv1.3";
}

std::string_view HttpRetryEventName(HttpRetryEvent event) {
  switch (event) {
    case HttpRetryEvent::kServerError:
      return "server-error";
    case HttpRetryEvent::kGatewayError:
      return "gateway-error";
    case HttpRetryEvent::kClientError:
      return "client-error";
    case HttpRetryEvent::kStreamError:
      return "stream-error";
  }
  return "server-error";
}

std::optional<TlsMode> ParseTlsMode(std::string_view text) {
  if (text == "STRICT") return TlsMode::kStrict;
  if (text == "PERMISSIVE") return TlsMode::kPermissive;
  if (text == "DISABLED") return TlsMode::kDisabled;
  return std::nullopt;
}

std::optional<Protocol> ParseProtocol(std::string_view text) {
  if (text == "http") return Protocol::kHttp;
  if (text == "http2") return Protocol::kHttp2;
  if (text == "grpc") return Protocol::kGrpc;
  if (text == "tcp") return Protocol::kTcp;
  return std::nullopt;
}

namespace {

struct GrpcEvent {
  std::string_view name;
  unsigned status;
};
constexpr GrpcEvent kGrpcEvents[] = {{"cancelled", 1},
                                     {"deadline-exceeded", 4},
                                     {"resource-exhausted", 8},
                                     {"internal", 13},
                                     {"unavailable", 14}};

}  // namespace

std::optional<unsigned> ParseGrpcRetryEvent(std::string_view text) {
  for (const GrpcEvent& event : kGrpcEvents) {
    if (event.name == text) return event.status;
  }
  return std::nullopt;
}

std::string_view GrpcRetryEventName(unsigned status) {
  for (const GrpcEvent& event : kGrpcEvents) {
    if (event.status == status) return event.name;
  }
  return "unknown";
}

std::optional<TlsVersion> ParseTlsVersion(std::string_view text) {
  if (text == "TLSv1.2" || text == "1.2" || text == "TLSv1_2") return TlsVersion::kTls12;
  if (text == "TLSv1.3" || text == "1.3" || text == "TLSv1_3") return TlsVersion::kTls13;
  return std::nullopt;
}

std::optional<HttpRetryEvent> ParseHttpRetryEvent(std::string_view text) {
  for (HttpRetryEvent event : {HttpRetryEvent::kServerError, HttpRetryEvent::kGatewayError,
                               HttpRetryEvent::kClientError, HttpRetryEvent::kStreamError}) {
    if (text == HttpRetryEventName(event)) return event;
  }
  return std::nullopt;
}

void FillDefaults(ProxyConfig& config) {
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    Listener& listener = config.listeners[i];
    if (listener.name.empty()) listener.name = fmt::format("ingress_{}", i);
    if (listener.app_cluster.empty() && listener.virtual_service.empty()) {
      listener.app_cluster = fmt::format("cds_ingress_{}_{}_{}_{}", config.mesh, config.name,
                                         ProtocolName(listener.protocol), i);
    }
  }
  for (size_t i = 0; i < config.outbounds.size(); ++i) {
    if (config.outbounds[i].name.empty()) config.outbounds[i].name = fmt::format("egress_{}", i);
  }
}

}  // namespace crossmesh::proxy
