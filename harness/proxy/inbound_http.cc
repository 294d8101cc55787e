#include "harness/proxy/inbound_http.h"

#include <algorithm>
#include <optional>

#include "harness/proxy/breaker_turn.h"
#include "harness/proxy/envoy_errors.h"
#include "harness/proxy/h2_body_pipe.h"
#include "harness/proxy/http_connection.h"
#include "harness/proxy/upstream_connector.h"
#include "harness/proxy/upstream_pool.h"

namespace crossmesh::proxy {
namespace {

constexpr std::chrono::seconds kAppConnectTimeout{5};

// The app's connections are keyed by this in the pool (one upstream per listener connection).
const std::string kAppKey = "app";

asio::awaitable<TransportFailure> ConnectApp(const InboundContext& context, UpstreamPool& pool,
                                             UpstreamLink& app) {
  InboundState& state = *context.state;
  TransportFailure failure;
  const bool http2 = UsesHttp2(state.config.protocol);
  if (http2) {
    const bool joined = co_await pool.JoinHttp2Connect(kAppKey, app);
    if (joined) co_return failure;
  }
  state.app->cx_total.Inc();
  tcp::socket socket = co_await ConnectTcp(state.config.app, kAppConnectTimeout, failure);
  if (failure.failed()) {
    if (http2) pool.EndHttp2Connect(kAppKey);
    state.app->cx_connect_fail.Inc();
    co_return failure;
  }
  auto plain = std::make_shared<PlainStream>(std::move(socket));
  app.token = context.core->connections().Add(plain);
  plain->CountInto(state.app->cx_rx_bytes, state.app->cx_tx_bytes);
  // http2 / grpc listeners reach their app with h2c, as Envoy's http2 local cluster.
  const bool adopted =
      co_await pool.Adopt(kAppKey, http2, std::move(plain), context.snapshot->config.http, app);
  if (!adopted) failure.kind = FailureKind::kClosed;
  co_return failure;
}

// The listener's perRequest: how long the app has to answer; 0 turns it off, as in Envoy.
std::chrono::milliseconds AppTimeout(const Listener& listener) {
  if (listener.request_timeout.count() > 0) return listener.request_timeout;
  return std::chrono::hours(24 * 365);
}

HttpResponse FailureReply(const InboundContext& context, const ExchangeResult& result) {
  if (result.outcome == ExchangeResult::Outcome::kTimeout) {
    return LocalReply(504, "upstream request timeout");
  }
  return LocalReply(
      503, UpstreamFailureBody(result.failure, context.snapshot->config.error_style, false));
}

// Forwards one request; a keep-alive app connection that turns out to be closed already is
// replaced once, since the request never reached the app.
asio::awaitable<HttpResponse> ForwardToApp(const InboundContext& context, UpstreamPool& pool,
                                           const HttpRequest& request) {
  InboundState& state = *context.state;
  const ErrorStyle style = context.snapshot->config.error_style;
  CircuitBreaker::Turn turn;  // held while the request (and its answer's body) is at the app
  const auto arrived = std::chrono::steady_clock::now();
  if (state.breaker) {
    std::optional<HttpResponse> refused = co_await AwaitTurn(
        *state.breaker, *state.app, style, AppTimeout(state.config), request, turn);
    if (refused) {
      if (!request.cancelled()) state.app->CountResponse(refused->status);  // one that is sent
      co_return std::move(*refused);
    }
  }
  // The time waiting for a turn is part of the request's: what is left of it bounds the app.
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - arrived);
  const std::chrono::milliseconds app_timeout =
      std::max(AppTimeout(state.config) - waited, std::chrono::milliseconds(1));
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (request.cancelled()) co_return LocalReply(503, "the client reset the request");
    // A body streaming from an HTTP/2 client is sent again only while it is kept whole.
    if (attempt > 0 && request.body_pipe && !request.body_pipe->Rewind()) break;
    // A streamed body cannot be sent again: no kept-alive connection, which may turn out closed.
    const bool one_shot = SentOnce(request, UsesHttp2(state.config.protocol));
    UpstreamLink app = one_shot ? UpstreamLink{} : pool.Take(kAppKey);
    if (!app.connected()) {
      TransportFailure failure = co_await ConnectApp(context, pool, app);
      if (failure.failed()) co_return LocalReply(503, UpstreamFailureBody(failure, style, false));
    }
    app.turn = turn;
    state.app->rq_total.Inc();
    const RelayCounters counters{&state.app->rq_rx_reset, &state.app->rq_timeout};
    ExchangeResult result = co_await ExchangeOn(app, request, app_timeout, {}, counters);
    if (result.outcome == ExchangeResult::Outcome::kResponse) {
      state.app->CountResponse(result.response.status);
      if (result.response.body_pipe) result.response.body_pipe->Hold(turn);
      // A body stalled either way (a client that stops reading) ends after the idle time.
      pool.HoldForTail(kAppKey, app, result, context.snapshot->config.http.idle_timeout, counters);
      if (!result.response.keep_alive) {
        app.Drop();
      } else {
        app.reused = true;
        pool.Give(kAppKey, std::move(app));
      }
      co_return std::move(result.response);
    }
    // A kept-alive HTTP/1.1 connection found closed, or an HTTP/2 one found closed before its
    // stream began: the request never reached the app. Not a stream the app reset, nor an
    // answer that broke HTTP: the app had the request, and a POST must not reach it twice.
    const bool stale = app.reused && result.outcome == ExchangeResult::Outcome::kReset &&
                       result.failure.kind == FailureKind::kClosed &&
                       (app.h2 == nullptr || result.unsent);
    app.Drop();
    if (request.cancelled()) co_return LocalReply(503, "the client reset the request");
    if (!stale) {
      HttpResponse reply = FailureReply(context, result);
      if (result.outcome == ExchangeResult::Outcome::kTimeout) state.app->rq_timeout.Inc();
      state.app->CountResponse(reply.status);
      co_return reply;
    }
  }
  co_return LocalReply(503,
                       "upstream connect error or disconnect/reset before headers. reset "
                       "reason: connection termination");
}

}  // namespace

asio::awaitable<void> ServeInboundHttp(const InboundContext& context,
                                       std::shared_ptr<ByteStream> down) {
  InboundState& state = *context.state;
  const HttpLimits& limits = context.snapshot->config.http;
  const std::chrono::milliseconds idle =
      state.config.idle_timeout.count() > 0 ? state.config.idle_timeout : limits.idle_timeout;
  UpstreamPool pool;
  RequestHandler handler = [&context, &pool](HttpRequest& request) {
    return ForwardToApp(context, pool, request);
  };
  // An http2 / grpc app: HTTP/2 clients' requests and answers stream through; to an HTTP/1.1
  // app, those StreamsToHttp1 picks.
  const bool http2 = UsesHttp2(state.config.protocol);
  StreamRule streams = [http2, &limits](HttpRequest& request) {
    return http2 || StreamsToHttp1(request, limits);
  };
  co_await ServeHttp(*context.core, *context.snapshot, std::move(down), limits, state.http, idle,
                     std::move(handler), std::move(streams));
}

}  // namespace crossmesh::proxy
