// ClusterState: one cluster as the running proxy uses it: its configuration, its TLS plan and
// context (kept across configuration updates while the cluster is unchanged, so the session
// cache survives), its endpoint rotation and its counters. UpstreamStats are the request and
// connection counters Envoy keeps per cluster, also used for the local app behind a listener.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "harness/proxy/config.h"
#include "harness/proxy/context_provider.h"
#include "harness/proxy/handshake_recorder.h"
#include "harness/proxy/stats.h"
#include "harness/proxy/upstream_tls_plan.h"

namespace crossmesh::proxy {

struct UpstreamStats {
  explicit UpstreamStats(const StatScope& scope);

  // Counts a response (or a local reply standing for one) under upstream_rq_<class>.
  void CountResponse(unsigned status);

  Counter& cx_total;         // upstream_cx_total
  Counter& cx_connect_fail;  // upstream_cx_connect_fail
  Counter& cx_tx_bytes;      // upstream_cx_tx_bytes_total
  Counter& cx_rx_bytes;      // upstream_cx_rx_bytes_total
  Counter& rq_total;         // upstream_rq_total
  Counter& rq_retry;         // upstream_rq_retry
  Counter& rq_timeout;       // upstream_rq_timeout
  Counter& rq_rx_reset;      // upstream_rq_rx_reset (a streamed body broke off or timed out)
  // A listener's app behind circuit breakers (CircuitBreaker): requests that waited their turn,
  // requests and TCP connections turned away.
  Counter& rq_pending_total;     // upstream_rq_pending_total
  Counter& rq_pending_overflow;  // upstream_rq_pending_overflow
  Counter& cx_overflow;          // upstream_cx_overflow
  Counter& rq_1xx;               // a 101 that switched protocols (WebSocket)
  Counter& rq_2xx;
  Counter& rq_3xx;
  Counter& rq_4xx;
  Counter& rq_5xx;
};

// "http.<prefix>." counters of an HTTP listener or outbound port.
struct HttpStats {
  explicit HttpStats(const StatScope& scope);
  void CountResponse(unsigned status);

  Counter& rq_total;         // downstream_rq_total
  Counter& protocol_error;   // downstream_cx_protocol_error (400, 431)
  Counter& rq_too_large;     // downstream_rq_too_large (413)
  Counter& rq_idle_timeout;  // downstream_rq_idle_timeout (a route's idle timeout: 408)
  Counter& rq_timeout;       // downstream_rq_timeout (an HTTP/2 request not whole in time: 408)
  Counter& rq_rx_reset;      // downstream_rq_rx_reset (the client reset a stream before its answer)
  Counter& rq_1xx;           // a 101 that switched protocols (WebSocket)
  Counter& cx_drain_close;   // downstream_cx_drain_close (ended after a configuration update)
  Counter& rq_2xx;
  Counter& rq_3xx;
  Counter& rq_4xx;
  Counter& rq_5xx;
};

struct ClusterState {
  ClusterState(const Cluster& cluster, Stats& stats);

  Cluster config;
  UpstreamTlsPlan plan;
  std::unique_ptr<ContextProvider> tls;  // set when plan.tls
  StatScope scope;
  SslStats ssl;
  UpstreamStats upstream;
  std::atomic<uint64_t> next_endpoint{0};
};

}  // namespace crossmesh::proxy
