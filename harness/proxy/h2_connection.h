// H2Connection: one HTTP/2 connection (nghttp2 framing over a ByteStream), either side.
// As a server it answers each request stream through a handler, many streams at once; as a
// client it carries concurrent exchanges, one stream each. A body is held whole
// (http.max_body_bytes), or, where the stream rule says so, passed on as it arrives through an
// H2BodyPipe to or from another stream (see StreamRule). Everything runs on the connection's
// strand (both connections of a pipe on the same one), so nghttp2's sessions need no lock.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/cluster_state.h"
#include "harness/proxy/config.h"
#include "harness/proxy/http_exchange.h"
#include "harness/proxy/http_message.h"
#include "harness/proxy/watchdog.h"

struct nghttp2_session;

namespace crossmesh::proxy {
class BodyTail;
class H2BodyPipe;
}  // namespace crossmesh::proxy

namespace crossmesh::proxy {

// Answers one request; runs concurrently with the connection's other streams.
using RequestHandler = std::function<asio::awaitable<HttpResponse>(HttpRequest& request)>;
// True when `request`, its headers just in, goes to an HTTP/2 upstream and so is passed on as
// it arrives: its handler starts at once, its body and its answer's body stream through
// (HttpRequest::body_pipe, relay_h2_body), as a bidirectional gRPC call needs.
using StreamRule = std::function<bool(HttpRequest& request)>;
// True once the connection should drain (its configuration was replaced): looked at as each
// answer goes out.
using DrainRule = std::function<bool()>;

// The 24 bytes an HTTP/2 client opens with (RFC 9113 3.4).
inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

class H2Connection : public std::enable_shared_from_this<H2Connection> {
 public:
  struct Stream;

  // Serves `stream` until the client goes away, or nothing crosses it for `idle_timeout`
  // (open streams or not: a client that stops reading or sending is dropped, as by Envoy's
  // stream idle timeout), then waits for the handlers still running. A request's body may not
  // pause for `idle_timeout` before its answer (408 otherwise). `already_read`: bytes read
  // from the stream before (the preface, whole or in part).
  static asio::awaitable<void> Serve(std::shared_ptr<ByteStream> stream, std::string already_read,
                                     const HttpLimits& limits, HttpStats& stats,
                                     std::chrono::milliseconds idle_timeout, RequestHandler handler,
                                     StreamRule stream_rule = nullptr,
                                     DrainRule drain_rule = nullptr);

  // A client connection over `stream` (connected, TLS done); its reader runs on the calling
  // coroutine's executor until the stream closes.
  static asio::awaitable<std::shared_ptr<H2Connection>> StartClient(
      std::shared_ptr<ByteStream> stream, const HttpLimits& limits);

  // One request on a new stream. kTimeout after `timeout` (0: none; the stream is cancelled),
  // kIdleTimeout after `idle` without response bytes (0: none), kReset when the stream or the
  // connection ended before a whole response. A request with a body_pipe sends its body as it
  // comes, and its timeout counts from the body's end. With relay_h2_body the exchange returns
  // at the response's headers, the body to come in the response's body_pipe; the timeouts
  // still apply to it (the stream is reset).
  asio::awaitable<ExchangeResult> Exchange(const HttpRequest& request,
                                           std::chrono::milliseconds timeout,
                                           std::chrono::milliseconds idle = {},
                                           RelayCounters counters = {});

  // False once the connection failed, closed or was told to go away: open a new one.
  bool usable() const;
  void Close();

  ~H2Connection();
  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;
  H2Connection(H2Connection&&) = delete;
  H2Connection& operator=(H2Connection&&) = delete;

  // nghttp2's callbacks, in h2_connection.cc.
  struct Callbacks;
  // `bytes` of `stream`'s body were framed (ReadStreamBody): no longer unsent.
  static void Framed(void* user_data, Stream& stream, size_t bytes);
  static void RelayedAll(void* user_data, Stream& stream);

 private:
  enum class Role { kServer, kClient };
  H2Connection(Role role, std::shared_ptr<ByteStream> stream, const HttpLimits& limits,
               const asio::any_io_executor& executor);

  bool Open(std::string& error);
  // Reads and feeds nghttp2 until the connection ends; its caller keeps it alive meanwhile.
  asio::awaitable<void> ReadLoop(std::string already_read);
  // Writes whatever nghttp2 has queued; one writer at a time, the others return at once
  // (the running one picks their frames up).
  asio::awaitable<void> Flush();
  // Flush, after waiting for a write already under way: for what must reach the peer before
  // the connection closes (a Flush that finds a writer returns while its frames are unsent).
  asio::awaitable<void> Drain();
  void Fail();
  void Release(Stream& stream);
  void Abandon(Stream& stream);
  // Writes what nghttp2 has queued, from a callback that cannot wait.
  void FlushLater();

