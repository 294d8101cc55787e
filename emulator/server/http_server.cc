#include "emulator/server/http_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "emulator/core/json_dump.h"
#include "emulator/emulator.h"
#include "emulator/protocol/protocol.h"

namespace crossmesh {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  Emulator& emulator;
  ServerOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::atomic<bool> stopping{false};
  std::atomic<int> open_connections{0};
  std::atomic<bool> drained{false};
  std::vector<std::thread> threads;
  std::thread stopper;
  uint16_t port = 0;

  Impl(Emulator& e, ServerOptions o) : emulator(e), options(std::move(o)) {}

  asio::awaitable<void> Accept();
  void Start(tcp::socket socket);
  void DrainAcceptQueue();
  asio::awaitable<void> Serve(tcp::socket socket);
  asio::awaitable<beast::error_code> ReadRequest(beast::tcp_stream& stream,
                                                 beast::flat_buffer& buffer,
                                                 http::request_parser<http::string_body>& parser,
                                                 bool& body_stalled);
  http::response<http::string_body> Respond(const http::request<http::string_body>& request,
                                            const std::string& remote);
  // Answers for requests whose body was not read, in the protocol their headers name.
  http::response<http::string_body> StalledBodyAnswer(
      const http::request<http::string_body>& request) const;
  http::response<http::string_body> OversizedBodyAnswer(
      const http::request<http::string_body>& request) const;
  // `error` in the protocol the request's headers name; the connection closes after it.
  http::response<http::string_body> UnreadBodyAnswer(
      const http::request<http::string_body>& request, const Status& error) const;
  // The answer to a request that could not be read (`ec`): its body too large, or its headers
  // too large or malformed, answered in JSON as nothing names a protocol then.
  http::response<http::string_body> BadRequestAnswer(
      beast::error_code ec, const http::request<http::string_body>& request) const;
  static http::response<http::string_body> TransportError(int status, std::string_view code,
                                                          std::string message);
};

