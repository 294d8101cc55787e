#include "harness/proxy/byte_stream.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace crossmesh::proxy {

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  if (endpoint.address().is_v6()) {
    return fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port());
  }
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

std::string ByteStream::LocalAddress() {
  ErrorCode ec;
  auto endpoint = socket().local_endpoint(ec);
  return ec ? std::string() : FormatEndpoint(endpoint);
}

std::string ByteStream::PeerAddress() {
  ErrorCode ec;
  auto endpoint = socket().remote_endpoint(ec);
  return ec ? std::string() : FormatEndpoint(endpoint);
}

asio::awaitable<size_t> PlainStream::ReadSome(asio::mutable_buffer buffer, ErrorCode& ec) {
  const size_t n =
      co_await socket_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
  CountRead(n);
  co_return n;
}

size_t PlainStream::ReadReady(asio::mutable_buffer buffer) {
  if (!socket_.is_open()) return 0;
  for (;;) {
    const ssize_t n = ::recv(socket_.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n > 0) {
      CountRead(static_cast<size_t>(n));
      return static_cast<size_t>(n);
    }
    if (n < 0 && errno == EINTR) continue;
    return 0;  // nothing yet (EAGAIN), or the end or an error, for ReadSome to report
  }
}

bool PlainStream::InputWaiting() {
  if (!socket_.is_open()) return true;
  for (;;) {
    char byte = 0;
    const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n >= 0) return true;  // a byte, or the end of the stream
    if (errno == EINTR) continue;
    return errno != EAGAIN && errno != EWOULDBLOCK;  // failed: nothing to reuse
  }
}

bool PlainStream::PeerGone() {
  if (!socket_.is_open()) return true;
  for (;;) {
    char byte = 0;
    const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n >= 0) return n == 0;  // the end of the stream, or a byte before it
    if (errno == EINTR) continue;
    return errno != EAGAIN && errno != EWOULDBLOCK;  // reset
  }
}

asio::awaitable<void> PlainStream::Write(asio::const_buffer buffer, ErrorCode& ec) {
  co_await asio::async_write(socket_, buffer, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) CountWritten(buffer.size());
}

void PlainStream::ShutdownSend() {
  ErrorCode ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void PlainStream::Close() {
  ErrorCode ignored;
  socket_.close(ignored);
}

bool IsPeerGone(const ErrorCode& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::operation_aborted ||
         ec == asio::error::bad_descriptor || ec == asio::ssl::error::stream_truncated;
}

}  // namespace crossmesh::proxy
