// UpstreamPool: how yelb-ui forwards /api/* to yelb-appserver, as Yelb's nginx does with
// `proxy_pass` and `proxy_http_version 1.1`: HTTP/1.1 with keep-alive connections that are
// reused across requests, the Host header of the proxy_pass URL, 502 when the upstream cannot
// be reached and 504 when it does not answer in time.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "harness/yelb/endpoint.h"
#include "harness/yelb/http_types.h"
#include "harness/yelb/upstream_counters.h"

namespace boost::asio {
class io_context;
}

namespace crossmesh::yelb {

struct UpstreamOptions {
  Endpoint endpoint{};        // in the mesh: the ui sidecar's local egress port for the appserver
  std::string host_header{};  // "yelb-appserver:4567", what nginx sends for its proxy_pass URL
  std::chrono::milliseconds timeout{5000};  // connect, and the whole request/answer exchange
  size_t max_idle = 8;                      // idle keep-alive connections kept
};

class UpstreamPool {
 public:
  UpstreamPool(UpstreamOptions options, boost::asio::io_context& context);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // Sends the request upstream and returns its answer (hop-by-hop headers removed), or a 502 /
  // 504 page that says which upstream failed and why. A reused connection that the upstream
  // closed while idle is retried once on a fresh one, as nginx does.
  boost::asio::awaitable<HttpReply> Forward(HttpRequest request);
  // Closes the idle connections (on stop, so the upstream sees them go).
  void CloseIdle();
  UpstreamCounters counters() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace crossmesh::yelb
