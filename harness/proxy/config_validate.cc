// ValidateConfig: the checks of config.h that span fields. Each message starts with the JSON
// path of the offending field ("listeners[1].virtual_service"), as ConfigFromJson's do, then
// says what is wrong and what would fix it.
#include <fmt/format.h>
#include <algorithm>

#include <boost/asio/ip/address.hpp>
#include <map>
#include <set>

#include "harness/proxy/config.h"

namespace crossmesh::proxy {
namespace {

Status Invalid(std::string message) { return Error(kInvalidConfiguration, std::move(message)); }

std::string At(std::string_view list, size_t i) { return fmt::format("{}[{}]", list, i); }

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

Status CheckUnique(std::set<std::string>& seen, const std::string& where, const std::string& name) {
  if (name.empty()) return Invalid(where + ".name: missing; give a name");
  if (!seen.insert(name).second) {
    return Invalid(fmt::format("{}.name: '{}' appears twice; names must be unique", where, name));
  }
  return Status::Ok();
}

// A routing listener answers HTTP requests itself, so it needs HTTP and a route table.
Status CheckRoutingListener(const ProxyConfig& config, const Listener& listener,
                            const std::string& where) {
  if (!IsHttp(listener.protocol)) {
    return Invalid(
        fmt::format("{}.protocol: only an http, http2 or grpc listener can route (virtual_service "
                    "'{}'); a tcp listener forwards to its app",
                    where, listener.virtual_service));
  }
  if (listener.app.port != 0) {
    return Invalid(
        fmt::format("{}: give either an app or a virtual_service ('{}') to "
                    "route by, not both",
                    where, listener.virtual_service));
  }
  if (!listener.app_cluster.empty()) {
    return Invalid(fmt::format(
        "{}.app_cluster: a routing listener (virtual_service '{}') has no app to count; its "
        "requests are counted under the target clusters: remove app_cluster",
        where, listener.virtual_service));
  }
  for (const VirtualService& service : config.virtual_services) {
    if (service.name == listener.virtual_service) return Status::Ok();
  }
  return Invalid(
      fmt::format("{}.virtual_service: unknown virtual service '{}'; add it to "
                  "virtual_services or name one that is there",
                  where, listener.virtual_service));
}

Status ValidateListeners(const ProxyConfig& config) {
  std::set<std::string> names;
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& listener = config.listeners[i];
    const std::string where = At("listeners", i);
    CM_RETURN_IF_ERROR(CheckUnique(names, where, listener.name));
    CM_RETURN_IF_ERROR(CheckAddress(where + ".address", listener.address));
    if (listener.max_connections == 0) {
      return Invalid(where +
                     ".max_connections: 0 would refuse every connection; give at least 1 "
                     "(default 4096)");
    }
    if (!listener.virtual_service.empty()) {
      CM_RETURN_IF_ERROR(CheckRoutingListener(config, listener, where));
    } else {
      CM_RETURN_IF_ERROR(CheckAddress(where + ".app.host", listener.app.host));
      if (listener.app.port == 0) {
        return Invalid(where + ".app.port: missing; give the port the app listens on");
      }
    }
    if (listener.tls && listener.tls->mode != TlsMode::kDisabled &&
        listener.tls->certificate_secret.empty()) {
      return Invalid(fmt::format("{}.tls.certificate_secret: missing; TLS mode {} needs one", where,
                                 TlsModeName(listener.tls->mode)));
    }
  }
  return Status::Ok();
}

// Envoy's range is [start, end): start >= end matches nothing, which is a mistake, not a rule.
Status CheckMatch(const RouteMatch& match, const std::string& where) {
  for (size_t i = 0; i < match.headers.size(); ++i) {
    const std::optional<IntRange>& range = match.headers[i].range;
    if (range && range->start >= range->end) {
      return Invalid(
          fmt::format("{}.headers[{}].range: start {} is not below end {}; the range is "
                      "[start, end), so end must be greater",
                      where, i, range->start, range->end));
    }
  }
  return Status::Ok();
}

// A prefix rewrite replaces what match.prefix matched, so it needs one; a path rewrite
// replaces the whole path, so the two together are ambiguous.
Status CheckRoute(const Route& route, const std::string& where) {
  CM_RETURN_IF_ERROR(CheckMatch(route.match, where + ".match"));
  if (route.rewritten_match) {
    CM_RETURN_IF_ERROR(CheckMatch(*route.rewritten_match, where + ".rewritten_match"));
  }
  if (!route.rewrite) return Status::Ok();
  if (route.rewrite->prefix && route.rewrite->path) {
    return Invalid(where + ".rewrite: has both a prefix and a path; give one");
  }
  if (route.rewrite->prefix && !route.match.prefix) {
    return Invalid(where +
                   ".rewrite.prefix: replaces match.prefix, which the route lacks; add "
                   "match.prefix or rewrite the path instead");
  }
  return Status::Ok();
}

Status ValidateServices(const ProxyConfig& config, const std::set<std::string>& clusters,
                        std::set<std::string>& services) {
  for (size_t i = 0; i < config.virtual_services.size(); ++i) {
    const VirtualService& service = config.virtual_services[i];
    CM_RETURN_IF_ERROR(CheckUnique(services, At("virtual_services", i), service.name));
    for (size_t r = 0; r < service.routes.size(); ++r) {
      const Route& route = service.routes[r];
      const std::string where = At(At("virtual_services", i) + ".routes", r);
      CM_RETURN_IF_ERROR(CheckRoute(route, where));
      for (size_t t = 0; t < route.targets.size(); ++t) {
        const std::string& name = route.targets[t].cluster;
        if (clusters.count(name) == 0) {
          return Invalid(fmt::format(
              "{}.targets[{}].cluster: unknown cluster '{}'; add it to clusters or name "
              "one that is there",
              where, t, name));
        }
        const auto cluster = std::find_if(config.clusters.begin(), config.clusters.end(),
                                          [&](const Cluster& c) { return c.name == name; });
        if (service.protocol == Protocol::kGrpc && cluster->protocol == Protocol::kHttp) {
          return Invalid(fmt::format(
              "{}.targets[{}].cluster: '{}' speaks HTTP/1.1, and gRPC (virtual service '{}') "
              "needs HTTP/2 to its target; give the cluster protocol grpc or http2",
              where, t, name, service.name));
        }
        if (IsHttp(service.protocol) && cluster->protocol == Protocol::kTcp) {
          return Invalid(fmt::format(
              "{}.targets[{}].cluster: '{}' is a tcp cluster, and virtual service '{}' speaks "
              "{}: its requests cannot go there; give the cluster protocol http, http2 or grpc "
              "(the target listener's)",
              where, t, name, service.name, ProtocolName(service.protocol)));
        }
      }
    }
  }
  return Status::Ok();
}

Status ValidateRouting(const ProxyConfig& config) {
  std::set<std::string> clusters;
  for (size_t i = 0; i < config.clusters.size(); ++i) {
    const Cluster& cluster = config.clusters[i];
    CM_RETURN_IF_ERROR(CheckUnique(clusters, At("clusters", i), cluster.name));
    for (size_t e = 0; e < cluster.endpoints.size(); ++e) {
      CM_RETURN_IF_ERROR(CheckAddress(At(At("clusters", i) + ".endpoints", e) + ".host",
                                      cluster.endpoints[e].host));
    }
    if (!cluster.source_address.empty()) {
      CM_RETURN_IF_ERROR(
          CheckAddress(At("clusters", i) + ".source_address", cluster.source_address));
    }
  }
  std::set<std::string> services;
  CM_RETURN_IF_ERROR(ValidateServices(config, clusters, services));
  std::set<std::string> outbounds;
  for (size_t i = 0; i < config.outbounds.size(); ++i) {
    const Outbound& outbound = config.outbounds[i];
    const std::string where = At("outbounds", i);
    CM_RETURN_IF_ERROR(CheckUnique(outbounds, where, outbound.name));
    CM_RETURN_IF_ERROR(CheckAddress(where + ".address", outbound.address));
    if (outbound.kind == OutboundKind::kBackend && services.count(outbound.virtual_service) == 0) {
      return Invalid(
          fmt::format("{}.virtual_service: unknown virtual service '{}'; add it to "
                      "virtual_services or name one that is there",
                      where, outbound.virtual_service));
    }
  }
  return Status::Ok();
}

Status ValidateFileSecrets(const ProxyConfig& config) {
  std::set<std::string> names;
  for (size_t i = 0; i < config.file_secrets.size(); ++i) {
    const FileSecret& file = config.file_secrets[i];
    const std::string where = At("file_secrets", i);
    if (file.secret_name.empty()) return Invalid(where + ".secret_name: missing; give a name");
    if (!names.insert(file.secret_name).second) {
      return Invalid(fmt::format("{}.secret_name: '{}' appears twice; names must be unique", where,
                                 file.secret_name));
    }
    const bool certificate = !file.certificate_chain_path.empty() && !file.private_key_path.empty();
    const bool bundle = !file.trusted_ca_path.empty();
    if (certificate == bundle) {
      return Invalid(
          fmt::format("{} ('{}'): give either certificate_chain_path and "
                      "private_key_path, or trusted_ca_path",
                      where, file.secret_name));
    }
  }
  return Status::Ok();
}

// An address in one spelling ("::1", not "0:0:0:0:0:0:0:1"), so that two spellings of one
// socket compare equal; a text that is not an address is kept as it is.
std::string CanonicalAddress(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return ec ? host : address.to_string();
}

// Two sockets of this proxy on one fixed address and port would fail to bind with a message
// that sends the user looking for another process; an app or endpoint that is this proxy's own
// socket sends each request back into the proxy, which opens a connection per turn of the loop.
Status ValidateOwnAddresses(const ProxyConfig& config) {
  std::map<std::pair<std::string, uint16_t>, std::string> bound;  // -> the field that binds it
  const auto bind = [&bound](const std::string& field, const std::string& address,
                             uint16_t port) -> Status {
    if (port == 0) return Status::Ok();  // a free port, chosen at bind
    auto [at, added] = bound.emplace(std::pair{CanonicalAddress(address), port}, field);
    if (added) return Status::Ok();
    return Invalid(fmt::format("{}: {}:{} is bound by {} too; give one of them another port", field,
                               address, port, at->second));
  };
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& listener = config.listeners[i];
    CM_RETURN_IF_ERROR(bind(At("listeners", i) + ".port", listener.address, listener.port));
  }
  for (size_t i = 0; i < config.outbounds.size(); ++i) {
    const Outbound& outbound = config.outbounds[i];
    CM_RETURN_IF_ERROR(bind(At("outbounds", i) + ".port", outbound.address, outbound.port));
  }
  if (config.admin.enabled) {
    CM_RETURN_IF_ERROR(bind("admin.port", config.admin.address, config.admin.port));
  }

