// BodyTail: the rest of a body still on its connection, passed on as it arrives instead of held
// whole (as Envoy and HAProxy forward buffers as they fill): a response's on its upstream
// HTTP/1.1 connection, or a large request's on the client's. The receiver gets the head at
// once; the body never sits whole in the proxy's memory.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/http_exchange.h"
#include "harness/proxy/stats.h"

namespace crossmesh::proxy {

struct AnswerWatch;

class BodyTail {
 public:
  // Given the link once the whole body has crossed, to keep for the next request.
  using Finished = std::function<void(UpstreamLink)>;

  // `bytes` are still to come on `link`, by `deadline` (the request's timeout) and with no
  // silence longer than `idle` (0: none). `counters`: a body the upstream cut short, or whose
  // deadline passed.
  BodyTail(UpstreamLink link, size_t bytes, std::chrono::steady_clock::time_point deadline,
           std::chrono::milliseconds idle, Finished finished, RelayCounters counters);
  // A request body's rest on `source`, the client's connection (which outlives the tail),
  // with no silence longer than `idle`. Relayed to an upstream, it stops when the upstream
  // answers before the body is whole (as a server refusing an upload does), leaving that
  // upstream open for its answer to be read.
  // `client_left` is cancelled when the client breaks off or goes silent mid-body.
  BodyTail(ByteStream& source, size_t bytes, std::chrono::milliseconds idle,
           std::shared_ptr<RequestCancel> client_left);
  // A tail not read to its end closes its upstream connection: the rest is unwanted.
  ~BodyTail();
  BodyTail(const BodyTail&) = delete;
  BodyTail& operator=(const BodyTail&) = delete;
  BodyTail(BodyTail&&) = delete;
  BodyTail& operator=(BodyTail&&) = delete;

  size_t size() const { return bytes_; }
  // True once the whole body has been passed on: its connection is ready for what follows.
  bool done() const { return used_ && bytes_ == 0; }

  // Writes `head` (the message's head and the body read with it), then the rest of the body
  // as it arrives, to `down`: what has arrived by each write goes in it. False when either
  // side failed or the deadline passed: `down` is then closed, since its message cannot be
  // completed.
  asio::awaitable<bool> Relay(ByteStream& down, std::string_view head);
  // Appends the rest to `body` (an answer kept in case a retry fails too). False on failure.
  asio::awaitable<bool> ReadInto(std::string& body);
  // For a receiver that takes the body piece by piece (an HTTP/2 stream): waits for the next
  // bytes and reads what has arrived, at most `size`, into `out`. 0 at the body's end (done())
  // or on failure (`ok` false: the upstream broke off or its time ran out; its link is closed).
  asio::awaitable<size_t> ReadSome(char* out, size_t size, bool& ok);
  // The receiver is gone: the upstream connection is closed, ending a read in progress (not
  // counted as the upstream breaking off).
  void Abandon();

 private:
  class Watch;

  asio::awaitable<bool> Pass(ByteStream& up, ByteStream& down, std::string_view head, Watch& watch);
  // The link back to its pool after a whole body, or closed after a failure; returns `ok`.
  bool Finish(bool ok);

  UpstreamLink link_;
  ByteStream* source_;  // link_'s stream, or the client's connection
  size_t bytes_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::milliseconds idle_;
  Finished finished_;
  RelayCounters counters_;
  bool timed_out_ = false;  // the deadline passed mid-body (counted as a timeout)
  bool used_ = false;
  bool piecewise_ = false;  // read by ReadSome, which may be called again
  bool abandoned_ = false;
  bool source_failed_ = false;       // the source ended or timed out before the body did
  bool stop_when_answered_ = false;  // a request body: see the second constructor
  std::shared_ptr<AnswerWatch> answer_;
  std::shared_ptr<RequestCancel> client_left_;
};

}  // namespace crossmesh::proxy
