// The two ends of the proxy bench: a backend (HTTP server answering "/bytes/<n>" with n bytes,
// and a TCP echo server) on a thread of its own, and a load generator that keeps N connections
// busy from the calling thread and measures each request's latency. Asio coroutines, loopback.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace crossmesh::bench {

struct LoadSpec {
  uint16_t port = 0;
  std::string host = "backend";  // the Host header
  int connections = 16;
  size_t body_bytes = 200;                   // response size (HTTP) or message size (TCP echo)
  bool tcp = false;                          // raw TCP echo instead of HTTP
  bool new_connection_each = false;          // one request per connection
  uint64_t max_requests = 20000;             // bounded in count ...
  std::chrono::milliseconds max_time{3000};  // ... and in time
};

struct LoadResult {
  uint64_t requests = 0;
  uint64_t errors = 0;
  double seconds = 0;
  double p50_us = 0;
  double p99_us = 0;
  double rps() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

LoadResult RunLoad(const LoadSpec& spec);

class Backend {
 public:
  Backend();
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;
  Backend(Backend&&) = delete;
  Backend& operator=(Backend&&) = delete;

  uint16_t http_port() const;
  uint16_t tcp_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crossmesh::bench
