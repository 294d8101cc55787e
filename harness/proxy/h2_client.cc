// The client side of H2Connection: concurrent exchanges, one stream each.
#include <nghttp2/nghttp2.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/h2_connection.h"
#include "harness/proxy/h2_headers.h"
#include "harness/proxy/h2_stream.h"

namespace crossmesh::proxy {
namespace {

ExchangeResult ResetResult(std::string message, FailureKind kind = FailureKind::kClosed) {
  ExchangeResult result;
  result.outcome = ExchangeResult::Outcome::kReset;
  result.failure.kind = kind;
  result.failure.message = std::move(message);
  return result;
}

// The stream never began: nothing reached the upstream.
ExchangeResult Unsent(std::string message) {
  ExchangeResult result = ResetResult(std::move(message));
  result.unsent = true;
  return result;
}

}  // namespace

asio::awaitable<std::shared_ptr<H2Connection>> H2Connection::StartClient(
    std::shared_ptr<ByteStream> stream, const HttpLimits& limits) {
  auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<H2Connection> self(new H2Connection(Role::kClient, stream, limits, executor));
  std::string error;
  if (!self->Open(error)) {
    stream->Close();
    co_return nullptr;
  }
  // The spawned function owns a reference until the loop ends: the caller may drop its own
  // before the loop first runs.
  asio::co_spawn(
      executor, [self] { return self->ReadLoop(std::string()); }, asio::detached);
  co_await self->Flush();  // the preface and our settings
  co_return self;
}

// The client that sent the request reset it: this stream is reset too, and the exchange ends.
void H2Connection::Abandon(Stream& stream) {
  if (stream.done || failed_) return;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, NGHTTP2_CANCEL);
  stream.done = true;
  stream.reset = true;
  stream.wake->cancel();
  if (stream.in_pipe) stream.in_pipe->Fail();  // a relayed answer's client sees the reset
  FlushLater();
}

asio::awaitable<ExchangeResult> H2Connection::Exchange(const HttpRequest& request,
                                                       std::chrono::milliseconds timeout,
                                                       std::chrono::milliseconds idle,
                                                       RelayCounters counters) {
  if (!usable()) co_return Unsent("the HTTP/2 connection is closed");
  auto self = shared_from_this();
  auto stream = std::make_shared<Stream>();
  stream->relay_counters = counters;
  stream->wake =
      std::make_unique<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
  nghttp2_data_provider provider{};
  provider.source.ptr = stream.get();
  provider.read_callback = ReadStreamBody;
  const bool has_body = !request.body.empty() || request.body_pipe;
  if (request.body_pipe) {
    SendFrom(stream, request.body_pipe);
    provider.read_callback = ReadPipedBody;
  } else {
    stream->out_body = request.body;
  }

  H2HeaderBlock block = RequestBlock(request);
  std::vector<nghttp2_nv> view = block.View();
  const int32_t id = nghttp2_submit_request(session_, nullptr, view.data(), view.size(),
                                            has_body ? &provider : nullptr, nullptr);
  if (id < 0) co_return Unsent(nghttp2_strerror(id));
  stream->id = id;
  streams_[id] = stream;
  if (request.relay_h2_body) {
    stream->relay = true;
    stream->in_pipe = std::make_shared<H2BodyPipe>(0);
    // The caller gave up on the answer's body (its client reset): so does this stream.
    ProduceInto(stream, [weak = weak_from_this(), weak_stream = std::weak_ptr<Stream>(stream)] {
      std::shared_ptr<H2Connection> self = weak.lock();
      std::shared_ptr<Stream> dropped = weak_stream.lock();
      if (self && dropped) self->Abandon(*dropped);
    });
  }
  CancelHook hook(request, [this, stream] { Abandon(*stream); });
  co_await Flush();

  const auto start = std::chrono::steady_clock::now();
  const WaitEnd end = co_await Wait(*stream, start, timeout, idle, stream->relay);
  if (end == WaitEnd::kTimeout || end == WaitEnd::kIdle) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    co_await Flush();
    ExchangeResult result;
    result.outcome = end == WaitEnd::kIdle ? ExchangeResult::Outcome::kIdleTimeout
                                           : ExchangeResult::Outcome::kTimeout;
    co_return result;
  }
  if (stream->reset) {
    if (stream->response_too_large) {
      co_return ResetResult(
          fmt::format("the response body is over http.max_body_bytes ({})", limits_.max_body_bytes),
          FailureKind::kProtocolError);
    }
    if (stream->malformed_response) {
      co_return ResetResult("the upstream sent a malformed response", FailureKind::kProtocolError);
    }
    if (stream->connection_lost) co_return ResetResult("");
    co_return ResetResult("", FailureKind::kRemoteReset);
  }
  ExchangeResult result;
  HttpResponse& response = result.response;
  stream->returned = true;
  if (!stream->relay) {
    response = std::move(stream->response);
    co_return result;
  }
  // Trailers still to come land in the stream's own response, for the pipe.
  response.status = stream->response.status;
  response.headers = std::move(stream->response.headers);
  response.body_pipe = stream->in_pipe;
  if (stream->done) {
    // All of it came with the headers (a small answer, a trailers-only gRPC status): whole, as
    // without relaying, so a retry policy sees its trailers too.
    H2BodyPipe& pipe = *stream->in_pipe;
    response.body.resize(pipe.available());
    pipe.Read(reinterpret_cast<uint8_t*>(response.body.data()), response.body.size());
    response.trailers = pipe.TakeTrailers();
    response.body_pipe.reset();
  } else {
    asio::co_spawn(
        executor_,
        [self, stream, start, timeout, idle] {
          return self->WatchRelayed(stream, start, timeout, idle);
        },
        asio::detached);
  }
  co_return result;
}

