#include "harness/proxy/http_connection.h"

#include <array>
#include <boost/asio/this_coro.hpp>

#include "harness/proxy/body_tail.h"
#include "harness/proxy/grpc_reply.h"
#include "harness/proxy/http_downstream.h"
#include "harness/proxy/proxy_core.h"
#include "harness/proxy/splice.h"
#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {
namespace {

enum class Framing { kHttp1, kHttp2, kClosed };

// Reads until the bytes read are the HTTP/2 preface or cannot become it; an HTTP/1.1
// request differs at its first byte.
asio::awaitable<Framing> DetectFraming(ByteStream& down, std::chrono::milliseconds idle_timeout,
                                       std::string& read) {
  Watchdog idle(co_await asio::this_coro::executor);
  idle.Arm(idle_timeout, [&down] { down.Close(); });
  std::array<char, 4096> chunk;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  while (read.size() < kHttp2Preface.size() && kHttp2Preface.starts_with(read)) {
    ErrorCode ec;
    const size_t n = co_await down.ReadSome(asio::buffer(chunk), ec);
    if (ec) co_return read.empty() ? Framing::kClosed : Framing::kHttp1;
    read.append(chunk.data(), n);
  }
  idle.Disarm();
  co_return std::string_view(read).starts_with(kHttp2Preface) ? Framing::kHttp2 : Framing::kHttp1;
}

// The handler as both framings call it: counted, and gRPC callers' local replies converted.
asio::awaitable<HttpResponse> AnswerCounted(const RequestHandler& handler, HttpStats& stats,
                                            HttpRequest& request) {
  stats.rq_total.Inc();
  const bool grpc = IsGrpcRequest(request);
  HttpResponse response = co_await handler(request);
  if (response.local && response.status == 413) stats.rq_too_large.Inc();  // an HTTP/2 upstream's
  if (grpc && response.local) response = GrpcLocalReply(response);
  if (!request.cancelled()) stats.CountResponse(response.status);  // a reset one is not sent
  co_return response;
}

// How often a request's client is looked at while its answer is awaited.
constexpr std::chrono::milliseconds kDepartureLook{50};

// While `request` is answered, looks at its client every kDepartureLook: one that has gone
// (its connection's end, or a reset) gives the request up, as Envoy resets the stream of a
// client that disconnects, so its upstream call ends and any place it holds (a turn at a
// circuit breaker, a slot in its queue) is freed at once, not when the app answers. Counted as
// downstream_rq_rx_reset.
class DepartureWatch {
 public:
  DepartureWatch(Watchdog& timer, ByteStream& down, HttpRequest& request, HttpStats& stats)
      : timer_(timer), down_(down), tail_(request.tail.get()), stats_(stats) {
    if (!request.cancel) request.cancel = std::make_shared<RequestCancel>();
    cancel_ = request.cancel;
    timer_.Arm(kDepartureLook, [this] { Look(); });
  }
  ~DepartureWatch() { timer_.Disarm(); }
  DepartureWatch(const DepartureWatch&) = delete;
  DepartureWatch& operator=(const DepartureWatch&) = delete;
  DepartureWatch(DepartureWatch&&) = delete;
  DepartureWatch& operator=(DepartureWatch&&) = delete;

 private:
  void Look() {
    // While a body still streams from the client its relay reads the connection (and sees the
    // client go): only when none does is the connection looked at here.
    const bool reading = tail_ != nullptr && tail_->running();
    if (!reading && down_.PeerGone()) {
      stats_.rq_rx_reset.Inc();
      cancel_->Cancel();
      return;
    }
    timer_.Arm(kDepartureLook, [this] { Look(); });
  }

