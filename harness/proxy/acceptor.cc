#include "harness/proxy/acceptor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/config.h"

namespace crossmesh::proxy {

Acceptor::Acceptor(asio::io_context& ioc, bool one_thread)
    : ioc_(ioc), one_thread_(one_thread), strand_(asio::make_strand(ioc)), acceptor_(strand_) {}

Result<std::shared_ptr<Acceptor>> Acceptor::Bind(asio::io_context& ioc, const std::string& address,
                                                 uint16_t port, bool one_thread) {
  ErrorCode ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec || !ip.is_loopback()) {
    return Error("InvalidConfiguration",
                 fmt::format("'{}' is not a loopback address; proxies listen on 127.0.0.0/8 or "
                             "::1 only",
                             address));
  }
  auto self = std::make_shared<Acceptor>(ioc, one_thread);
  tcp::endpoint endpoint(ip, port);
  self->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) self->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) self->acceptor_.bind(endpoint, ec);
  if (!ec) self->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    const bool taken = ec == asio::error::address_in_use;
    return Error(kPortUnavailable,
                 fmt::format("cannot listen on {}:{}: {}{}", address, port, ec.message(),
                             taken ? fmt::format(" (another process holds it: ss -ltnp "
                                                 "'sport = :{}' shows which)",
                                                 port)
                                   : ""));
  }
  self->port_ = self->acceptor_.local_endpoint().port();
  return self;
}

void Acceptor::Start(Serve serve) {
  serve_ = std::move(serve);
  asio::co_spawn(
      strand_, [self = shared_from_this()] { return self->Loop(); }, asio::detached);
}

void Acceptor::Close() {
  asio::post(strand_, [self = shared_from_this()] {
    ErrorCode ignored;
    self->acceptor_.close(ignored);
  });
}

asio::awaitable<void> Acceptor::Loop() {
  auto self = shared_from_this();  // the loop keeps its acceptor alive
  while (acceptor_.is_open()) {
    ErrorCode ec;
    asio::any_io_executor connection_strand =
        one_thread_ ? asio::any_io_executor(ioc_.get_executor()) : asio::make_strand(ioc_);
    tcp::socket socket = co_await acceptor_.async_accept(
        connection_strand, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec) {
      // Out of descriptors and the like: back off a little instead of spinning.
      spdlog::warn("accept on port {} failed: {}", port_, ec.message());
      asio::steady_timer pause(strand_, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(connection_strand, serve_(std::move(socket)), asio::detached);
  }
}

}  // namespace crossmesh::proxy
