// HttpService: the HTTP/1.1 listener both Yelb apps use (Boost.Beast, coroutines): keep-alive,
// one strand per connection, a handler coroutine per request, on an io_context someone else runs
// (see io_runner.h).
//
// Stop() closes the listening socket and every open connection (idle keep-alive clients such as
// a sidecar's pool included), so nothing keeps serving after it; coroutines still in flight
// hold the shared state they use, so stopping while a request runs is safe.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "emulator/core/status.h"
#include "harness/yelb/http_types.h"

namespace boost::asio {
class io_context;
}

namespace crossmesh::yelb {

using HttpHandler = std::function<boost::asio::awaitable<HttpReply>(HttpRequest)>;

struct HttpServiceOptions {
  std::string name{};  // for log lines: "yelb-appserver"
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port
  std::chrono::seconds idle_timeout{60};
  size_t max_body_bytes = 1024 * 1024;
};

class HttpService {
 public:
  HttpService(HttpServiceOptions options, HttpHandler handler, boost::asio::io_context& context);
  ~HttpService();
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  // Binds (loopback only) and starts accepting; returns the bound port.
  Result<uint16_t> Start();
  // Idempotent. Waits (bounded) for open connections to close, unless called on a thread of the
  // io_context, where waiting would block the very loop that closes them.
  void Stop();
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  HttpServiceOptions options_;
  HttpHandler handler_;
  boost::asio::io_context& context_;
  std::shared_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace crossmesh::yelb
