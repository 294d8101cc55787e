// Exchange: one HTTP request and its response on an upstream connection, under a deadline.
// The HTTP paths of both sides use it: inbound to the local app, outbound to a cluster.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/connection_registry.h"
#include "harness/proxy/envoy_errors.h"
#include "harness/proxy/http_codec.h"
#include "harness/proxy/http_message.h"
#include "harness/proxy/stats.h"
#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {

class H2Connection;

// The deadlines of the exchanges on one HTTP/1.1 upstream connection, kept with it so that
// their timers are set once per connection rather than once per request. Bound to the
// executor of the exchange that made them: a link taken up on another strand gets its own.
struct ExchangeTimers {
  explicit ExchangeTimers(const asio::any_io_executor& executor)
      : executor(executor), deadline(executor), quiet(executor) {}

  asio::any_io_executor executor;
  Watchdog deadline;  // the route's timeout
  Watchdog quiet;     // the route's idle timeout: silence from the upstream
};

// An upstream connection kept while the downstream connection lives, for one exchange after
// another: to the local app (inbound) or to a cluster (outbound ports and gateways).
struct UpstreamLink {
  std::shared_ptr<ByteStream> stream;
  std::optional<HttpReader> reader;
  ConnectionRegistry::Token token;
  bool reused = false;
  // Set instead of `stream` for an HTTP/2 upstream: shared by concurrent requests, so a
  // request's failure lets go of it without closing it (the pool replaces it once unusable).
  std::shared_ptr<H2Connection> h2;
  // The request's place at its app behind a circuit breaker, while it uses this link (a body
  // still arriving on it included); let go when the link is given back or closed.
  std::shared_ptr<void> turn;
  std::shared_ptr<ExchangeTimers> timers;  // HTTP/1.1: made by its first exchange

  bool connected() const { return stream != nullptr || h2 != nullptr; }
  void Drop() {
    timers.reset();
    turn.reset();
    h2.reset();
    if (stream) stream->Close();
    stream.reset();
    reader.reset();
    token = {};
  }
};

struct ExchangeResult {
  // kIdleTimeout: the upstream stayed silent for the idle time (a route's timeout.idle).
  enum class Outcome { kResponse, kReset, kTimeout, kIdleTimeout };
  Outcome outcome = Outcome::kResponse;
  HttpResponse response;     // kResponse
  TransportFailure failure;  // kReset: why (a TLS alert, or the connection closed)
  // kReset: the request certainly never reached the upstream (an HTTP/2 connection found
  // closed before its stream began), so sending it again cannot make the app act twice.
  bool unsent = false;
  // kResponse to a request with relay_response_body: body bytes still on the upstream
  // connection (UpstreamPool::HoldForTail makes them the response's tail), to arrive by
  // `deadline`.
  size_t tail_bytes = 0;
  // The same for a body of unknown length (chunked, or until the connection ends): decodes
  // what is still to come.
  std::unique_ptr<BodyDecoder> rest;
  std::chrono::steady_clock::time_point deadline;
  // A request body still streaming beside that answer body: the connection carries another
  // request only if it too ends whole.
  std::shared_ptr<BodyTail> upload;
};

// Where an answer relayed on after its exchange returned (from an HTTP/2 upstream stream)
// counts how it ended early: its upstream broke off (upstream_rq_rx_reset) or its time ran
// out (upstream_rq_timeout).
struct RelayCounters {
  Counter* broke_off = nullptr;
  Counter* timed_out = nullptr;
};

// While it lives, cancelling `request` runs `abandon` (closes or resets the upstream).
class CancelHook {
 public:
  // A request cancelled before its exchange began (the client reset it while its upstream
  // was being connected) is abandoned at once.
  CancelHook(const HttpRequest& request, std::function<void()> abandon) : cancel_(request.cancel) {
    if (!cancel_) return;
    if (cancel_->cancelled) {
      abandon();
      return;
    }
    cancel_->on_cancel = std::move(abandon);
  }
  ~CancelHook() {
    if (cancel_) cancel_->on_cancel = nullptr;
  }
  CancelHook(const CancelHook&) = delete;
  CancelHook& operator=(const CancelHook&) = delete;
  CancelHook(CancelHook&&) = delete;
  CancelHook& operator=(CancelHook&&) = delete;

 private:
  std::shared_ptr<RequestCancel> cancel_;
};

// Writes `request` and reads the response (only its head when the request relays a large
// response body, or one of unknown length: see ExchangeResult::tail_bytes); closes `upstream`
// if `timeout` passes first (0: no deadline), or if `idle` passes with no byte from it after
// the request was sent (0: no idle limit). A request body still arriving (a tail) is sent
// beside the reading of the answer, full duplex: the timeout counts from the body's end, and
// an answer whose head comes before that end leaves its connection closed.
// `timers`: the connection's (ExchangeTimers), made here when there are none yet.
asio::awaitable<ExchangeResult> Exchange(const std::shared_ptr<ByteStream>& upstream,
                                         HttpReader& reader, const HttpRequest& request,
                                         std::chrono::milliseconds timeout,
                                         std::chrono::milliseconds idle,
                                         std::shared_ptr<ExchangeTimers>& timers);

}  // namespace crossmesh::proxy
