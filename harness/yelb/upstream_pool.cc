#include "harness/yelb/upstream_pool.h"

#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <vector>

namespace crossmesh::yelb {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;

namespace {

constexpr size_t kMaxAnswerBytes = size_t{8} * 1024 * 1024;

// RFC 9110 7.6.1: connection-specific fields are not forwarded by a proxy.
bool HopByHop(beast::string_view name) {
  for (beast::string_view hop : {"connection", "keep-alive", "proxy-connection", "te", "trailer",
                                 "transfer-encoding", "upgrade", "content-length", "host"}) {
    if (beast::iequals(name, hop)) return true;
  }
  return false;
}

BeastRequest ToUpstream(const HttpRequest& request, const std::string& host_header) {
  BeastRequest out;
  out.method_string(request.method);
  out.target(request.target);
  out.version(11);
  for (const auto& [name, value] : request.headers) {
    if (!HopByHop(name)) out.insert(name, value);
  }
  out.set(http::field::host, host_header);
  out.keep_alive(true);
  out.body() = request.body;
  out.prepare_payload();
  return out;
}

HttpReply ToReply(BeastResponse response) {
  HttpReply reply;
  reply.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    if (!HopByHop(field.name_string())) {
      reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
  }
  reply.body = std::move(response.body());
  return reply;
}

// The result of one request/answer exchange on one connection.
struct Exchange {
  beast::error_code ec;
  std::string stage;      // where it failed: "connect to", "send to", "read the answer of"
  bool got_some = false;  // any answer byte received
  bool reusable = false;
  BeastResponse response;
};

// Runs on the connection's own strand: a Beast stream (and its timeout timer) must only be
// used from one strand, and pooled connections are reused by requests on other strands.
asio::awaitable<Exchange> RoundTrip(beast::tcp_stream& stream, const BeastRequest& request,
                                    const tcp::endpoint* connect_to,
                                    std::chrono::milliseconds timeout) {
  Exchange x;
  stream.expires_after(timeout);
  if (connect_to) {
    x.stage = "connect to";
    co_await stream.async_connect(*connect_to, asio::redirect_error(asio::use_awaitable, x.ec));
    if (x.ec) co_return x;
  }
  x.stage = "send to";
  co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, x.ec));
  if (x.ec) co_return x;

  x.stage = "read the answer of";
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  co_await http::async_read(stream, buffer, parser,
                            asio::redirect_error(asio::use_awaitable, x.ec));
  x.got_some = parser.got_some();
  if (!x.ec) {
    x.response = parser.release();
    x.reusable = x.response.keep_alive() && buffer.size() == 0;
  }
  co_return x;
}

}  // namespace

struct UpstreamPool::Impl {
  UpstreamOptions options;
  asio::io_context& context;
  tcp::endpoint endpoint;
  std::mutex mutex;
  std::vector<std::unique_ptr<beast::tcp_stream>> idle;
  std::atomic<uint64_t> forwarded{0}, opened{0}, failures{0};

  Impl(UpstreamOptions o, asio::io_context& c) : options(std::move(o)), context(c) {
    beast::error_code ec;
    endpoint =
        tcp::endpoint(asio::ip::make_address(options.endpoint.host, ec), options.endpoint.port);
  }

  std::unique_ptr<beast::tcp_stream> TakeIdle();
  void PutIdle(std::unique_ptr<beast::tcp_stream> stream);
  HttpReply FailureReply(const Exchange& x);
};

std::unique_ptr<beast::tcp_stream> UpstreamPool::Impl::TakeIdle() {
  std::lock_guard lock(mutex);
  while (!idle.empty()) {
    auto stream = std::move(idle.back());
    idle.pop_back();
    // An idle connection that became readable was closed (or reset) by the upstream.
    pollfd p{stream->socket().native_handle(), POLLIN, 0};
    if (poll(&p, 1, 0) == 0) return stream;
  }
  return nullptr;
}

void UpstreamPool::Impl::PutIdle(std::unique_ptr<beast::tcp_stream> stream) {
  std::lock_guard lock(mutex);
  if (idle.size() < options.max_idle) idle.push_back(std::move(stream));
}

HttpReply UpstreamPool::Impl::FailureReply(const Exchange& x) {
  bool timed_out = x.ec == beast::error::timeout;
  std::string title = timed_out ? "504 Gateway Timeout" : "502 Bad Gateway";
  std::string reason =
      timed_out ? fmt::format("no answer within {} ms", options.timeout.count()) : x.ec.message();
  std::string what = fmt::format("yelb-ui could not {} yelb-appserver at {} (Host {}): {}", x.stage,
                                 options.endpoint.ToString(), options.host_header, reason);
  HttpReply reply;
  reply.status = timed_out ? 504 : 502;
  reply.headers = {{"Content-Type", "text/html"}, {"X-Yelb-Error", what}};
  reply.body = fmt::format(
      "<html><head><title>{0}</title></head><body><h1>{0}</h1><p>{1}</p></body></html>\n", title,
      what);
  return reply;
}

UpstreamPool::UpstreamPool(UpstreamOptions options, asio::io_context& context)
    : impl_(std::make_shared<Impl>(std::move(options), context)) {}

UpstreamPool::~UpstreamPool() { CloseIdle(); }

asio::awaitable<HttpReply> UpstreamPool::Forward(HttpRequest request) {
  std::shared_ptr<Impl> impl = impl_;
  BeastRequest outgoing = ToUpstream(request, impl->options.host_header);
  Exchange x;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto stream = impl->TakeIdle();
    bool reused = stream != nullptr;
    if (!reused) {
      stream = std::make_unique<beast::tcp_stream>(asio::make_strand(impl->context));
      ++impl->opened;
    }
    x = co_await asio::co_spawn(
        stream->get_executor(),
        RoundTrip(*stream, outgoing, reused ? nullptr : &impl->endpoint, impl->options.timeout),
        asio::use_awaitable);
    if (!x.ec) {
      if (x.reusable) impl->PutIdle(std::move(stream));
      ++impl->forwarded;
      co_return ToReply(std::move(x.response));
    }
    // Only a reused connection that failed before any answer byte is retried: the upstream
    // closed it while idle and has not seen this request (nginx's proxy_next_upstream error).
    if (!reused || x.got_some || x.ec == beast::error::timeout) break;
    spdlog::debug("yelb-ui: idle upstream connection was closed ({}); retrying", x.ec.message());
  }
  ++impl->failures;
  spdlog::debug("yelb-ui: {} failed: {} {}", request.target, x.stage, x.ec.message());
  co_return impl->FailureReply(x);
}

void UpstreamPool::CloseIdle() {
  std::vector<std::unique_ptr<beast::tcp_stream>> closing;
  std::lock_guard lock(impl_->mutex);
  closing.swap(impl_->idle);
}

UpstreamCounters UpstreamPool::counters() const {
  return {impl_->forwarded.load(), impl_->opened.load(), impl_->failures.load()};
}

}  // namespace crossmesh::yelb
