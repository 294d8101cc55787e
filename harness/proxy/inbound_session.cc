#include "harness/proxy/inbound_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/handshake_recorder.h"
#include "harness/proxy/http_router.h"
#include "harness/proxy/inbound_http.h"
#include "harness/proxy/splice.h"
#include "harness/proxy/tls_stream.h"
#include "harness/proxy/upstream_connector.h"
#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {
namespace {

constexpr unsigned char kTlsHandshakeRecord = 22;  // RFC 8446 5.1 ContentType.handshake

enum class FirstByte { kTls, kPlaintext, kClosed };

// PERMISSIVE lets TLS and plaintext clients in on one port, so it must know which one it has
// before choosing how to read. It looks at the first byte without consuming it (MSG_PEEK):
// a TLS client always starts with a handshake record (content type 22), which no HTTP request
// line, Redis command or PostgreSQL startup message starts with; the byte stays in the kernel
// buffer, so the TLS engine or the HTTP parser then reads the stream from its real start.
// A client that sends nothing (a server-speaks-first protocol) is treated as plaintext.
asio::awaitable<FirstByte> PeekFirstByte(tcp::socket& socket, std::chrono::milliseconds wait) {
  Watchdog watchdog(co_await asio::this_coro::executor);
  watchdog.Arm(wait, [&socket] {
    ErrorCode ignored;
    socket.cancel(ignored);
  });
  ErrorCode ec;
  co_await socket.async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
  watchdog.Disarm();
  if (watchdog.expired()) co_return FirstByte::kPlaintext;
  if (ec) co_return FirstByte::kClosed;

  unsigned char byte = 0;
  const size_t n = socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  if (ec || n == 0) co_return FirstByte::kClosed;
  co_return byte == kTlsHandshakeRecord ? FirstByte::kTls : FirstByte::kPlaintext;
}

TlsMode EffectiveMode(const Listener& listener) {
  return listener.tls ? listener.tls->mode : TlsMode::kDisabled;
}

// The TLS stream is registered before its handshake so that stopping the proxy also ends
// handshakes in progress (a slow client must not hold a stop up).
asio::awaitable<std::shared_ptr<ByteStream>> AcceptTls(const InboundContext& context,
                                                       tcp::socket socket,
                                                       ConnectionRegistry::Token& token) {
  InboundState& state = *context.state;
  const ProxyConfig& config = context.snapshot->config;
  HandshakeSite site = context.core->Site(HandshakeSide::kServer, state.scope.prefix(), state.ssl,
                                          config.error_style);
  Result<std::shared_ptr<TlsContext>> tls = state.tls->Current();
  if (!tls.ok()) {
    PlainStream plain(std::move(socket));
    RecordHandshakeNotStarted(site, plain.LocalAddress(), plain.PeerAddress(),
                              SecretMissingFailure());
    co_return nullptr;
  }
  auto stream =
      std::make_shared<TlsStream>(std::move(socket), std::move(tls).value(), TlsRole::kServer);
  token = context.core->connections().Add(stream);
  TransportFailure failure = co_await stream->Handshake(config.tls.handshake_timeout);
  if (!failure.failed()) failure = CheckResumedPeer(*stream, context.snapshot->clock());
  RecordHandshake(site, *stream, failure);
  if (!failure.failed()) co_return stream;
  if (failure.kind == FailureKind::kTimeout) state.cx_handshake_timeout.Inc();
  stream->Close();
  co_return nullptr;
}

asio::awaitable<void> ServeTcp(const InboundContext& context, std::shared_ptr<ByteStream> down) {
  InboundState& state = *context.state;
  // The listener's connectionPool: a connection past maxConnections is closed at once, as
  // Envoy's TCP proxy does when its circuit breaker is full.
  CircuitBreaker::Turn turn;
  if (state.breaker) {
    const CircuitBreaker::Entry entry =
        co_await state.breaker->Enter(std::chrono::milliseconds(0), nullptr, turn);
    if (entry != CircuitBreaker::Entry::kEntered) {
      state.app->cx_overflow.Inc();
      spdlog::debug("{}: connection to app {} refused: connectionPool maxConnections reached",
                    context.core->name(), state.config.app.ToString());
      down->Close();
      co_return;
    }
  }
  TransportFailure failure;
  tcp::socket app_socket = co_await ConnectTcp(state.config.app, std::chrono::seconds(5), failure);
  state.app->cx_total.Inc();
  if (failure.failed()) {
    state.app->cx_connect_fail.Inc();
    spdlog::debug("{}: app {} unreachable: {}", context.core->name(), state.config.app.ToString(),
                  failure.message);
    co_return;
  }
  auto app = std::make_shared<PlainStream>(std::move(app_socket));
  auto token = context.core->connections().Add(app);
  // Named, not braced in the co_await: GCC 12 destroys braced temporaries there twice.
  const SpliceCounters counters{&state.app->cx_tx_bytes, &state.app->cx_rx_bytes};
  co_await Splice(std::move(down), app, counters, state.config.idle_timeout);
}

// A virtual gateway's listener: its requests are routed here, as an outbound port routes
// them, rather than handed to an app (Envoy's gateway listener holds the route table itself).
asio::awaitable<void> ServeRoutingListener(const InboundContext& context,
                                           std::shared_ptr<ByteStream> down) {
  InboundState& state = *context.state;
  RouterContext router{.core = context.core.get(),
                       .snapshot = context.snapshot.get(),
                       .http = &state.http,
                       .no_route = &state.no_route,
                       .breakers = &state.cluster_breakers};
  const VirtualService* service =
      context.snapshot->routes->FindService(state.config.virtual_service);
  // Named, not built in the co_await: GCC 12 destroys such temporaries there twice.
  ServiceResolver resolve = [service](HttpRequest&) { return service; };
  co_await ServeRoutedHttp(router, std::move(resolve), std::move(down));
}

// Why listener connections beyond max_connections are not served.
bool Overflowing(const InboundContext& context) {
  return context.active->load() > context.state->config.max_connections;
}

struct ActiveCount {
  explicit ActiveCount(std::shared_ptr<std::atomic<size_t>> count) : count_(std::move(count)) {
    ++*count_;
  }
  ~ActiveCount() { --*count_; }
  ActiveCount(const ActiveCount&) = delete;
  ActiveCount& operator=(const ActiveCount&) = delete;
  ActiveCount(ActiveCount&&) = delete;
  ActiveCount& operator=(ActiveCount&&) = delete;

