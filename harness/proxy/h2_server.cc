// The server side of H2Connection: each request stream is answered by the handler, on its own
// coroutine, while the connection goes on reading.
#include <fmt/format.h>
#include <linux/sockios.h>
#include <nghttp2/nghttp2.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/body_tail.h"
#include "harness/proxy/grpc_reply.h"
#include "harness/proxy/h2_connection.h"
#include "harness/proxy/h2_headers.h"
#include "harness/proxy/h2_stream.h"

namespace crossmesh::proxy {

asio::awaitable<void> H2Connection::Serve(std::shared_ptr<ByteStream> stream,
                                          std::string already_read, const HttpLimits& limits,
                                          HttpStats& stats, std::chrono::milliseconds idle_timeout,
                                          RequestHandler handler, StreamRule stream_rule,
                                          DrainRule drain_rule) {
  auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<H2Connection> self(
      new H2Connection(Role::kServer, std::move(stream), limits, executor));
  self->stats_ = &stats;
  self->handler_ = std::move(handler);
  self->stream_rule_ = std::move(stream_rule);
  self->drain_rule_ = std::move(drain_rule);
  self->idle_timeout_ = idle_timeout;
  self->idle_ = std::make_unique<Watchdog>(executor);
  self->handlers_done_ =
      std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  std::string error;
  if (!self->Open(error)) {
    spdlog::warn("http2: cannot serve a connection: {}", error);
    co_return;
  }
  self->NoteActivity();

  co_await self->ReadLoop(std::move(already_read));

  // The handlers use what the caller owns (its upstream connections): wait for them. Their
  // answers still go out to a client that only half-closed, to their last byte: the streams
  // close as they are sent (or are reset, DropStuck), or the idle time ends the connection.
  while (self->running_handlers_ > 0 || (!self->failed_ && !self->streams_.empty())) {
    ErrorCode ec;
    co_await self->handlers_done_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_await self->Drain();  // the last frames may still be on their way out
  self->Fail();
  self->idle_.reset();
  self->handler_ = nullptr;
  self->stream_rule_ = nullptr;
  self->drain_rule_ = nullptr;
}

bool H2Connection::DropStuck() {
  const bool connection_shut = nghttp2_session_get_remote_window_size(session_) <= 0;
  bool dropped = false;
  for (const auto& [id, stream] : streams_) {
    if (!stream->answered) continue;
    if (!connection_shut && nghttp2_session_get_stream_remote_window_size(session_, id) > 0) {
      continue;
    }
    // Nothing the client can still send would let this answer go on: it is reset, freeing its
    // upstream, instead of holding both until the idle time.
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    dropped = true;
  }
  return dropped;
}

void H2Connection::ResetUnfinished() {
  for (const auto& [id, stream] : streams_) {
    const bool arriving =
        stream->in_pipe ? !stream->in_pipe->ended() : !stream->dispatched && !stream->refused;
    if (!arriving) continue;
    stats_->rq_rx_reset.Inc();  // the client left with its request unfinished
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  }
}

void H2Connection::MaybeStream(const std::shared_ptr<Stream>& stream, bool request_ended) {
  if (!stream_rule_ || !stream_rule_(stream->request)) return;
  stream->request.relay_h2_body = true;
  if (request_ended) return;  // no body: dispatched at once all the same
  // Kept for a retry up to the body limit; past it the request still streams, without retries.
  stream->in_pipe = std::make_shared<H2BodyPipe>(limits_.max_body_bytes);
  stream->request.body_pipe = stream->in_pipe;
  stream->request.pipe_bytes = stream->request.DeclaredLength().value_or(0);
  ProduceInto(stream, nullptr);  // abandoned: what more the client sends is dropped
  Dispatch(stream);
}

void H2Connection::Dispatch(const std::shared_ptr<Stream>& stream) {
  stream->dispatched = true;
  // A body still arriving through a pipe keeps its deadline (see RequestDeadline).
  if (stream->request_timer && !stream->in_pipe) stream->request_timer->cancel();
  ++running_handlers_;
  asio::co_spawn(executor_, Answer(stream), asio::detached);
}

asio::awaitable<void> H2Connection::Answer(std::shared_ptr<Stream> stream) {
  auto self = shared_from_this();
  const bool head = stream->request.method == "HEAD";
  HttpResponse response;
  try {
    response = co_await handler_(stream->request);
  } catch (const std::exception& e) {
    spdlog::error("http2: a request handler failed: {}", e.what());
    response = LocalReply(500, "internal error");
  }
  // Not sent when the stream is gone, or was answered meanwhile (its request timed out).
  const bool sendable = !stream->closed && !failed_ && !stream->answered;
  // An HTTP/1.1 upstream's body still arriving: passed on through a pipe all the same.
  if (response.tail && !head && sendable) PipeTail(response);
  response.tail.reset();
  const bool relayed = response.body_pipe && !head && sendable;
  if (response.body_pipe && !relayed) response.body_pipe->Abandon();
  if (relayed) {
    SubmitRelayed(stream, std::move(response));
  } else if (sendable) {
    response.body_pipe.reset();
    SubmitResponse(*stream, std::move(response), head);
  }
  // Answered whole: what more of the request the client sends has nowhere to go.
  if (stream->in_pipe && !relayed) stream->in_pipe->Abandon();
  if (stream->request.cancelled()) --abandoned_handlers_;
  // Settled before the flush: the client may open its next stream as soon as this answer
  // arrives, before this coroutine resumes, and must not find the place still taken.
  ++settled_handlers_;
  if (relayed || sendable) co_await Flush();
  --settled_handlers_;
  if (--running_handlers_ == 0) handlers_done_->cancel();
}

void H2Connection::DrainIfReplaced() {
  if (goaway_sent_ || !drain_rule_ || !drain_rule_()) return;
  goaway_sent_ = true;
  stats_->cx_drain_close.Inc();
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
}

void H2Connection::SubmitResponse(Stream& stream, HttpResponse response, bool head_request) {
  const size_t body = head_request ? 0 : response.body.size();
  // Responses the client has not read yet are held here: past the budget, a new one is not.
  if (body > 0 && unsent_response_bytes_ + body > limits_.max_body_bytes * kH2ConnectionBodies) {
    response = LocalReply(503, fmt::format("response not sent: this connection already holds {} "
                                           "bytes of responses its client has not read",
                                           unsent_response_bytes_));
  }
  H2HeaderBlock block = ResponseBlock(response);
  std::vector<nghttp2_nv> view = block.View();
  stream.out_body = head_request ? std::string() : std::move(response.body);
  stream.out_offset = 0;
  stream.out_trailers = std::move(response.trailers);
  stream.unsent_counted = stream.out_body.size();
  unsent_response_bytes_ += stream.unsent_counted;
  stream.answered = true;
  NoteActivity();
  DrainIfReplaced();
  nghttp2_data_provider provider{};
  provider.source.ptr = &stream;
  provider.read_callback = ReadStreamBody;
  const bool has_data = !stream.out_body.empty() || !stream.out_trailers.empty();
  const int rv = nghttp2_submit_response(session_, stream.id, view.data(), view.size(),
                                         has_data ? &provider : nullptr);
  if (rv != 0) {
    spdlog::debug("http2: stream {} not answered: {}", stream.id, nghttp2_strerror(rv));
  }
}

namespace {

// How far a tail is read ahead of what the client has taken: what one stream's answer may
// hold in the proxy (an HTTP/2 upstream's answer is held to its stream window instead).
constexpr size_t kTailAhead = size_t{256} * 1024;
constexpr size_t kTailPiece = size_t{64} * 1024;

// Reads `tail` into `pipe` while the client takes it, kTailAhead at most ahead of it.
asio::awaitable<void> PumpTail(std::shared_ptr<BodyTail> tail, std::shared_ptr<H2BodyPipe> pipe) {
  asio::steady_timer room(co_await asio::this_coro::executor,
                          asio::steady_timer::time_point::max());
  H2BodyPipe::Producer producer;
  producer.taken = [&room](size_t) { room.cancel(); };
  producer.abandoned = [&room, &tail = *tail] {
    room.cancel();
    tail.Abandon();  // a read waiting for the upstream ends too
  };
  const ScopedProducer scoped(pipe, std::move(producer));
  std::string piece(kTailPiece, '\0');
  bool ok = true;
  while (ok && !pipe->abandoned() && !tail->done()) {
    if (pipe->available() >= kTailAhead) {
      ErrorCode ec;
      co_await room.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    const size_t n = co_await tail->ReadSome(piece.data(), piece.size(), ok);
    pipe->Append(piece.data(), n);
  }
  if (tail->done()) {
    pipe->End({});
  } else {
    pipe->Fail();  // the client's stream is reset: its answer cannot be completed
  }
}

}  // namespace

void H2Connection::PipeTail(HttpResponse& response) {
  auto pipe = std::make_shared<H2BodyPipe>(0);
  pipe->Append(response.body.data(), response.body.size());
  response.body.clear();
  response.body_pipe = pipe;
  // Counted as a handler: the tail's link belongs to the caller's pool, which Serve's caller
  // destroys once every handler is done.
  ++running_handlers_;
  asio::co_spawn(
      executor_,
      [self = shared_from_this(), tail = std::move(response.tail), pipe] {
        return self->RunPump(tail, pipe);
      },
      asio::detached);
}

asio::awaitable<void> H2Connection::RunPump(std::shared_ptr<BodyTail> tail,
                                            std::shared_ptr<H2BodyPipe> pipe) {
  auto self = shared_from_this();
  co_await PumpTail(std::move(tail), std::move(pipe));
  if (--running_handlers_ == 0) handlers_done_->cancel();
}

// An answer whose body is still arriving from its upstream stream: sent on as it comes.
void H2Connection::SubmitRelayed(const std::shared_ptr<Stream>& stream, HttpResponse response) {
  H2HeaderBlock block = ResponseBlock(response);
  std::vector<nghttp2_nv> view = block.View();
  stream->answered = true;
  NoteActivity();
  DrainIfReplaced();
  SendFrom(stream, std::move(response.body_pipe));
  nghttp2_data_provider provider{};
  provider.source.ptr = stream.get();
  provider.read_callback = ReadPipedBody;
  const int rv = nghttp2_submit_response(session_, stream->id, view.data(), view.size(), &provider);
  if (rv != 0) {
    spdlog::debug("http2: stream {} not answered: {}", stream->id, nghttp2_strerror(rv));
    stream->out_pipe->Abandon();
  }
}

void H2Connection::Refuse(Stream& stream, HttpResponse reply) {
  stream.refused = true;
  stream.request.body.clear();
  buffered_ -= std::exchange(stream.buffered_bytes, 0);
  if (stream.request_timer) stream.request_timer->cancel();
  stats_->rq_total.Inc();
  if (IsGrpcRequest(stream.request)) reply = GrpcLocalReply(reply);
  stats_->CountResponse(reply.status);  // the status sent, as for every other answer
  SubmitResponse(stream, std::move(reply), false);
}

// Envoy answers a request body over its buffer limit with 413; the rest of it is dropped. So
// does a stream whose body would take the connection past its budget.
void H2Connection::RefuseTooLarge(Stream& stream) {
  stats_->rq_too_large.Inc();
  Refuse(stream, LocalReply(413, "Payload Too Large"));
}

void H2Connection::StartRequestDeadline(const std::shared_ptr<Stream>& stream) {
  if (idle_timeout_.count() <= 0) return;
  stream->request_timer = std::make_unique<asio::steady_timer>(executor_, idle_timeout_);
  // The spawned function holds the connection: the deadline may outlive the read loop.
  asio::co_spawn(
      executor_, [self = shared_from_this(), stream] { return self->RequestDeadline(stream); },
      asio::detached);
}

// A request may take as long as it likes to arrive, held whole or passed on as it arrives,
// but not stop for the idle time before it is answered (a client stopping halfway; Envoy's
// stream idle timeout): 408, and one already at its upstream lets it go.
asio::awaitable<void> H2Connection::RequestDeadline(std::shared_ptr<Stream> stream) {
  auto over = [&] {
    const bool arriving = stream->in_pipe ? !stream->in_pipe->ended() : !stream->dispatched;
    return !arriving || stream->closed || stream->refused || stream->answered || failed_;
  };
  for (;;) {
    // Checked before the wait too: a stream reset in the same read as its headers closed (and
    // cancelled its timer) before this ran, and the wait would hold the connection, its
    // nghttp2 session and every stream of it for the whole idle time (an HTTP/2 rapid reset
    // grew a proxy by 170 MB per 40,000 streams).
    if (over()) co_return;
    ErrorCode ec;
    co_await stream->request_timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (over()) co_return;
    const auto due = stream->last_activity + idle_timeout_;
    if (due <= std::chrono::steady_clock::now()) break;
    stream->request_timer->expires_at(due);
  }
  stats_->rq_timeout.Inc();
  HttpResponse reply = LocalReply(408, "request timeout");
  if (!stream->dispatched) {
    Refuse(*stream, std::move(reply));
  } else {
    ++abandoned_handlers_;  // its handler ends on the cancel; its answer is not sent
    stream->request.cancel->Cancel();
    stream->in_pipe->Fail();
    if (IsGrpcRequest(stream->request)) reply = GrpcLocalReply(reply);
    stats_->CountResponse(reply.status);
    SubmitResponse(*stream, std::move(reply), false);
  }
  co_await Flush();
}

// Progress on a stream (a request starts, request bytes arrive, an answer is given or its bytes
// leave) starts the idle time over; open streams do not stop it, so a client that neither sends
// nor reads is dropped (Envoy's stream idle timeout), and frames outside streams (PING, unknown
// types) do not keep a connection (Envoy's idle timeout counts only requests).
void H2Connection::NoteActivity() {
  if (!idle_ || idle_timeout_.count() <= 0 || failed_) return;
  idle_->Arm(idle_timeout_, [weak = weak_from_this()] {
    std::shared_ptr<H2Connection> self = weak.lock();
    if (!self) return;
    // A write waiting on a full socket whose client keeps reading is progress too: the
    // kernel's buffer (megabytes) may take longer than the idle time to drain at its pace.
    if (self->writing_) {
      const int unsent = self->UnsentInSocket();
      if (unsent >= 0 && unsent != self->last_unsent_) {
        self->last_unsent_ = unsent;
        return self->NoteActivity();
      }
    }
    // A request still arriving gets its 408 at its own deadline (which is activity again).
    for (const auto& [id, stream] : self->streams_) {
      const bool piped = stream->in_pipe && !stream->in_pipe->ended() && !stream->answered;
      const bool arriving = (!stream->dispatched || piped) && !stream->refused;
      if (arriving && stream->request_timer) return self->NoteActivity();
    }
    // The whole connection ends: also answers still being relayed to a client that half-closed
    // and stopped reading (their pumps would otherwise wait for it).
    self->Fail();
  });
}

int H2Connection::UnsentInSocket() {
  int unsent = 0;
  if (::ioctl(stream_->socket().native_handle(), SIOCOUTQ, &unsent) != 0) return -1;
  return unsent;
}

}  // namespace crossmesh::proxy
