#include "harness/proxy/inbound_http.h"

#include <optional>

#include "harness/proxy/counting_stream.h"
#include "harness/proxy/envoy_errors.h"
#include "harness/proxy/http_downstream.h"
#include "harness/proxy/http_exchange.h"
#include "harness/proxy/upstream_connector.h"

namespace crossmesh::proxy {
namespace {

constexpr std::chrono::seconds kAppConnectTimeout{5};

asio::awaitable<TransportFailure> ConnectApp(const InboundContext& context, UpstreamLink& app) {
  InboundState& state = *context.state;
  TransportFailure failure;
  state.app->cx_total.Inc();
  tcp::socket socket = co_await ConnectTcp(state.config.app, kAppConnectTimeout, failure);
  if (failure.failed()) {
    state.app->cx_connect_fail.Inc();
    co_return failure;
  }
  auto plain = std::make_shared<PlainStream>(std::move(socket));
  app.token = context.core->connections().Add(plain);
  app.stream =
      std::make_shared<CountingStream>(plain, state.app->cx_rx_bytes, state.app->cx_tx_bytes);
  app.reader.emplace(context.snapshot->config.http);
  app.reused = false;
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
asio::awaitable<HttpResponse> ForwardToApp(const InboundContext& context, UpstreamLink& app,
                                           const HttpRequest& request) {
  InboundState& state = *context.state;
  const ErrorStyle style = context.snapshot->config.error_style;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!app.stream) {
      TransportFailure failure = co_await ConnectApp(context, app);
      if (failure.failed()) co_return LocalReply(503, UpstreamFailureBody(failure, style, false));
    }
    state.app->rq_total.Inc();
    ExchangeResult result =
        co_await Exchange(*app.stream, *app.reader, request, AppTimeout(state.config));
    if (result.outcome == ExchangeResult::Outcome::kResponse) {
      state.app->CountResponse(result.response.status);
      if (!result.response.keep_alive) {
        app.Drop();
      } else {
        app.reused = true;
      }
      co_return std::move(result.response);
    }
    const bool stale = app.reused && result.outcome == ExchangeResult::Outcome::kReset;
    app.Drop();
    if (!stale) {
      HttpResponse reply = FailureReply(context, result);
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
  HttpReader reader(limits);
  UpstreamLink app;
  for (;;) {
    HttpRequest request;
    if (!co_await NextRequest(*down, reader, state.http, idle, request)) break;
    state.http.rq_total.Inc();
    HttpResponse response = co_await ForwardToApp(context, app, request);
    response.keep_alive = request.keep_alive && !context.core->stopping();
    state.http.CountResponse(response.status);
    if (!co_await SendResponse(*down, response, request.method == "HEAD")) break;
  }
  app.Drop();
}

}  // namespace crossmesh::proxy
