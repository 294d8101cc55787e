#include "harness/proxy/proxy_core.h"

namespace crossmesh::proxy {

InboundState::InboundState(const Listener& listener, uint16_t bound_port, Stats& stats)
    : config(listener),
      scope(stats, ListenerStatPrefix(listener.address, bound_port)),
      ssl(scope),
      cx_total(scope.Get("downstream_cx_total")),
      cx_overflow(scope.Get("downstream_cx_overflow")),
      cx_handshake_timeout(scope.Get("downstream_cx_transport_socket_connect_timeout")),
      cx_plaintext(scope.Get("downstream_cx_plaintext")),
      rx_bytes(scope.Get("downstream_cx_rx_bytes_total")),
      tx_bytes(scope.Get("downstream_cx_tx_bytes_total")),
      http(StatScope(stats, "http." + listener.http_stat_prefix + ".")),
      no_route(stats.GetCounter("http." + listener.http_stat_prefix + ".no_route")) {
  config.port = bound_port;
  // Created only when used, so a routing listener shows no app cluster in /stats.
  if (listener.virtual_service.empty()) {
    app.emplace(StatScope(stats, ClusterStatPrefix(listener.app_cluster)));
  }
  if (listener.virtual_service.empty()) breaker = BreakerFor(listener);
}

std::shared_ptr<CircuitBreaker> BreakerFor(const Listener& listener) {
  const AppConnectionPool& pool = listener.connection_pool;
  const bool http2 = UsesHttp2(listener.protocol);
  const size_t limit = http2 ? pool.max_requests : pool.max_connections;
  const size_t queue = listener.protocol == Protocol::kHttp ? pool.max_pending_requests : 0;
  if (limit == 0) return nullptr;
  return std::make_shared<CircuitBreaker>(limit, queue);
}

OutboundState::OutboundState(const Outbound& outbound, uint16_t bound_port, Stats& stats)
    : config(outbound),
      scope(stats, ListenerStatPrefix(outbound.address, bound_port)),
      cx_total(scope.Get("downstream_cx_total")),
      rx_bytes(scope.Get("downstream_cx_rx_bytes_total")),
      tx_bytes(scope.Get("downstream_cx_tx_bytes_total")),
      no_route(stats.GetCounter("http." + outbound.http_stat_prefix + ".no_route")),
      http(StatScope(stats, "http." + outbound.http_stat_prefix + ".")) {
  config.port = bound_port;
}

ProxyCore::ProxyCore(std::string name, boost::asio::io_context& ioc, const SecretStore& secrets,
                     size_t handshake_log_capacity)
    : name_(std::move(name)), ioc_(ioc), secrets_(secrets), handshakes_(handshake_log_capacity) {}

std::shared_ptr<const ProxySnapshot> ProxyCore::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void ProxyCore::set_snapshot(std::shared_ptr<const ProxySnapshot> snapshot) {
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(snapshot);
  current_ = snapshot_.get();
}

HandshakeSite ProxyCore::Site(HandshakeSide side, std::string scope, SslStats& ssl,
                              ErrorStyle style) {
  HandshakeSite site;
  site.proxy = name_;
  site.side = side;
  site.scope = std::move(scope);
  site.stats = &ssl;
  site.log = &handshakes_;
  site.error_style = style;
  return site;
}

}  // namespace crossmesh::proxy
