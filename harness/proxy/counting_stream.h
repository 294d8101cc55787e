// CountingStream: a ByteStream that adds the bytes it reads and writes to two counters
// (downstream_cx_rx_bytes_total / upstream_cx_rx_bytes_total and their tx twins).
#pragma once

#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/stats.h"

namespace crossmesh::proxy {

class CountingStream final : public ByteStream {
 public:
  CountingStream(std::shared_ptr<ByteStream> inner, Counter& rx, Counter& tx)
      : inner_(std::move(inner)), rx_(rx), tx_(tx) {}

  asio::awaitable<size_t> ReadSome(asio::mutable_buffer buffer, ErrorCode& ec) override {
    const size_t n = co_await inner_->ReadSome(buffer, ec);
    rx_.Inc(n);
    co_return n;
  }
  size_t ReadReady(asio::mutable_buffer buffer) override {
    const size_t n = inner_->ReadReady(buffer);
    rx_.Inc(n);
    return n;
  }
  bool InputWaiting() override { return inner_->InputWaiting(); }
  bool PeerGone() override { return inner_->PeerGone(); }
  asio::awaitable<void> Write(asio::const_buffer buffer, ErrorCode& ec) override {
    co_await inner_->Write(buffer, ec);
    if (!ec) tx_.Inc(buffer.size());
  }
  void ShutdownSend() override { inner_->ShutdownSend(); }
  void Close() override { inner_->Close(); }
  tcp::socket& socket() override { return inner_->socket(); }
  bool is_tls() const override { return inner_->is_tls(); }
  ByteStream& inner() { return *inner_; }

 private:
  std::shared_ptr<ByteStream> inner_;
  Counter& rx_;
  Counter& tx_;
};

}  // namespace crossmesh::proxy