namespace {

WireRequest ToWire(const http::request<http::string_body>& request, const std::string& remote) {
  WireRequest wire;
  wire.method = std::string(request.method_string());
  std::string_view target(request.target().data(), request.target().size());
  size_t question = target.find('?');
  wire.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) wire.query = std::string(target.substr(question + 1));
  for (const auto& field : request) {
    wire.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  wire.body = request.body();
  wire.remote_address = remote;
  return wire;
}

// The request line and headers of a request whose body was not read, for error rendering.
WireRequest HeadToWire(const http::request<http::string_body>& request) {
  http::request<http::string_body> head(request.base());
  return ToWire(head, {});
}

http::response<http::string_body> ToBeast(WireResponse wire, unsigned version, bool keep_alive) {
  http::response<http::string_body> response{static_cast<http::status>(wire.status), version};
  response.set(http::field::server, "crossmesh");
  for (auto& [name, value] : wire.headers) response.set(name, value);
  response.body() = std::move(wire.body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

// The read deadline of one body, shared with the timer's handler, which may run after the read
// has ended (both run on the connection's strand, so no lock).
struct BodyDeadline {
  bool read_done = false;
  bool fired = false;
};

}  // namespace

http::response<http::string_body> HttpServer::Impl::TransportError(int status,
                                                                   std::string_view code,
                                                                   std::string message) {
  http::response<http::string_body> response{static_cast<http::status>(status), 11};
  response.set(http::field::content_type, "application/json");
  response.set("x-amzn-ErrorType", std::string(code));
  response.body() = DumpJson(nlohmann::json{{"__type", code}, {"message", std::move(message)}});
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

http::response<http::string_body> HttpServer::Impl::Respond(
    const http::request<http::string_body>& request, const std::string& remote) {
  WireResponse wire = emulator.Handle(ToWire(request, remote));
  return ToBeast(std::move(wire), request.version(), request.keep_alive() && !stopping);
}

http::response<http::string_body> HttpServer::Impl::StalledBodyAnswer(
    const http::request<http::string_body>& request) const {
  return UnreadBodyAnswer(
      request, Error("RequestTimeoutException",
                     fmt::format("the request body did not arrive within {} s of its headers; "
                                 "send the whole body without pausing",
                                 options.idle_timeout_seconds)));
}

http::response<http::string_body> HttpServer::Impl::OversizedBodyAnswer(
    const http::request<http::string_body>& request) const {
  return UnreadBodyAnswer(
      request, Error("RequestEntityTooLargeException",
                     fmt::format("the request body exceeds the {}-byte limit; send a smaller "
                                 "body or raise crossmesh serve --max-body-bytes",
                                 options.max_body_bytes)));
}

http::response<http::string_body> HttpServer::Impl::UnreadBodyAnswer(
    const http::request<http::string_body>& request, const Status& error) const {
  WireResponse wire = emulator.RenderTransportError(HeadToWire(request), error);
  return ToBeast(std::move(wire), request.version(), false);
}

http::response<http::string_body> HttpServer::Impl::BadRequestAnswer(
    beast::error_code ec, const http::request<http::string_body>& request) const {
  if (ec == http::error::body_limit) return OversizedBodyAnswer(request);
  if (ec == http::error::header_limit) {
    return TransportError(
        431, "RequestHeaderFieldsTooLarge",
        fmt::format("the request headers exceed the {}-byte limit", options.max_header_bytes));
  }
  return TransportError(400, "BadRequestException",
                        fmt::format("malformed HTTP request ({}); crossmesh expects HTTP/1.1 "
                                    "requests from an AWS client",
                                    ec.message()));
}

asio::awaitable<beast::error_code> HttpServer::Impl::ReadRequest(
    beast::tcp_stream& stream, beast::flat_buffer& buffer,
    http::request_parser<http::string_body>& parser, bool& body_stalled) {
  const auto idle = std::chrono::seconds(options.idle_timeout_seconds);
  beast::error_code ec;

  // The headers under the stream's own timeout: a peer that sent nothing or half a header has
  // made no request to answer, and tcp_stream closes its socket. A keep-alive connection may
  // wait the idle time for its next request; once it begins, its headers have less.
  stream.expires_after(idle);
  if (buffer.size() == 0) {
    constexpr size_t kFirstRead = 4096;
    const size_t n = co_await stream.async_read_some(buffer.prepare(kFirstRead),
                                                     asio::redirect_error(asio::use_awaitable, ec));
    buffer.commit(n);
    if (ec) co_return ec;
  }
  stream.expires_after(
      std::min<std::chrono::seconds>(idle, std::chrono::seconds(options.header_timeout_seconds)));
  co_await http::async_read_header(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec || parser.is_done()) co_return ec;
  // Beast adds a chunked body's trailer fields to the header's: a trailer could then pass for
  // an Authorization or X-Amz-Target the request never had. The request is its header.
  const http::request_header<> head = parser.get().base();

  // The body under a timer of our own that only cancels the read: tcp_stream's timer would close
  // the socket, leaving no way to send the 408 a request that stalls mid-body is owed.
  stream.expires_never();
  auto deadline = std::make_shared<BodyDeadline>();
  asio::steady_timer timer(co_await asio::this_coro::executor, idle);
  timer.async_wait([deadline, &stream](beast::error_code timer_ec) {
    if (timer_ec || deadline->read_done) return;
    deadline->fired = true;
    stream.socket().cancel(timer_ec);
  });
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) parser.get().base() = head;
  deadline->read_done = true;
  timer.cancel();

  body_stalled = deadline->fired;
  stream.expires_after(idle);  // bounds the write of the answer, as for the headers
  co_return ec;
}

asio::awaitable<void> HttpServer::Impl::Serve(tcp::socket socket) {
  beast::error_code ec;
  std::string remote = socket.remote_endpoint(ec).address().to_string();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;

  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    bool body_stalled = false;
    ec = co_await ReadRequest(stream, buffer, parser, body_stalled);

    if (body_stalled) {
      auto response = StalledBodyAnswer(parser.get());
      spdlog::info("request body timed out from {}: {} {}", remote,
                   std::string(parser.get().method_string()), std::string(parser.get().target()));
      co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == http::error::partial_message) {
      // The peer went away, or stalled before its headers were whole: there is nobody to answer.
      spdlog::debug("connection from {} closed: {}", remote, ec.message());
      break;
    }
    if (ec) {
      auto response = BadRequestAnswer(ec, parser.get());
      spdlog::info("bad request from {}: {}", remote, ec.message());
      co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
      break;
    }

    http::response<http::string_body> response;
    try {
      response = Respond(parser.get(), remote);
    } catch (const std::exception& e) {
      // A request the emulator could not handle still gets an answer, and the connection is
      // accounted for (an escaping exception would end this coroutine mid-way).
      spdlog::error("request {} {} from {} failed: {}", std::string(parser.get().method_string()),
                    std::string(parser.get().target()), remote, e.what());
      response = TransportError(500, "InternalFailure",
                                fmt::format("crossmesh could not handle this request ({}); "
                                            "please report it",
                                            e.what()));
    }
    bool keep_alive = response.keep_alive();
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep_alive) break;
  }

  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  --open_connections;
}

