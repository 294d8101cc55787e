// AwaitTurn: a request waiting for its turn behind a CircuitBreaker (a listener's app, or a
// virtual gateway's upstream cluster), and the answer Envoy gives when it gets none.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>

#include "harness/proxy/circuit_breaker.h"
#include "harness/proxy/cluster_state.h"
#include "harness/proxy/config.h"
#include "harness/proxy/http_message.h"

namespace crossmesh::proxy {

// Waits at most `wait` for a turn at `breaker`: nullopt once it has one (`turn` set), else the
// reply that stands for the request: 503 "reset reason: overflow" with x-envoy-overloaded when
// the queue is full too, 504 when its time ran out waiting. Counted on `upstream`
// (upstream_rq_pending_total, upstream_rq_pending_overflow, upstream_rq_timeout).
asio::awaitable<std::optional<HttpResponse>> AwaitTurn(CircuitBreaker& breaker,
                                                       UpstreamStats& upstream, ErrorStyle style,
                                                       std::chrono::milliseconds wait,
                                                       const HttpRequest& request,
                                                       CircuitBreaker::Turn& turn);

}  // namespace crossmesh::proxy