 private:
  std::shared_ptr<std::atomic<size_t>> count_;
};

}  // namespace

asio::awaitable<void> ServeInbound(InboundContext context, tcp::socket socket) {
  InboundState& state = *context.state;
  state.cx_total.Inc();
  ActiveCount active(context.active);
  if (Overflowing(context) || context.core->stopping()) {
    state.cx_overflow.Inc();
    co_return;  // the socket closes as it goes out of scope
  }

  const TlsMode mode = EffectiveMode(state.config);
  bool use_tls = mode == TlsMode::kStrict;
  if (mode == TlsMode::kPermissive) {
    FirstByte first =
        co_await PeekFirstByte(socket, context.snapshot->config.tls.permissive_peek_timeout);
    if (first == FirstByte::kClosed) co_return;
    use_tls = first == FirstByte::kTls;
    if (!use_tls) state.cx_plaintext.Inc();
  }

  std::shared_ptr<ByteStream> transport;
  ConnectionRegistry::Token token;
  if (use_tls) {
    transport = co_await AcceptTls(context, std::move(socket), token);
    if (transport == nullptr) co_return;
  } else {
    transport = std::make_shared<PlainStream>(std::move(socket));
    token = context.core->connections().Add(transport);
  }
  transport->CountInto(state.rx_bytes, state.tx_bytes);
  std::shared_ptr<ByteStream> down = transport;

  if (state.config.protocol == Protocol::kTcp) {
    co_await ServeTcp(context, down);
  } else if (!state.config.virtual_service.empty()) {
    co_await ServeRoutingListener(context, down);
  } else {
    co_await ServeInboundHttp(context, down);
  }
  transport->Close();
}

}  // namespace crossmesh::proxy
