// BodyTail: the rest of a body still on its connection, passed on as it arrives instead of held
// whole (as Envoy and HAProxy forward buffers as they fill): a response's on its upstream
// HTTP/1.1 connection, or a large request's on the client's. The receiver gets the head at
// once; the body never sits whole in the proxy's memory. A body of known length (Content-Length)
// is counted down; one of unknown length (chunked, or until the connection ends: server-sent
// events, say) is decoded as it arrives and sent on in chunks of its receiver's framing.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/http_codec.h"
#include "harness/proxy/http_exchange.h"
#include "harness/proxy/stats.h"

namespace crossmesh::proxy {

class BodyTail : public std::enable_shared_from_this<BodyTail> {
 public:
  // Given the link once the whole body has crossed, to keep for the next request.
  using Finished = std::function<void(UpstreamLink)>;

  // `bytes` are still to come on `link`, by `deadline` (the request's timeout) and with no
  // silence longer than `idle` (0: none). `counters`: a body the upstream cut short, or whose
  // deadline passed.
  BodyTail(UpstreamLink link, size_t bytes, std::chrono::steady_clock::time_point deadline,
           std::chrono::milliseconds idle, Finished finished, RelayCounters counters);
  // The same for a body of unknown length, which `decoder` (from the head's reader) decodes.
  BodyTail(UpstreamLink link, std::unique_ptr<BodyDecoder> decoder,
           std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds idle,
           Finished finished, RelayCounters counters);
  // A request body's rest on `source`, the client's connection (which outlives the tail),
  // with no silence longer than `idle`. Relayed to an upstream beside the reading of its
  // answer (Start), full duplex as Envoy's: an app may answer as it reads (an echo), or answer
  // early and stop reading (a 413), and its answer is passed on either way.
  // `client_left` is cancelled when the client breaks off or goes silent mid-body.
  BodyTail(ByteStream& source, size_t bytes, std::chrono::milliseconds idle,
           std::shared_ptr<RequestCancel> client_left);
  // The same for a chunked request body, which `decoder` decodes; bytes read past its end
  // (the next request) go back to `reader`, which outlives the tail.
  BodyTail(ByteStream& source, std::unique_ptr<BodyDecoder> decoder, HttpReader& reader,
           std::chrono::milliseconds idle, std::shared_ptr<RequestCancel> client_left);
  // A tail not read to its end closes its upstream connection: the rest is unwanted.
  ~BodyTail();
  BodyTail(const BodyTail&) = delete;
  BodyTail& operator=(const BodyTail&) = delete;
  BodyTail(BodyTail&&) = delete;
  BodyTail& operator=(BodyTail&&) = delete;

  // Bytes still to come; 0 when the length is not known.
  size_t size() const { return bytes_; }
  bool length_known() const { return decoder_ == nullptr; }
  // True once the whole body has been passed on: its connection is ready for what follows.
  bool done() const { return used_ && ended(); }
  // The body's framing (its chunks) turned out malformed.
  bool malformed() const { return malformed_; }
  // Its source went silent for the idle time mid-body. A request body's client is then still
  // connected, to be told (408) why its request was given up.
  bool went_quiet() const { return went_quiet_; }
  // A Relay broke off because its receiver did (a client that left mid-answer), with its
  // source still sending and no time run out: downstream_rq_rx_reset, as Envoy counts it.
  bool receiver_left() const { return receiver_left_; }

