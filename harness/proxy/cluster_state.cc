#include "harness/proxy/cluster_state.h"

namespace crossmesh::proxy {
namespace {

Counter& ClassCounter(unsigned status, Counter& c1, Counter& c2, Counter& c3, Counter& c4,
                      Counter& c5) {
  if (status >= 500) return c5;
  if (status >= 400) return c4;
  if (status >= 300) return c3;
  if (status >= 200) return c2;
  return c1;  // a 101 that switched protocols (WebSocket)
}

}  // namespace

UpstreamStats::UpstreamStats(const StatScope& scope)
    : cx_total(scope.Get("upstream_cx_total")),
      cx_connect_fail(scope.Get("upstream_cx_connect_fail")),
      cx_tx_bytes(scope.Get("upstream_cx_tx_bytes_total")),
      cx_rx_bytes(scope.Get("upstream_cx_rx_bytes_total")),
      rq_total(scope.Get("upstream_rq_total")),
      rq_retry(scope.Get("upstream_rq_retry")),
      rq_timeout(scope.Get("upstream_rq_timeout")),
      rq_rx_reset(scope.Get("upstream_rq_rx_reset")),
      rq_pending_total(scope.Get("upstream_rq_pending_total")),
      rq_pending_overflow(scope.Get("upstream_rq_pending_overflow")),
      cx_overflow(scope.Get("upstream_cx_overflow")),
      rq_1xx(scope.Get("upstream_rq_1xx")),
      rq_2xx(scope.Get("upstream_rq_2xx")),
      rq_3xx(scope.Get("upstream_rq_3xx")),
      rq_4xx(scope.Get("upstream_rq_4xx")),
      rq_5xx(scope.Get("upstream_rq_5xx")) {}

void UpstreamStats::CountResponse(unsigned status) {
  ClassCounter(status, rq_1xx, rq_2xx, rq_3xx, rq_4xx, rq_5xx).Inc();
}

HttpStats::HttpStats(const StatScope& scope)
    : rq_total(scope.Get("downstream_rq_total")),
      protocol_error(scope.Get("downstream_cx_protocol_error")),
      rq_too_large(scope.Get("downstream_rq_too_large")),
      rq_idle_timeout(scope.Get("downstream_rq_idle_timeout")),
      rq_timeout(scope.Get("downstream_rq_timeout")),
      rq_rx_reset(scope.Get("downstream_rq_rx_reset")),
      rq_1xx(scope.Get("downstream_rq_1xx")),
      cx_drain_close(scope.Get("downstream_cx_drain_close")),
      rq_2xx(scope.Get("downstream_rq_2xx")),
      rq_3xx(scope.Get("downstream_rq_3xx")),
      rq_4xx(scope.Get("downstream_rq_4xx")),
      rq_5xx(scope.Get("downstream_rq_5xx")) {}

void HttpStats::CountResponse(unsigned status) {
  ClassCounter(status, rq_1xx, rq_2xx, rq_3xx, rq_4xx, rq_5xx).Inc();
}

ClusterState::ClusterState(const Cluster& cluster, Stats& stats)
    : config(cluster),
      plan(PlanUpstreamTls(cluster)),
      scope(stats, ClusterStatPrefix(cluster.name)),
      ssl(scope),
      upstream(scope) {}

}  // namespace crossmesh::proxy
