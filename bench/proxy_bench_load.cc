#include "bench/proxy_bench_load.h"

#include <utility>  // before Asio: awaitable.hpp uses std::exchange

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <thread>
#include <vector>

namespace crossmesh::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Reads one HTTP message head and its Content-Length body into `buffer`; false on error.
asio::awaitable<bool> ReadMessage(tcp::socket& socket, std::string& buffer, std::string& head) {
  ErrorCode ec;
  const size_t head_end =
      co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n\r\n",
                                      asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  head = buffer.substr(0, head_end);
  buffer.erase(0, head_end);
  size_t length = 0;
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (size_t at = lower.find("content-length:"); at != std::string::npos) {
    length = std::stoul(lower.substr(at + 15));
  }
  if (buffer.size() < length) {
    co_await asio::async_read(socket, asio::dynamic_buffer(buffer),
                              asio::transfer_exactly(length - buffer.size()),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
  }
  buffer.erase(0, length);
  co_return true;
}

asio::awaitable<void> ServeHttp(tcp::socket socket) {
  std::string buffer;
  std::string head;
  while (co_await ReadMessage(socket, buffer, head)) {
    size_t size = 0;
    if (size_t at = head.find("/bytes/"); at != std::string::npos)
      size = std::stoul(head.substr(at + 7));
    // wrk reconnects only when the response says close, so "Connection: close" is honoured.
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    const bool close = lower.find("connection: close") != std::string::npos;
    std::string response = "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(size) +
                           (close ? "\r\nconnection: close" : "") + "\r\n\r\n";
    response.append(size, 'b');
    ErrorCode ec;
    co_await asio::async_write(socket, asio::buffer(response),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec || close) break;
  }
}

asio::awaitable<void> ServeEcho(tcp::socket socket) {
  std::vector<char> chunk(64 * 1024);
  for (;;) {
    ErrorCode ec;
    const size_t n = co_await socket.async_read_some(asio::buffer(chunk),
                                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    co_await asio::async_write(socket, asio::buffer(chunk.data(), n),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, bool http) {
  for (;;) {
    ErrorCode ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = acceptor.get_executor();
    if (http) {
      asio::co_spawn(executor, ServeHttp(std::move(socket)), asio::detached);
    } else {
      asio::co_spawn(executor, ServeEcho(std::move(socket)), asio::detached);
    }
  }
}

struct Shared {
  const LoadSpec& spec;
  SteadyClock::time_point deadline;
  uint64_t issued = 0;
  uint64_t errors = 0;
  std::vector<double> latencies_us;
};

asio::awaitable<bool> OneRequest(tcp::socket& socket, const LoadSpec& spec,
                                 const std::string& request, std::string& buffer) {
  ErrorCode ec;
  co_await asio::async_write(socket, asio::buffer(request),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  if (spec.tcp) {
    buffer.clear();
    co_await asio::async_read(socket, asio::dynamic_buffer(buffer),
                              asio::transfer_exactly(spec.body_bytes),
                              asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }
  std::string head;
  co_return co_await ReadMessage(socket, buffer, head);
}

asio::awaitable<void> Client(Shared& shared, const std::string request) {
  const LoadSpec& spec = shared.spec;
  auto executor = co_await asio::this_coro::executor;
  const tcp::endpoint target(asio::ip::make_address("127.0.0.1"), spec.port);
  tcp::socket socket(executor);
  std::string buffer;
  while (shared.issued < spec.max_requests && SteadyClock::now() < shared.deadline) {
    ++shared.issued;
    const auto start = SteadyClock::now();
    ErrorCode ec;
    if (!socket.is_open() || spec.new_connection_each) {
      socket.close(ec);
      buffer.clear();
      co_await socket.async_connect(target, asio::redirect_error(asio::use_awaitable, ec));
      socket.set_option(tcp::no_delay(true), ec);
    }
    if (ec || !co_await OneRequest(socket, spec, request, buffer)) {
      ++shared.errors;
      socket.close(ec);
      continue;
    }
    shared.latencies_us.push_back(
        std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
  }
  ErrorCode ignored;
  socket.close(ignored);
}

double Percentile(std::vector<double>& values, double fraction) {
  if (values.empty()) return 0;
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(fraction * values.size()));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(index), values.end());
  return values[index];
}

}  // namespace

LoadResult RunLoad(const LoadSpec& spec) {
  asio::io_context ioc(1);
  Shared shared{spec, SteadyClock::now() + spec.max_time, 0, 0, {}};
  shared.latencies_us.reserve(spec.max_requests);
  const std::string request =
      spec.tcp
          ? std::string(spec.body_bytes, 't')
          : "GET /bytes/" + std::to_string(spec.body_bytes) + " HTTP/1.1\r\nhost: " + spec.host +
                "\r\n" + (spec.new_connection_each ? "connection: close\r\n" : "") + "\r\n";
  const auto start = SteadyClock::now();
  for (int i = 0; i < spec.connections; ++i) {
    asio::co_spawn(ioc, Client(shared, request), asio::detached);
  }
  ioc.run();
  LoadResult result;
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  result.requests = shared.latencies_us.size();
  result.errors = shared.errors;
  result.p50_us = Percentile(shared.latencies_us, 0.50);
  result.p99_us = Percentile(shared.latencies_us, 0.99);
  return result;
}

struct Backend::Impl {
  asio::io_context ioc{1};
  tcp::acceptor http{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  tcp::acceptor echo{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;
};

Backend::Backend() : impl_(std::make_unique<Impl>()) {
  asio::co_spawn(impl_->ioc, Accept(impl_->http, true), asio::detached);
  asio::co_spawn(impl_->ioc, Accept(impl_->echo, false), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

Backend::~Backend() {
  impl_->ioc.stop();
  impl_->thread.join();
}

uint16_t Backend::http_port() const { return impl_->http.local_endpoint().port(); }
uint16_t Backend::tcp_port() const { return impl_->echo.local_endpoint().port(); }

}  // namespace crossmesh::bench
