#include "harness/yelb/http_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "harness/yelb/endpoint.h"

namespace crossmesh::yelb {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;

namespace {

HttpRequest ToRequest(BeastRequest& request, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  for (const auto& field : request) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(request.body());
  out.remote = remote;
  return out;
}

BeastResponse ToResponse(HttpReply reply, const BeastRequest& request, bool keep_alive) {
  BeastResponse response{static_cast<http::status>(reply.status), request.version()};
  for (auto& [name, value] : reply.headers) response.set(name, value);
  response.keep_alive(keep_alive);
  if (request.method() == http::verb::head) {
    response.content_length(reply.body.size());  // HEAD: the GET's length, no body
  } else {
    response.body() = std::move(reply.body);
    response.prepare_payload();
  }
  return response;
}

bool PeerLeft(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == beast::error::timeout || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == http::error::partial_message ||
         ec == asio::error::bad_descriptor;
}

}  // namespace

struct HttpService::Impl : std::enable_shared_from_this<HttpService::Impl> {
  HttpServiceOptions options;
  HttpHandler handler;
  tcp::acceptor acceptor;
  asio::io_context& ioc;
  std::atomic<bool> stopping{false};
  std::atomic<int> open{0};  // the accept loop plus every connection
  std::mutex mutex;
  std::map<uint64_t, std::weak_ptr<beast::tcp_stream>> connections;
  uint64_t next_id = 0;

  Impl(HttpServiceOptions o, HttpHandler h, asio::io_context& context)
      : options(std::move(o)),
        handler(std::move(h)),
        acceptor(asio::make_strand(context)),
        ioc(context) {}

  static asio::awaitable<void> Accept(std::shared_ptr<Impl> self);
  static asio::awaitable<void> Serve(std::shared_ptr<Impl> self, tcp::socket socket);
  asio::awaitable<HttpReply> Handle(BeastRequest& request, const std::string& remote);
  uint64_t Track(const std::shared_ptr<beast::tcp_stream>& stream);
  void Untrack(uint64_t id);
  void CloseAll();
};

uint64_t HttpService::Impl::Track(const std::shared_ptr<beast::tcp_stream>& stream) {
  std::lock_guard lock(mutex);
  connections[++next_id] = stream;
  return next_id;
}

void HttpService::Impl::Untrack(uint64_t id) {
  std::lock_guard lock(mutex);
  connections.erase(id);
}

void HttpService::Impl::CloseAll() {
  asio::post(acceptor.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor.close(ec);
  });
  std::lock_guard lock(mutex);
  for (auto& [id, weak] : connections) {
    if (auto stream = weak.lock()) {
      // Each connection's socket is only touched on its own strand.
      asio::post(stream->get_executor(), [stream] {
        beast::error_code ec;
        stream->socket().shutdown(tcp::socket::shutdown_both, ec);
        stream->close();
      });
    }
  }
}

asio::awaitable<HttpReply> HttpService::Impl::Handle(BeastRequest& request,
                                                     const std::string& remote) {
  try {
    co_return co_await handler(ToRequest(request, remote));
  } catch (const std::exception& e) {
    spdlog::warn("{}: request {} failed: {}", options.name, std::string(request.target()),
                 e.what());
  }
  co_return HttpReply{500, {{"Content-Type", "text/plain"}}, "internal error\n"};
}

asio::awaitable<void> HttpService::Impl::Serve(std::shared_ptr<Impl> self, tcp::socket socket) {
  beast::error_code ec;
  std::string remote = socket.remote_endpoint(ec).address().to_string();
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  uint64_t id = self->Track(stream);
  beast::flat_buffer buffer;

  while (!self->stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(self->options.max_body_bytes);
    stream->expires_after(self->options.idle_timeout);
    co_await http::async_read(*stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!PeerLeft(ec)) {
        spdlog::info("{}: bad request from {}: {}", self->options.name, remote, ec.message());
        BeastResponse bad{http::status::bad_request, 11};
        bad.body() = "malformed HTTP request: " + ec.message() + "\n";
        bad.prepare_payload();
        co_await http::async_write(*stream, bad, asio::redirect_error(asio::use_awaitable, ec));
      }
      break;
    }

    BeastRequest request = parser.release();
    bool keep_alive = request.keep_alive();
    HttpReply reply = co_await self->Handle(request, remote);
    BeastResponse response = ToResponse(std::move(reply), request, keep_alive && !self->stopping);
    co_await http::async_write(*stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) break;
  }

  stream->socket().shutdown(tcp::socket::shutdown_send, ec);
  self->Untrack(id);
  --self->open;
}

asio::awaitable<void> HttpService::Impl::Accept(std::shared_ptr<Impl> self) {
  while (!self->stopping) {
    beast::error_code ec;
    tcp::socket socket(asio::make_strand(self->ioc));
    co_await self->acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (self->stopping || ec == asio::error::operation_aborted) break;
      spdlog::warn("{}: accept failed: {}", self->options.name, ec.message());
      continue;
    }
    ++self->open;
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Serve(self, std::move(socket)), asio::detached);
  }
  --self->open;
}

HttpService::HttpService(HttpServiceOptions options, HttpHandler handler, asio::io_context& context)
    : options_(std::move(options)), handler_(std::move(handler)), context_(context) {}

HttpService::~HttpService() { Stop(); }

Result<uint16_t> HttpService::Start() {
  if (impl_) return Error("InvalidState", options_.name + " is already started");
  CM_RETURN_IF_ERROR(RequireLoopback(options_.address));
  impl_ = std::make_shared<Impl>(options_, handler_, context_);

  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(options_.address, ec), options_.port);
  auto& acceptor = impl_->acceptor;
  if (!ec) acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_.reset();
    return Error("InvalidConfiguration",
                 fmt::format("{} cannot listen on {}:{}: {}", options_.name, options_.address,
                             options_.port, ec.message()));
  }
  port_ = acceptor.local_endpoint(ec).port();
  ++impl_->open;
  asio::co_spawn(acceptor.get_executor(), Impl::Accept(impl_), asio::detached);
  return port_;
}

void HttpService::Stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  impl_->CloseAll();

  // Waiting on a loop thread would block the loop that runs the closes.
  bool can_wait = !context_.get_executor().running_in_this_thread() && !context_.stopped();
  for (int i = 0; can_wait && i < 200 && impl_->open > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (impl_->open > 0) {
    spdlog::debug("{}: {} connections still closing", options_.name, impl_->open.load());
  }
  spdlog::info("{} stopped", options_.name);
}

}  // namespace crossmesh::yelb
