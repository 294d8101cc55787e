#include "harness/proxy/config.h"

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <set>

namespace crossmesh::proxy {
namespace {

Status Invalid(std::string message) { return Error(kInvalidConfiguration, std::move(message)); }

bool IsLoopback(const std::string& host) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

Status CheckAddress(const std::string& where, const std::string& host) {
  if (IsLoopback(host)) return Status::Ok();
  return Invalid(
      fmt::format("{}: '{}' is not a loopback address; the data path runs on "
                  "127.0.0.0/8 or ::1 only",
                  where, host));
}

Status CheckUnique(std::set<std::string>& seen, const std::string& kind, const std::string& name) {
  if (name.empty()) return Invalid(kind + " without a name");
  if (!seen.insert(name).second) return Invalid(fmt::format("{} '{}' appears twice", kind, name));
  return Status::Ok();
}

// A routing listener answers HTTP requests itself, so it needs HTTP and a route table.
Status CheckRoutingListener(const ProxyConfig& config, const Listener& listener) {
  if (listener.protocol != Protocol::kHttp) {
    return Invalid(
        fmt::format("listener {}: only an http listener can route (virtual_service "
                    "'{}'); a tcp listener forwards to its app",
                    listener.name, listener.virtual_service));
  }
  if (listener.app.port != 0 || !listener.app_cluster.empty()) {
    return Invalid(
        fmt::format("listener {}: give either an app or a virtual_service ('{}') to "
                    "route by, not both",
                    listener.name, listener.virtual_service));
  }
  for (const VirtualService& service : config.virtual_services) {
    if (service.name == listener.virtual_service) return Status::Ok();
  }
  return Invalid(fmt::format("listener {} names unknown virtual service '{}'", listener.name,
                             listener.virtual_service));
}

Status ValidateListeners(const ProxyConfig& config) {
  std::set<std::string> names;
  for (const Listener& listener : config.listeners) {
    CM_RETURN_IF_ERROR(CheckUnique(names, "listener", listener.name));
    CM_RETURN_IF_ERROR(CheckAddress("listener " + listener.name, listener.address));
    if (!listener.virtual_service.empty()) {
      CM_RETURN_IF_ERROR(CheckRoutingListener(config, listener));
    } else {
      CM_RETURN_IF_ERROR(CheckAddress("listener " + listener.name + " app", listener.app.host));
      if (listener.app.port == 0) {
        return Invalid(fmt::format("listener {}: the app endpoint needs a port", listener.name));
      }
    }
    if (listener.tls && listener.tls->mode != TlsMode::kDisabled &&
        listener.tls->certificate_secret.empty()) {
      return Invalid(fmt::format("listener {}: TLS mode {} needs a certificate secret",
                                 listener.name, TlsModeName(listener.tls->mode)));
    }
  }
  return Status::Ok();
}

// A prefix rewrite replaces what match.prefix matched, so it needs one; a path rewrite
// replaces the whole path, so the two together are ambiguous.
Status CheckRewrite(const VirtualService& service, const Route& route) {
  if (!route.rewrite) return Status::Ok();
  const std::string where = fmt::format("virtual service {} route '{}'", service.name, route.name);
  if (route.rewrite->prefix && route.rewrite->path) {
    return Invalid(where + ": rewrite has both a prefix and a path; give one");
  }
  if (route.rewrite->prefix && !route.match.prefix) {
    return Invalid(where + ": rewrite.prefix replaces match.prefix, which the route lacks");
  }
  return Status::Ok();
}

Status ValidateRouting(const ProxyConfig& config) {
  std::set<std::string> clusters;
  for (const Cluster& cluster : config.clusters) {
    CM_RETURN_IF_ERROR(CheckUnique(clusters, "cluster", cluster.name));
    for (const Endpoint& endpoint : cluster.endpoints) {
      CM_RETURN_IF_ERROR(CheckAddress("cluster " + cluster.name, endpoint.host));
    }
  }
  std::set<std::string> services;
  for (const VirtualService& service : config.virtual_services) {
    CM_RETURN_IF_ERROR(CheckUnique(services, "virtual service", service.name));
    for (const Route& route : service.routes) {
      CM_RETURN_IF_ERROR(CheckRewrite(service, route));
      for (const WeightedTarget& target : route.targets) {
        if (clusters.count(target.cluster) == 0) {
          return Invalid(fmt::format("virtual service {} route '{}' targets unknown cluster '{}'",
                                     service.name, route.name, target.cluster));
        }
      }
    }
  }
  std::set<std::string> outbounds;
  for (const Outbound& outbound : config.outbounds) {
    CM_RETURN_IF_ERROR(CheckUnique(outbounds, "outbound", outbound.name));
    CM_RETURN_IF_ERROR(CheckAddress("outbound " + outbound.name, outbound.address));
    if (outbound.kind == OutboundKind::kBackend && services.count(outbound.virtual_service) == 0) {
      return Invalid(fmt::format("outbound {} names unknown virtual service '{}'", outbound.name,
                                 outbound.virtual_service));
    }
  }
  return Status::Ok();
}

Status ValidateFileSecrets(const ProxyConfig& config) {
  std::set<std::string> names;
  for (const FileSecret& file : config.file_secrets) {
    CM_RETURN_IF_ERROR(CheckUnique(names, "file secret", file.secret_name));
    const bool certificate = !file.certificate_chain_path.empty() && !file.private_key_path.empty();
    const bool bundle = !file.trusted_ca_path.empty();
    if (certificate == bundle) {
      return Invalid(
          fmt::format("file secret {}: give either certificate_chain_path and "
                      "private_key_path, or trusted_ca_path",
                      file.secret_name));
    }
  }
  return Status::Ok();
}

}  // namespace

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
  return protocol == Protocol::kHttp ? "http" : "tcp";
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
  if (text == "http" || text == "http2" || text == "grpc") return Protocol::kHttp;
  if (text == "tcp") return Protocol::kTcp;
  return std::nullopt;
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

Status ValidateConfig(const ProxyConfig& config) {
  if (config.name.empty()) return Invalid("the proxy needs a name (the virtual node)");
  CM_RETURN_IF_ERROR(ValidateListeners(config));
  CM_RETURN_IF_ERROR(ValidateRouting(config));
  CM_RETURN_IF_ERROR(ValidateFileSecrets(config));
  if (config.admin.enabled) CM_RETURN_IF_ERROR(CheckAddress("admin", config.admin.address));
  return Status::Ok();
}

}  // namespace crossmesh::proxy
