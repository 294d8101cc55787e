// UpstreamPool: the upstream connections of one downstream connection, per upstream (a
// cluster, or the local app). An HTTP/1.1 link carries one request at a time: a request takes
// an idle one (or connects) and gives it back, so a downstream HTTP/2 connection's
// concurrent requests get one link each. An HTTP/2 connection carries them all at once.
// Everything stays on the downstream connection's strand; closed with the pool.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/proxy/h2_connection.h"
#include "harness/proxy/http_exchange.h"
#include "harness/proxy/stats.h"

namespace crossmesh::proxy {

class UpstreamPool {
 public:
  UpstreamPool() = default;
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;
  UpstreamPool(UpstreamPool&&) = delete;
  UpstreamPool& operator=(UpstreamPool&&) = delete;

  // A link to `key` ready to use (an idle HTTP/1.1 one, or the shared HTTP/2 connection), or
  // an empty one (no stream, no h2) for the caller to connect.
  UpstreamLink Take(const std::string& key);
  // Back after a request: kept when it is still open.
  void Give(const std::string& key, UpstreamLink link);
  // When `result`'s body is still on `link` (ExchangeResult::tail_bytes), moves the link into
  // the response's tail, leaving `link` empty: it comes back here once the body has crossed
  // (or closes, when the response ends its connection, or a request body streaming beside it
  // did not end whole). `idle`: the longest silence allowed, either way (a client that stops
  // reading included);
  // `counters`: a body its upstream cut short (upstream_rq_rx_reset), or whose time ran out
  // (upstream_rq_timeout).
  void HoldForTail(const std::string& key, UpstreamLink& link, ExchangeResult& result,
                   std::chrono::milliseconds idle, RelayCounters counters);

  // One HTTP/2 connection per upstream, as Envoy's pool. True when another request's connect
  // gave `link` a usable connection; false when the caller should connect (then Adopt the
  // stream, or EndHttp2Connect when connecting failed).
  asio::awaitable<bool> JoinHttp2Connect(const std::string& key, UpstreamLink& link);
  void EndHttp2Connect(const std::string& key);

  // A freshly connected `stream` as `link`: HTTP/1.1 (a reader over it) or HTTP/2 (a client
  // connection shared from now on). False when HTTP/2 could not start.
  asio::awaitable<bool> Adopt(const std::string& key, bool http2,
                              std::shared_ptr<ByteStream> stream, const HttpLimits& limits,
                              UpstreamLink& link);

 private:
  asio::awaitable<bool> BeginHttp2Connect(const std::string& key);
  // `link` freshly connected as HTTP/2: shared from now on. When another request connected
  // one first, that one is used and `link`'s connection closed unused.
  UpstreamLink ShareHttp2(const std::string& key, UpstreamLink link);

  struct Shared {
    std::shared_ptr<H2Connection> connection;
    ConnectionRegistry::Token token;
  };
  std::map<std::string, std::vector<UpstreamLink>> idle_;
  std::map<std::string, Shared> http2_;
  std::map<std::string, std::shared_ptr<asio::steady_timer>> connecting_;
};

// True when `request`'s body streams from its client (an HTTP/1.1 client's tail, or an HTTP/2
// client's body to an HTTP/1.1 upstream): sent on a new connection, since one kept alive may
// turn out closed and the body may not be there to send again.
inline bool SentOnce(const HttpRequest& request, bool http2_upstream) {
  return request.tail || (request.body_pipe && !http2_upstream);
}

// Exchange on whichever framing `link` speaks.
asio::awaitable<ExchangeResult> ExchangeOn(UpstreamLink& link, const HttpRequest& request,
                                           std::chrono::milliseconds timeout,
                                           std::chrono::milliseconds idle = {},
                                           RelayCounters counters = {});

}  // namespace crossmesh::proxy