  const auto not_self = [&bound](const std::string& field, const Endpoint& endpoint) -> Status {
    auto self = bound.find({CanonicalAddress(endpoint.host), endpoint.port});
    if (self == bound.end()) return Status::Ok();
    return Invalid(
        fmt::format("{}: {} is this proxy's own {}, so every request would come "
                    "back to it in a loop; give the address the app listens on",
                    field, endpoint.ToString(), self->second));
  };
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& listener = config.listeners[i];
    if (listener.app.port != 0) {
      CM_RETURN_IF_ERROR(not_self(At("listeners", i) + ".app", listener.app));
    }
  }
  for (size_t i = 0; i < config.clusters.size(); ++i) {
    const Cluster& cluster = config.clusters[i];
    for (size_t e = 0; e < cluster.endpoints.size(); ++e) {
      CM_RETURN_IF_ERROR(not_self(At(At("clusters", i) + ".endpoints", e), cluster.endpoints[e]));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateConfig(const ProxyConfig& config) {
  if (config.name.empty()) return Invalid("name: missing; give the proxy the virtual node's name");
  CM_RETURN_IF_ERROR(ValidateListeners(config));
  CM_RETURN_IF_ERROR(ValidateRouting(config));
  CM_RETURN_IF_ERROR(ValidateFileSecrets(config));
  if (config.admin.enabled) CM_RETURN_IF_ERROR(CheckAddress("admin.address", config.admin.address));
  CM_RETURN_IF_ERROR(ValidateOwnAddresses(config));
  // Without a deadline a client that stops mid-handshake holds its connection for good.
  if (config.tls.handshake_timeout.count() <= 0) {
    return Invalid(
        fmt::format("tls.handshake_timeout_ms: {} turns the handshake deadline off; "
                    "give at least 1 (Envoy's default is 10000)",
                    config.tls.handshake_timeout.count()));
  }
  // A minimum above the maximum leaves no version: every handshake would fail.
  for (const auto& [side, bounds] : {std::pair{"upstream", config.tls.upstream},
                                     std::pair{"downstream", config.tls.downstream}}) {
    if (bounds.min > bounds.max) {
      return Invalid(
          fmt::format("tls.{0}_min: {1} is above tls.{0}_max {2}, which leaves no TLS "
                      "version to negotiate; lower the minimum or raise the maximum",
                      side, TlsVersionName(bounds.min), TlsVersionName(bounds.max)));
    }
  }
  if (config.http.max_body_bytes == 0 || config.http.max_header_bytes == 0 ||
      config.http.max_headers_count == 0) {
    const char* field = config.http.max_body_bytes == 0     ? "max_body_bytes"
                        : config.http.max_header_bytes == 0 ? "max_header_bytes"
                                                            : "max_headers_count";
    return Invalid(fmt::format(
        "http.{}: 0 would refuse every request; give at least 1 (the defaults are 61440 "
        "header bytes, 100 headers and 8388608 body bytes)",
        field));
  }
  return Status::Ok();
}

}  // namespace crossmesh::proxy