  // Bodies passed on (H2BodyPipe).
  void ProduceInto(const std::shared_ptr<Stream>& stream, std::function<void()> abandoned);
  void SendFrom(const std::shared_ptr<Stream>& stream, std::shared_ptr<H2BodyPipe> pipe);
  void PassOn(Stream& stream, const uint8_t* data, size_t length);
  void SyncHeld(Stream& stream);
  void EndPipes(Stream& stream);
  // Client side: `stream` closed; a relayed answer cut short by its upstream is counted.
  void NoteBrokenRelay(const Stream& stream);
  // Server side: the client half-closed (or crashed: a FIN looks the same). Requests still
  // arriving can never be whole: their streams are reset, letting go of their upstreams.
  void ResetUnfinished();
  // After that: resets answered streams the client's window holds back (it can no longer open
  // it); true when it reset any.
  bool DropStuck();

  // Client side: waits on `stream` until its response is whole (or, `until_headers`, its
  // headers are in), or its time is up. The timeout counts from `start`, or from the end of a
  // request body still streaming; `idle` from the stream's last bytes either way.
  enum class WaitEnd { kDone, kHeaders, kTimeout, kIdle };
  asio::awaitable<WaitEnd> Wait(Stream& stream, std::chrono::steady_clock::time_point start,
                                std::chrono::milliseconds timeout, std::chrono::milliseconds idle,
                                bool until_headers);
  // Keeps the timeouts on a response body relayed after its exchange returned.
  asio::awaitable<void> WatchRelayed(std::shared_ptr<Stream> stream,
                                     std::chrono::steady_clock::time_point start,
                                     std::chrono::milliseconds timeout,
                                     std::chrono::milliseconds idle);

  // Server side.
  void Dispatch(const std::shared_ptr<Stream>& stream);
  // Headers in: a request the stream rule picks is dispatched now, its body to come in a pipe.
  void MaybeStream(const std::shared_ptr<Stream>& stream, bool request_ended);
  asio::awaitable<void> Answer(std::shared_ptr<Stream> stream);
  void SubmitResponse(Stream& stream, HttpResponse response, bool head_request);
  void SubmitRelayed(const std::shared_ptr<Stream>& stream, HttpResponse response);
  // Makes an HTTP/1.1 answer's tail (BodyTail) the answer's body_pipe, read as it is taken.
  void PipeTail(HttpResponse& response);
  asio::awaitable<void> RunPump(std::shared_ptr<BodyTail> tail, std::shared_ptr<H2BodyPipe> pipe);
  void RefuseTooLarge(Stream& stream);
  // Answers `stream` before its request is whole (`reply`) and drops the rest of it.
  void Refuse(Stream& stream, HttpResponse reply);
  void StartRequestDeadline(const std::shared_ptr<Stream>& stream);
  asio::awaitable<void> RequestDeadline(std::shared_ptr<Stream> stream);
  // Something crossed the connection: the idle watchdog starts over.
  void NoteActivity();
  // Server side: once drain_rule_ holds, a GOAWAY naming the last stream taken: the client
  // opens its next streams on a new connection, which gets the new configuration.
  void DrainIfReplaced();
  // Bytes written to the socket that its peer has not taken yet; -1 when unknown.
  int UnsentInSocket();

  Role role_;
  std::shared_ptr<ByteStream> stream_;
  HttpLimits limits_;
  asio::any_io_executor executor_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::shared_ptr<Stream>> streams_;
  size_t buffered_ = 0;  // request body bytes held for streams still open (server side)
  bool writing_ = false;
  int last_unsent_ = -1;  // UnsentInSocket at the idle watchdog's last look
  std::unique_ptr<asio::steady_timer> writer_done_;  // made by Drain, woken as a Flush ends
  bool failed_ = false;
  bool half_closed_ = false;  // server side: the client sent its FIN
  std::string out_;

  // Server side.
  HttpStats* stats_ = nullptr;
  RequestHandler handler_;
  StreamRule stream_rule_;
  DrainRule drain_rule_;
  bool goaway_sent_ = false;  // server side: drained; streams after the last taken are refused
  std::chrono::milliseconds idle_timeout_{0};
  std::unique_ptr<Watchdog> idle_;
  size_t running_handlers_ = 0;
  size_t abandoned_handlers_ = 0;     // running, for streams the client reset
  size_t settled_handlers_ = 0;       // running, answer submitted, flushing it
  size_t unsent_response_bytes_ = 0;  // response bodies submitted and not yet framed
  std::shared_ptr<asio::steady_timer> handlers_done_;
};

}  // namespace crossmesh::proxy
