// HttpServer: the emulator's HTTP/1.1 endpoint (Boost.Beast), loopback only.
//
// Keep-alive, concurrent connections on a small thread pool, a body-size limit, a header-size
// limit and an idle timeout per connection. A connection idle before a request, or whose
// request's headers take longer than the header timeout, is closed without an answer; a body that
// stalls gets a 408, and one too large a 413, each in the error shape of the protocol the headers
// name. Stop() is graceful: no new connections, requests in flight finish and are answered with
// "Connection: close".
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "emulator/core/status.h"

namespace crossmesh {

class Emulator;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 4580;  // 0 picks a free port
  size_t max_body_bytes = 8 * 1024 * 1024;
  size_t max_header_bytes = 64 * 1024;
  int threads = 2;
  int idle_timeout_seconds = 60;
  // From a request's first bytes to the end of its headers: a client sends them at once, and a
  // peer that trickles them would hold its connection for as long as it kept sending.
  int header_timeout_seconds = 10;
};

class HttpServer {
 public:
  HttpServer(Emulator& emulator, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the port (useful with port 0). Fails on non-loopback addresses.
  Result<uint16_t> Listen();
  // Serves until Stop(), on options.threads threads (the caller's included).
  void Run();
  // Starts Run() on background threads and returns at once (tests, in-process harness).
  void RunInBackground();
  // Graceful stop; safe from any thread and from a signal handler's strand.
  void Stop();
  // Blocks until a background Run() has ended.
  void Join();

  std::string Url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crossmesh
