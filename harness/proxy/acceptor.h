// Acceptor: a bound loopback port and its accept loop. Every accepted connection gets a strand
// of its own (all of its streams, upstream ones included, live on it) and is served by a
// coroutine spawned there, so connections run in parallel on the pool and each one is
// single-threaded. On a one-thread pool everything is serialised already, and connections run
// on the io_context's executor directly, saving a strand dispatch per completion.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "emulator/core/status.h"
#include "harness/proxy/byte_stream.h"

namespace crossmesh::proxy {

class Acceptor : public std::enable_shared_from_this<Acceptor> {
 public:
  using Serve = std::function<asio::awaitable<void>(tcp::socket)>;

  // Binds and listens on `address`:`port` (0: a free port). InvalidConfiguration for a
  // non-loopback address or a port that cannot be bound.
  // `one_thread`: `ioc` runs on a single thread (no strands needed).
  static Result<std::shared_ptr<Acceptor>> Bind(asio::io_context& ioc, const std::string& address,
                                                uint16_t port, bool one_thread = false);

  uint16_t port() const { return port_; }
  void Start(Serve serve);
  // Stops accepting; connections already accepted are not touched. Idempotent, any thread.
  void Close();

  Acceptor(asio::io_context& ioc, bool one_thread);

 private:
  asio::awaitable<void> Loop();

  asio::io_context& ioc_;
  bool one_thread_;
  asio::any_io_executor strand_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  Serve serve_;
};

}  // namespace crossmesh::proxy