  // Writes `head` (the message's head, and any body read with it), then `first` (body read
  // with the head, passed apart so that it is copied once, into the first write), then the
  // rest of the body as it arrives, to `down`: what has arrived by each write goes in it. A
  // body of unknown length goes in chunks when `chunked` (then already framed in `head`), or
  // else as it is (its receiver's connection then ends with it). False when either side failed
  // or the deadline passed: `down` is then closed, since its message cannot be completed.
  asio::awaitable<bool> Relay(ByteStream& down, std::string_view head, bool chunked = true,
                              std::string_view first = {});
  // A request body: Relay to `upstream` run beside the caller (which reads the answer
  // meanwhile) on `executor`. The tail keeps `upstream` open while it runs.
  void Start(const asio::any_io_executor& executor, std::shared_ptr<ByteStream> upstream,
             std::string head);
  bool running() const { return running_; }
  // When the body went whole (or failed) at Start's relay: time, and what to run then (at
  // once when it has ended already; nullptr stops a call to come).
  std::chrono::steady_clock::time_point ended_at() const { return ended_at_; }
  void OnEnd(std::function<void()> run);
  // Ends a relay still running, whose answer is through without it (an upstream that answered
  // early and stopped reading, or a client still sending), and waits until it has.
  asio::awaitable<void> Settle();

  // Appends the rest to `body` (an answer kept in case a retry fails too). False on failure,
  // or when the body would grow past `limit` bytes.
  asio::awaitable<bool> ReadInto(std::string& body, size_t limit);
  // For a receiver that takes the body piece by piece (an HTTP/2 stream): waits for the next
  // bytes and reads what has arrived, at most `size`, into `out`. 0 at the body's end (done())
  // or on failure (`ok` false: the upstream broke off or its time ran out; its link is closed).
  asio::awaitable<size_t> ReadSome(char* out, size_t size, bool& ok);
  // The receiver is gone: the upstream connection is closed, ending a read in progress (not
  // counted as the upstream breaking off).
  void Abandon();

 private:
  class Watch;

  asio::awaitable<bool> Pass(ByteStream& up, ByteStream& down, std::string_view head,
                             std::string_view first, Watch& watch);
  // Pass for a body of unknown length: each write is framed as a chunk when `chunked`.
  asio::awaitable<bool> PassDecoded(ByteStream& up, ByteStream& down, std::string_view head,
                                    Watch& watch, bool chunked);
  // Waits for the body's next bytes and puts at most `room` of them in `out`: 0 at its end
  // (ended()), or on failure (`ec`: the source broke off or sent a malformed body).
  asio::awaitable<size_t> Take(ByteStream& up, char* out, size_t room, ErrorCode& ec);
  // What of the body has arrived already, at most `room`, without waiting.
  size_t TakeReady(ByteStream& up, char* out, size_t room);
  bool ended() const;
  // Decodes `n` raw bytes read into raw_; `ec` when they are malformed.
  void Decode(size_t n, ErrorCode& ec);
  size_t CopyDecoded(char* out, size_t room);
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
  bool receiver_left_ = false;
  bool went_quiet_ = false;  // the idle time passed with nothing from the source
  bool used_ = false;
  bool piecewise_ = false;  // read by ReadSome, which may be called again
  bool abandoned_ = false;
  bool source_failed_ = false;  // the source ended or timed out before the body did
  bool request_ = false;        // a request body: see the second constructor
  // Start's relay: running, when it ended, what to run then, its upstream, and a timer its
  // end cancels (Settle waits on it).
  bool running_ = false;
  bool settling_ = false;
  std::chrono::steady_clock::time_point ended_at_{};
  std::function<void()> on_end_;
  std::shared_ptr<ByteStream> upstream_;
  std::unique_ptr<asio::steady_timer> ended_;
  std::shared_ptr<RequestCancel> client_left_;
  // A body of unknown length: its decoder, the bytes it decoded not passed on yet (from
  // decoded_at_), and the buffer raw bytes are read into.
  std::unique_ptr<BodyDecoder> decoder_;
  std::string decoded_;
  size_t decoded_at_ = 0;
  std::unique_ptr<char[]> raw_;
  bool leftover_ = false;  // bytes followed the body: its connection cannot carry another
  bool malformed_ = false;
  HttpReader* reader_ = nullptr;  // a request's: takes the bytes that followed the body
};

}  // namespace crossmesh::proxy