asio::awaitable<H2Connection::WaitEnd> H2Connection::Wait(
    Stream& stream, std::chrono::steady_clock::time_point start, std::chrono::milliseconds timeout,
    std::chrono::milliseconds idle, bool until_headers) {
  using Clock = std::chrono::steady_clock;
  stream.last_activity = std::max(stream.last_activity, Clock::now());
  for (;;) {
    if (stream.done) co_return WaitEnd::kDone;
    if (until_headers && stream.headers_done) co_return WaitEnd::kHeaders;
    // Envoy's route timeout counts from the end of the request: a body still streaming has
    // none yet (its end wakes this wait, see SendFrom).
    Clock::time_point deadline = Clock::time_point::max();
    if (timeout.count() > 0) {
      if (!stream.out_pipe) {
        deadline = start + timeout;
      } else if (stream.out_pipe->ended()) {
        deadline = std::max(start, stream.out_pipe->ended_at()) + timeout;
      }
    }
    const Clock::time_point quiet =
        idle.count() > 0 ? stream.last_activity + idle : Clock::time_point::max();
    const Clock::time_point now = Clock::now();
    if (now >= deadline) co_return WaitEnd::kTimeout;
    if (now >= quiet) co_return WaitEnd::kIdle;
    stream.wake->expires_at(std::min(deadline, quiet));
    ErrorCode ec;
    co_await stream.wake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> H2Connection::WatchRelayed(std::shared_ptr<Stream> stream,
                                                 std::chrono::steady_clock::time_point start,
                                                 std::chrono::milliseconds timeout,
                                                 std::chrono::milliseconds idle) {
  const WaitEnd end = co_await Wait(*stream, start, timeout, idle, false);
  if (end == WaitEnd::kDone || failed_) co_return;
  spdlog::debug("http2: stream {} reset: its {} passed while its answer streamed", stream->id,
                end == WaitEnd::kIdle ? "idle timeout" : "route timeout");
  if (end == WaitEnd::kTimeout && stream->relay_counters.timed_out != nullptr) {
    stream->relay_counters.timed_out->Inc();
  }
  Abandon(*stream);
}

}  // namespace crossmesh::proxy
