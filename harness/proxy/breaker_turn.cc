#include "harness/proxy/breaker_turn.h"

#include "harness/proxy/envoy_errors.h"

namespace crossmesh::proxy {

asio::awaitable<std::optional<HttpResponse>> AwaitTurn(CircuitBreaker& breaker,
                                                       UpstreamStats& upstream, ErrorStyle style,
                                                       std::chrono::milliseconds wait,
                                                       const HttpRequest& request,
                                                       CircuitBreaker::Turn& turn) {
  const CircuitBreaker::Entry entry = co_await breaker.Enter(wait, request.cancel, turn);
  if (entry == CircuitBreaker::Entry::kEntered) co_return std::nullopt;
  if (entry == CircuitBreaker::Entry::kWaited) {
    upstream.rq_pending_total.Inc();
    co_return std::nullopt;
  }
  if (entry == CircuitBreaker::Entry::kOverflow) {
    upstream.rq_pending_overflow.Inc();
    TransportFailure overflow;
    overflow.kind = FailureKind::kOverflow;
    HttpResponse reply = LocalReply(503, UpstreamFailureBody(overflow, style, false));
    reply.headers.push_back({"x-envoy-overloaded", "true"});
    co_return reply;
  }
  upstream.rq_pending_total.Inc();
  if (request.cancelled()) co_return LocalReply(503, "the client reset the request");
  upstream.rq_timeout.Inc();
  co_return LocalReply(504, "upstream request timeout");
}

}  // namespace crossmesh::proxy