asio::awaitable<void> HttpServer::Impl::Accept() {
  while (!stopping) {
    beast::error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    Start(std::move(socket));
  }
}

void HttpServer::Impl::Start(tcp::socket socket) {
  ++open_connections;  // counted here, not when Serve first runs: Stop waits on the count
  // A strand per connection: the body timer's handler and the coroutine share the socket.
  asio::co_spawn(asio::make_strand(ioc), Serve(std::move(socket)), asio::detached);
}

// Connections the kernel completed but nobody accepted yet would be reset when the acceptor
// closes: accept and serve them too.
void HttpServer::Impl::DrainAcceptQueue() {
  beast::error_code ec;
  acceptor.non_blocking(true, ec);
  while (!ec) {
    tcp::socket socket(ioc);
    acceptor.accept(socket, ec);
    if (!ec) Start(std::move(socket));
  }
  acceptor.close(ec);
  drained = true;
}

HttpServer::HttpServer(Emulator& emulator, ServerOptions options)
    : impl_(std::make_unique<Impl>(emulator, std::move(options))) {}

HttpServer::~HttpServer() {
  Stop();
  Join();
}

Result<uint16_t> HttpServer::Listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec || !address.is_loopback()) {
    return Error("InvalidConfiguration",
                 fmt::format("'{}' is not a loopback IP address; crossmesh serves on "
                             "127.0.0.0/8 or ::1 only (give an address such as 127.0.0.1; names "
                             "like localhost are not resolved)",
                             impl_->options.address));
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error("InvalidConfiguration",
                 fmt::format("cannot listen on {}:{}: {}; pick another --port (0 picks a free "
                             "one)",
                             impl_->options.address, impl_->options.port, ec.message()));
  }
  impl_->port = acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->Accept(), asio::detached);
  return impl_->port;
}

std::string HttpServer::Url() const {
  std::string host = impl_->options.address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return fmt::format("http://{}:{}", host, impl_->port);
}

void HttpServer::Run() {
  auto work = [this] { impl_->ioc.run(); };
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->options.threads; ++i) extra.emplace_back(work);
  work();
  for (auto& t : extra) t.join();
}

void HttpServer::RunInBackground() {
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
}

void HttpServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  asio::post(impl_->ioc, [this] { impl_->DrainAcceptQueue(); });
  // Let requests in flight finish, then end the loop even if idle keep-alive peers linger.
  impl_->stopper = std::thread([this] {
    for (int i = 0; i < 50 && !impl_->drained; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (int i = 0; i < 50 && impl_->open_connections > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    impl_->ioc.stop();
  });
}

void HttpServer::Join() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
  if (impl_->stopper.joinable()) impl_->stopper.join();
}

}  // namespace crossmesh
