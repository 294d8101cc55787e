#include "harness/proxy/http_router.h"

#include <algorithm>
#include <map>
#include <optional>

#include "harness/proxy/body_tail.h"
#include "harness/proxy/breaker_turn.h"
#include "harness/proxy/envoy_errors.h"
#include "harness/proxy/grpc_reply.h"
#include "harness/proxy/h2_body_pipe.h"
#include "harness/proxy/http_connection.h"
#include "harness/proxy/upstream_connector.h"
#include "harness/proxy/upstream_pool.h"

namespace crossmesh::proxy {
namespace {

using SteadyClock = std::chrono::steady_clock;

bool HasEvent(const RetryPolicy& retry, HttpRetryEvent event) {
  return std::find(retry.http_events.begin(), retry.http_events.end(), event) !=
         retry.http_events.end();
}

// App Mesh's events: server-error is any 5xx, gateway-error 502/503/504, client-error 409.
bool RetriableStatus(const RetryPolicy& retry, unsigned status) {
  if (HasEvent(retry, HttpRetryEvent::kServerError) && status >= 500) return true;
  if (HasEvent(retry, HttpRetryEvent::kGatewayError) && status >= 502 && status <= 504) return true;
  return HasEvent(retry, HttpRetryEvent::kClientError) && status == 409;
}

// App Mesh's gRPC events, on the grpc-status of the answer (trailers or trailers-only).
bool RetriableGrpc(const RetryPolicy& retry, const HttpResponse& response) {
  if (retry.grpc_statuses.empty()) return false;
  const int status = GrpcStatusOf(response);
  return status >= 0 && std::find(retry.grpc_statuses.begin(), retry.grpc_statuses.end(),
                                  static_cast<unsigned>(status)) != retry.grpc_statuses.end();
}

// A connection that failed or reset before a response: Envoy retries it under 5xx and
// gateway-error policies as well as connection-error and stream resets.
bool RetriableReset(const RetryPolicy& retry) {
  return retry.tcp_connection_error || HasEvent(retry, HttpRetryEvent::kServerError) ||
         HasEvent(retry, HttpRetryEvent::kGatewayError) ||
         HasEvent(retry, HttpRetryEvent::kStreamError);
}

asio::awaitable<bool> EnsureLink(const RouterContext& context, ClusterState& cluster,
                                 UpstreamPool& pool, UpstreamLink& link,
                                 TransportFailure& failure) {
  if (link.connected()) co_return true;
  const std::string& key = cluster.config.name;
  const bool http2 = UsesHttp2(cluster.config.protocol);
  if (http2) {
    const bool joined = co_await pool.JoinHttp2Connect(key, link);
    if (joined) co_return true;
  }
  UpstreamConnection upstream = co_await ConnectCluster(*context.core, cluster, *context.snapshot);
  if (!upstream.stream) {
    if (http2) pool.EndHttp2Connect(key);
    failure = std::move(upstream.failure);
    co_return false;
  }
  link.token = context.core->connections().Add(upstream.stream);
  upstream.stream->CountInto(cluster.upstream.cx_rx_bytes, cluster.upstream.cx_tx_bytes);
  const bool adopted = co_await pool.Adopt(key, http2, std::move(upstream.stream),
                                           context.snapshot->config.http, link);
  if (!adopted) failure.kind = FailureKind::kClosed;
  co_return adopted;
}

HttpResponse FinalFailure(const RouterContext& context, ClusterState& cluster,
                          const TransportFailure& failure, bool timed_out, bool retried) {
  HttpResponse reply =
      timed_out ? LocalReply(504, "upstream request timeout")
                : LocalReply(503, UpstreamFailureBody(failure, context.snapshot->config.error_style,
                                                      retried));
  cluster.upstream.CountResponse(reply.status);
  return reply;
}

// One request across its attempts: what the retry policy allows and what happened so far.
struct Attempts {
  // `replayable`: the request's body is held whole, so it can be sent again; a body streamed
  // from the client (a tail) gets one attempt.
  // The route's timeout counts from `start`.
  Attempts(const Route& route, bool replayable, SteadyClock::time_point start)
      : retry(route.retry),
        idle(route.idle_timeout),
        total(replayable ? 1 + (route.retry ? route.retry->max_retries : 0) : 1),
        deadline(route.timeout.count() > 0 ? start + route.timeout
                                           : SteadyClock::time_point::max()),
        stale_retry_used(!replayable) {}