  Watchdog& timer_;
  ByteStream& down_;
  BodyTail* tail_;
  HttpStats& stats_;
  std::shared_ptr<RequestCancel> cancel_;
};

// A connection switched to another protocol (a WebSocket upgrade's 101): the head, then bytes
// copied both ways, starting with what either side sent after its head, until either side
// ends or none has moved for the idle time (as Envoy's stream idle timeout ends a tunnel).
asio::awaitable<void> Tunnel(const std::shared_ptr<ByteStream>& down, HttpReader& reader,
                             HttpResponse& response, std::chrono::milliseconds idle_timeout) {
  std::shared_ptr<ByteStream> up = std::move(response.tunnel);
  size_t body_bytes = 0;
  std::string head = SerializeResponseHead(response, false, body_bytes);
  head += response.tunnel_early;
  ErrorCode ec;
  co_await down->Write(asio::buffer(head), ec);
  const std::string early = reader.TakePending();
  if (!ec && !early.empty()) co_await up->Write(asio::buffer(early), ec);
  if (ec) {
    up->Close();
    down->Close();
    co_return;
  }
  co_await Splice(down, up, SpliceCounters{}, idle_timeout);
}

asio::awaitable<void> ServeHttp1(ProxyCore& core, const ProxySnapshot& snapshot,
                                 const std::shared_ptr<ByteStream>& down_stream,
                                 std::string already_read, const HttpLimits& limits,
                                 HttpStats& stats, std::chrono::milliseconds idle_timeout,
                                 const RequestHandler& handler) {
  ByteStream& down = *down_stream;
  HttpReader reader(limits);
  reader.Prime(std::move(already_read));
  // One timer each for the connection, not per request.
  Watchdog departure(co_await asio::this_coro::executor);
  Watchdog idle(co_await asio::this_coro::executor);
  for (;;) {
    HttpRequest request;
    if (!co_await NextRequest(down, reader, stats, idle_timeout, idle, request)) break;
    request.relay_response_body = true;
    const bool keep_alive = request.keep_alive;
    const bool head = request.method == "HEAD";
    HttpResponse response;
    {
      const DepartureWatch watch(departure, down, request, stats);
      response = co_await AnswerCounted(handler, stats, request);
    }
    if (response.tunnel && !request.cancelled()) {
      co_await Tunnel(down_stream, reader, response, idle_timeout);
      break;
    }
    if (response.tunnel) response.tunnel->Close();  // its client left meanwhile
    // A body left unread (no route, refused) desynchronises the connection: answer, then end
    // it. One still arriving beside a successful answer (an app echoing it as it reads) may
    // end whole and keep the connection; beside a refusal (a 413 before the body) it will not.
    BodyTail* const tail = request.tail.get();
    const bool uploading = tail != nullptr && tail->running() && response.status < 300;
    const bool unread = tail != nullptr && !tail->done() && !uploading;
    // Chunks are HTTP/1.1's: an HTTP/1.0 client gets a body of unknown length up to the end.
    const bool framed = request.version >= 11 || response.BodyLengthKnown();
    const bool draining = !core.IsCurrent(&snapshot);
    response.keep_alive = keep_alive && !core.stopping() && !unread && framed && !draining;
    if (draining && keep_alive) stats.cx_drain_close.Inc();
    response.announce_keep_alive = request.version < 11;
    // A streamed upload whose chunks turned out malformed: no answer began, so the client is
    // told (its request was abandoned upstream), as for one refused before it streamed.
    const bool malformed = tail != nullptr && tail->malformed();
    if (malformed) {
      stats.protocol_error.Inc();
      // The upload's end cancelled the request, whose answer was then not counted: this is.
      if (request.cancelled()) stats.CountResponse(400);
      response = LocalReply(400, "Bad Request");
      response.keep_alive = false;
    } else if (request.cancelled() && tail != nullptr && tail->went_quiet()) {
      // A client silent mid-upload for the idle time: its request was given up upstream, and
      // it is told so, as Envoy's stream idle timeout answers 408 before any response.
      co_await tail->Settle();
      stats.rq_timeout.Inc();
      stats.CountResponse(408);
      response = LocalReply(408, "request timeout");
      response.keep_alive = false;
      co_await SendResponse(down, response, false);
      down.Close();
      break;
    } else if (request.cancelled()) {
      // The client left: nobody to answer (as Envoy, which resets the stream). Its upload, if
      // any, has ended with it; waited for all the same, as it uses this connection's reader.
      if (tail != nullptr) co_await tail->Settle();
      break;
    }
    bool open = co_await SendResponse(down, response, head);
    if (response.tail && response.tail->receiver_left()) stats.rq_rx_reset.Inc();
    // Envoy's stream idle timeout counts mid-answer too: a silent app or a client that stopped
    // reading.
    if (response.tail && response.tail->went_quiet()) stats.rq_idle_timeout.Inc();
    // An upload still going once its answer is through (the app answered early) ends here.
    if (tail != nullptr) co_await tail->Settle();
    if (tail != nullptr && !tail->done()) {
      co_await LingeringClose(down);
      break;
    }
    if (!open) {
      // Bytes the client sent on (a pipelined request) would turn the close into a reset,
      // which can destroy the answer still on its way: read them off first.
      if (reader.has_pending() || down.InputWaiting()) co_await LingeringClose(down);
      break;
    }
  }
}

}  // namespace

asio::awaitable<void> ServeHttp(ProxyCore& core, const ProxySnapshot& snapshot,
                                std::shared_ptr<ByteStream> down, const HttpLimits& limits,
                                HttpStats& stats, std::chrono::milliseconds idle_timeout,
                                RequestHandler handler, StreamRule stream_rule) {
  std::string read;
  const Framing framing = co_await DetectFraming(*down, idle_timeout, read);
  if (framing == Framing::kClosed) co_return;
  if (framing == Framing::kHttp1) {
    co_await ServeHttp1(core, snapshot, down, std::move(read), limits, stats, idle_timeout,
                        handler);
    co_return;
  }
  RequestHandler answer = [&handler, &stats](HttpRequest& request) {
    return AnswerCounted(handler, stats, request);
  };
  DrainRule draining = [&core, &snapshot] { return !core.IsCurrent(&snapshot); };
  co_await H2Connection::Serve(down, std::move(read), limits, stats, idle_timeout,
                               std::move(answer), std::move(stream_rule), std::move(draining));
}

bool StreamsToHttp1(const HttpRequest& request, const HttpLimits& limits) {
  const std::optional<size_t> declared = request.DeclaredLength();
  return !declared || *declared > limits.max_body_bytes;
}

}  // namespace crossmesh::proxy
