// ProxyCore: the state one proxy's connections share (counters, handshake records, the open
// connection registry) and the current ProxySnapshot, the immutable view of one configuration
// version. A connection takes the snapshot when it is accepted and keeps it to the end, which
// is how an Update reaches new connections without disturbing open ones.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "harness/proxy/circuit_breaker.h"
#include "harness/proxy/cluster_state.h"
#include "harness/proxy/config.h"
#include "harness/proxy/connection_registry.h"
#include "harness/proxy/context_provider.h"
#include "harness/proxy/handshake_log.h"
#include "harness/proxy/handshake_recorder.h"
#include "harness/proxy/route_table.h"
#include "harness/proxy/secret_store.h"
#include "harness/proxy/stats.h"

namespace crossmesh::proxy {

// One inbound listener for one configuration version.
struct InboundState {
  InboundState(const Listener& listener, uint16_t bound_port, Stats& stats);

  Listener config;                       // port = the bound port
  std::shared_ptr<ContextProvider> tls;  // STRICT and PERMISSIVE only
  StatScope scope;                       // "listener.<ip>_<port>."
  SslStats ssl;
  Counter& cx_total;              // downstream_cx_total
  Counter& cx_overflow;           // downstream_cx_overflow (max_connections reached)
  Counter& cx_handshake_timeout;  // downstream_cx_transport_socket_connect_timeout
  Counter& cx_plaintext;          // downstream_cx_plaintext (PERMISSIVE let plaintext in)
  Counter& rx_bytes;              // downstream_cx_rx_bytes_total
  Counter& tx_bytes;              // downstream_cx_tx_bytes_total
  HttpStats http;
  Counter& no_route;                 // http.<prefix>.no_route (a routing listener)
  std::optional<UpstreamStats> app;  // "cluster.<app_cluster>."; none on a routing listener
  // The listener's connectionPool limits on the way to its app; null: none set.
  std::shared_ptr<CircuitBreaker> breaker;
  // A routing listener's (a virtual gateway's) connectionPool: the same limits on the way to
  // each upstream cluster, a breaker each, by cluster name; empty: none set.
  std::map<std::string, std::shared_ptr<CircuitBreaker>> cluster_breakers;
};

// The breaker a listener's connectionPool sets (null: none). HTTP/1.1 and TCP count
// connections (an HTTP/1.1 request has one to itself), and HTTP/1.1 requests may wait for one;
// HTTP/2 counts requests, which do not wait (Envoy's pools).
std::shared_ptr<CircuitBreaker> BreakerFor(const Listener& listener);

// One outbound port for one configuration version.
struct OutboundState {
  OutboundState(const Outbound& outbound, uint16_t bound_port, Stats& stats);

  Outbound config;  // port = the bound port
  StatScope scope;  // "listener.<ip>_<port>."
  Counter& cx_total;
  Counter& rx_bytes;
  Counter& tx_bytes;
  Counter& no_route;  // http.<prefix>.no_route
  HttpStats http;
};

struct ProxySnapshot {
  ProxyConfig config;  // defaults filled, bound ports written back
  std::shared_ptr<const RouteTable> routes;
  std::map<std::string, std::shared_ptr<ClusterState>> clusters;
  std::map<std::string, std::shared_ptr<InboundState>> inbound;    // by listener name
  std::map<std::string, std::shared_ptr<OutboundState>> outbound;  // by outbound name
  std::function<TimePoint()> clock;                                // never null
};

class ProxyCore {
 public:
  ProxyCore(std::string name, boost::asio::io_context& ioc, const SecretStore& secrets,
            size_t handshake_log_capacity);

  const std::string& name() const { return name_; }
  boost::asio::io_context& ioc() { return ioc_; }
  const SecretStore& secrets() const { return secrets_; }
  Stats& stats() { return stats_; }
  HandshakeLog& handshakes() { return handshakes_; }
  ConnectionRegistry& connections() { return connections_; }
  bool stopping() const { return stopping_.load(); }
  void set_stopping() { stopping_ = true; }

  std::shared_ptr<const ProxySnapshot> snapshot() const;
  void set_snapshot(std::shared_ptr<const ProxySnapshot> snapshot);
  // False once an Update replaced `snapshot`: a connection that took it drains (its next
  // answer ends it), so that the new configuration reaches its client's next request, as an
  // Envoy listener or cluster update drains the connections of the old one.
  bool IsCurrent(const ProxySnapshot* snapshot) const { return current_.load() == snapshot; }

  HandshakeSite Site(HandshakeSide side, std::string scope, SslStats& ssl, ErrorStyle style);

 private:
  const std::string name_;
  boost::asio::io_context& ioc_;
  const SecretStore& secrets_;
  Stats stats_;
  HandshakeLog handshakes_;
  ConnectionRegistry connections_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const ProxySnapshot> snapshot_;
  // snapshot_.get(): compared per request, which must not take the mutex. A connection keeps
  // its own snapshot alive, so the address cannot be reused while it compares.
  std::atomic<const ProxySnapshot*> current_{nullptr};
};

}  // namespace crossmesh::proxy
