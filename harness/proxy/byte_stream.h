// ByteStream: one connection as the proxy's session code sees it, plaintext or TLS alike, so
// the HTTP and TCP paths are written once. All operations of one stream run on one strand
// (the connection's), which is what lets a TCP splice read and write concurrently.
#pragma once

#include <utility>  // before Asio: awaitable.hpp uses std::exchange without it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <string>

#include "harness/proxy/stats.h"

namespace crossmesh::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

class ByteStream {
 public:
  ByteStream() = default;
  virtual ~ByteStream() = default;
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;
  ByteStream(ByteStream&&) = delete;
  ByteStream& operator=(ByteStream&&) = delete;

  // Reads at least one byte; 0 with `ec` set at end of stream or on error.
  virtual asio::awaitable<size_t> ReadSome(asio::mutable_buffer buffer, ErrorCode& ec) = 0;
  // Reads only bytes that are there already, without waiting: 0 when none are yet, or when the
  // stream ended or failed (the next ReadSome reports that). Lets a relay gather what has
  // arrived into one write.
  virtual size_t ReadReady(asio::mutable_buffer /*buffer*/) { return 0; }
  // True when bytes wait to be read, or the stream has ended or failed: on an upstream
  // connection, an answer (or bytes no request asked for) or its end. Never waits.
  virtual bool InputWaiting() { return false; }
  // True when the peer has ended the stream (a FIN, a TLS close_notify) or it failed (a
  // reset), with no bytes before that end: a client gone while its request is answered.
  // Never waits; bytes waiting (a pipelined request) are not an end.
  virtual bool PeerGone() { return false; }
  // Writes all of `buffer`.
  virtual asio::awaitable<void> Write(asio::const_buffer buffer, ErrorCode& ec) = 0;
  // Half-close: the peer reads end of stream. TLS streams send no close_notify here (waiting
  // for the peer's would stall the other direction); peers treat truncation as end of stream.
  virtual void ShutdownSend() = 0;
  // Closes at once; pending operations complete with operation_aborted.
  virtual void Close() = 0;
  virtual tcp::socket& socket() = 0;
  virtual bool is_tls() const = 0;

  std::string LocalAddress();
  std::string PeerAddress();

  // From now on, adds the bytes this stream reads and writes to `rx` and `tx`
  // (downstream_cx_rx_bytes_total / upstream_cx_rx_bytes_total and their tx twins). Counted
  // by the stream itself: a counting layer around it cost a coroutine frame per read and write.
  void CountInto(Counter& rx, Counter& tx) {
    rx_bytes_ = &rx;
    tx_bytes_ = &tx;
  }

 protected:
  void CountRead(size_t n) {
    if (rx_bytes_ != nullptr) rx_bytes_->Inc(n);
  }
  void CountWritten(size_t n) {
    if (tx_bytes_ != nullptr) tx_bytes_->Inc(n);
  }

 private:
  Counter* rx_bytes_ = nullptr;
  Counter* tx_bytes_ = nullptr;
};

class PlainStream final : public ByteStream {
 public:
  explicit PlainStream(tcp::socket socket) : socket_(std::move(socket)) {}

  asio::awaitable<size_t> ReadSome(asio::mutable_buffer buffer, ErrorCode& ec) override;
  size_t ReadReady(asio::mutable_buffer buffer) override;
  bool InputWaiting() override;
  bool PeerGone() override;
  asio::awaitable<void> Write(asio::const_buffer buffer, ErrorCode& ec) override;
  void ShutdownSend() override;
  void Close() override;
  tcp::socket& socket() override { return socket_; }
  bool is_tls() const override { return false; }

 private:
  tcp::socket socket_;
};

// True for errors that only mean the peer is gone: end of stream, reset, broken pipe, TLS
// truncation (no close_notify), or our own Close().
bool IsPeerGone(const ErrorCode& ec);

// "127.0.0.1:4567" (IPv6 in brackets).
std::string FormatEndpoint(const tcp::endpoint& endpoint);

}  // namespace crossmesh::proxy