  bool MayRetryFailure() const { return retry && RetriableReset(*retry); }
  bool MayRetryStatus(uint32_t attempt, const HttpResponse& response) const {
    return retry && attempt + 1 < total &&
           (RetriableStatus(*retry, response.status) || RetriableGrpc(*retry, response));
  }
  // The time this attempt may take: the route's remaining time, capped by perRetryTimeout.
  // 0 when neither limits it (a route timeout of 0): the exchange then has no deadline, where
  // "until the end of time" would overflow the clock when added to the exchange's start.
  Milliseconds PerTry(SteadyClock::time_point now) const {
    const Milliseconds per_retry = retry ? retry->per_retry_timeout : Milliseconds(0);
    if (deadline == SteadyClock::time_point::max()) return per_retry;
    auto left = std::chrono::duration_cast<Milliseconds>(deadline - now);
    if (left.count() <= 0) left = Milliseconds(1);  // due now: the attempt times out at once
    return per_retry.count() > 0 ? std::min(left, per_retry) : left;
  }

  const std::optional<RetryPolicy>& retry;
  const Milliseconds idle;
  const uint32_t total;
  const SteadyClock::time_point deadline;
  TransportFailure failure;
  bool timed_out = false;
  bool went_quiet = false;  // the upstream stayed silent for the route's idle timeout
  bool stale_retry_used;
  std::optional<HttpResponse> retried_response;  // a retriable answer, kept in case it is last
};

enum class Verdict { kAnswer, kRetry, kFreeRetry, kGiveUp };

// One attempt. kAnswer leaves the response to pass on in `out`.
asio::awaitable<Verdict> Attempt(const RouterContext& context, ClusterState& cluster,
                                 UpstreamPool& pool, UpstreamLink& link, const HttpRequest& request,
                                 const CircuitBreaker::Turn& turn, uint32_t attempt,
                                 Attempts& state, HttpResponse& out) {
  if (!co_await EnsureLink(context, cluster, pool, link, state.failure)) {
    state.timed_out = false;
    co_return state.MayRetryFailure() ? Verdict::kRetry : Verdict::kGiveUp;
  }
  const bool reused = link.reused;
  const bool http2 = link.h2 != nullptr;
  link.turn = turn;
  cluster.upstream.rq_total.Inc();
  const RelayCounters counters{&cluster.upstream.rq_rx_reset, &cluster.upstream.rq_timeout};
  ExchangeResult result =
      co_await ExchangeOn(link, request, state.PerTry(SteadyClock::now()), state.idle, counters);

  if (result.outcome == ExchangeResult::Outcome::kResponse) {
    HttpResponse& response = result.response;
    cluster.upstream.CountResponse(response.status);
    if (response.body_pipe) response.body_pipe->Hold(turn);  // its turn lasts as its body
    // With no route idle time, the proxy's own bounds a body stalled either way (Envoy's
    // stream idle timeout): a client that stops reading must not hold it for good.
    const std::chrono::milliseconds body_idle =
        state.idle.count() > 0 ? state.idle : context.snapshot->config.http.idle_timeout;
    pool.HoldForTail(cluster.config.name, link, result, body_idle, counters);
    if (response.keep_alive) {
      link.reused = true;
    } else {
      link.Drop();
    }
    if (state.MayRetryStatus(attempt, response)) {
      // Kept whole in case every retry fails too; a body cut short leaves nothing to keep.
      // (No co_await inside || or &&: GCC 12 evaluates it regardless.)
      const size_t limit = context.snapshot->config.http.max_body_bytes;
      bool whole = true;
      if (response.body_pipe) {
        whole = co_await response.body_pipe->ReadWhole(response.body, limit);
        if (whole) response.trailers = response.body_pipe->TakeTrailers();
        response.body_pipe->Abandon();
      } else if (response.BodyLengthKnown() && response.BodyBytes() > limit) {
        whole = false;
      } else if (response.tail) {
        whole = co_await response.tail->ReadInto(response.body,
                                                 limit - std::min(limit, response.body.size()));
      }
      response.tail.reset();
      response.body_pipe.reset();
      if (whole) {
        state.retried_response = std::move(response);
      } else {
        state.retried_response.reset();
      }
      co_return Verdict::kRetry;
    }
    out = std::move(result.response);
    co_return Verdict::kAnswer;
  }

  link.Drop();
  state.retried_response.reset();
  if (result.outcome == ExchangeResult::Outcome::kIdleTimeout) {
    state.went_quiet = true;  // Envoy ends the stream; no retry
    co_return Verdict::kGiveUp;
  }
  state.timed_out = result.outcome == ExchangeResult::Outcome::kTimeout;
  if (state.timed_out) cluster.upstream.rq_timeout.Inc();
  state.failure = std::move(result.failure);
  // A kept-alive connection the upstream had already closed: the request never got there,
  // so one extra attempt is free.
  const bool never_reached =
      state.failure.kind == FailureKind::kClosed && (!http2 || result.unsent);
  if (reused && never_reached && !state.timed_out && !state.stale_retry_used) {
    state.stale_retry_used = true;
    co_return Verdict::kFreeRetry;
  }
  co_return state.MayRetryFailure() ? Verdict::kRetry : Verdict::kGiveUp;
}

asio::awaitable<HttpResponse> SendWithRetries(const RouterContext& context, ClusterState& cluster,
                                              const Route& route, UpstreamPool& pool,
                                              const HttpRequest& request,
                                              const CircuitBreaker::Turn& turn,
                                              SteadyClock::time_point start) {
  // An HTTP/1.1 client's body streamed on (a tail) is not kept: one attempt. An HTTP/2
  // client's (a pipe) is kept while it fits the limit: retried if it still can be (Rewind).
  const bool one_shot = SentOnce(request, UsesHttp2(cluster.config.protocol));
  Attempts state(route, /*replayable=*/!request.tail, start);
  const std::string& key = cluster.config.name;
  bool first = true;
  for (uint32_t attempt = 0; attempt < state.total; ++attempt) {
    if (request.cancelled()) co_return LocalReply(503, "the client reset the request");
    // A body streaming from an HTTP/2 client is sent again only while it is kept whole.
    if (!first && request.body_pipe && !request.body_pipe->Rewind()) break;
    first = false;
    if (attempt > 0) cluster.upstream.rq_retry.Inc();
    if (SteadyClock::now() >= state.deadline) break;
    HttpResponse response;
    // A streamed body cannot be sent again: no kept-alive connection, which may turn out closed.
    UpstreamLink link = one_shot ? UpstreamLink{} : pool.Take(key);
    const Verdict verdict =
        co_await Attempt(context, cluster, pool, link, request, turn, attempt, state, response);
    pool.Give(key, std::move(link));
    if (verdict == Verdict::kAnswer) co_return response;
    if (verdict == Verdict::kGiveUp) break;
    if (verdict == Verdict::kFreeRetry) --attempt;  // wraps to 0 and back: well defined
  }
  if (state.went_quiet) {
    context.http->rq_idle_timeout.Inc();
    co_return LocalReply(408, "stream timeout");  // Envoy's route idle_timeout, no response yet
  }
  if (state.retried_response) co_return std::move(*state.retried_response);
  // The client left: no answer will be sent, so none is counted.
  if (request.cancelled()) co_return LocalReply(503, "the client reset the request");
  if (SteadyClock::now() >= state.deadline) state.timed_out = true;
  co_return FinalFailure(context, cluster, state.failure, state.timed_out, state.total > 1);
}

CircuitBreaker* BreakerOf(const RouterContext& context, const std::string& cluster) {
  if (context.breakers == nullptr) return nullptr;
  auto it = context.breakers->find(cluster);
  return it == context.breakers->end() ? nullptr : it->second.get();
}

asio::awaitable<HttpResponse> RouteRequest(const RouterContext& context, UpstreamPool& pool,
                                           const VirtualService* service, HttpRequest& request) {
  const ProxySnapshot& snapshot = *context.snapshot;
  const Route* route = service == nullptr ? nullptr : snapshot.routes->Match(*service, request);
  const WeightedTarget* target =
      route == nullptr ? nullptr : RouteTable::PickTarget(*route, RandomForPick());
  auto cluster =
      target == nullptr ? snapshot.clusters.end() : snapshot.clusters.find(target->cluster);
  if (cluster == snapshot.clusters.end()) {
    context.no_route->Inc();
    co_return LocalReply(404, "");
  }
  request.keep_alive = true;  // towards the upstream; the caller kept the downstream's own wish
  RouteTable::ApplyRewrite(*route, request);

  // A virtual gateway's connectionPool: the request waits its turn at the cluster, within the
  // route's time (or the idle time when the route sets none), which the wait then counts in.
  const SteadyClock::time_point start = SteadyClock::now();
  CircuitBreaker::Turn turn;
  CircuitBreaker* breaker = BreakerOf(context, cluster->first);
  if (breaker != nullptr) {
    ClusterState& state = *cluster->second;
    const Milliseconds wait =
        route->timeout.count() > 0 ? route->timeout : snapshot.config.http.idle_timeout;
    std::optional<HttpResponse> refused = co_await AwaitTurn(
        *breaker, state.upstream, snapshot.config.error_style, wait, request, turn);
    if (refused) {
      if (!request.cancelled()) state.upstream.CountResponse(refused->status);
      co_return std::move(*refused);
    }
  }
  co_return co_await SendWithRetries(context, *cluster->second, *route, pool, request, turn, start);
}

// Which HTTP/2 requests stream through (StreamRule): those whose route goes to HTTP/2 clusters
// only, and those to HTTP/1.1 clusters only whose body is over the limit or of no declared
// length (held whole, they would get 413 past it): see StreamsToHttp1.
bool StreamsThrough(const RouterContext& context, const VirtualService* service,
                    const HttpRequest& request) {
  const ProxySnapshot& snapshot = *context.snapshot;
  const Route* route = service == nullptr ? nullptr : snapshot.routes->Match(*service, request);
  if (route == nullptr || route->targets.empty()) return false;
  size_t http2 = 0;
  for (const WeightedTarget& target : route->targets) {
    auto cluster = snapshot.clusters.find(target.cluster);
    if (cluster == snapshot.clusters.end()) return false;
    http2 += UsesHttp2(cluster->second->config.protocol) ? 1 : 0;
  }
  if (http2 == route->targets.size()) return true;
  return http2 == 0 && StreamsToHttp1(request, snapshot.config.http);
}

}  // namespace

asio::awaitable<void> ServeRoutedHttp(RouterContext context, ServiceResolver resolve,
                                      std::shared_ptr<ByteStream> down) {
  const HttpLimits& limits = context.snapshot->config.http;
  UpstreamPool pool;
  RequestHandler handler = [&context, &resolve, &pool](HttpRequest& request) {
    return RouteRequest(context, pool, resolve(request), request);
  };
  StreamRule streams = [&context, &resolve](HttpRequest& request) {
    return StreamsThrough(context, resolve(request), request);
  };
  co_await ServeHttp(*context.core, *context.snapshot, std::move(down), limits, *context.http,
                     limits.idle_timeout, std::move(handler), std::move(streams));
}

}  // namespace crossmesh::proxy
