// The client side of H2Connection: concurrent exchanges, one stream each.
#include <nghttp2/nghttp2.h>

#include <fmt/format.h>

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

ExchangeResult ResetResult(std::string message, bool connection_lost = true) {
  ExchangeResult result;
  result.outcome = ExchangeResult::Outcome::kReset;
  result.failure.kind = connection_lost ? FailureKind::kClosed : FailureKind::kRemoteReset;
  result.failure.message = std::move(message);
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
  asio::co_spawn(
      executor_, [self = shared_from_this()] { return self->Flush(); }, asio::detached);
}

asio::awaitable<ExchangeResult> H2Connection::Exchange(const HttpRequest& request,
                                                       std::chrono::milliseconds timeout,
                                                       std::chrono::milliseconds idle) {
  if (!usable()) co_return ResetResult("the HTTP/2 connection is closed");
  auto self = shared_from_this();
  auto stream = std::make_shared<Stream>();
  stream->wake =
      std::make_unique<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
  stream->out_body = request.body;

  H2HeaderBlock block = RequestBlock(request);
  std::vector<nghttp2_nv> view = block.View();
  nghttp2_data_provider provider{};
  provider.source.ptr = stream.get();
  provider.read_callback = ReadStreamBody;
  const int32_t id = nghttp2_submit_request(session_, nullptr, view.data(), view.size(),
                                            request.body.empty() ? nullptr : &provider, nullptr);
  if (id < 0) co_return ResetResult(nghttp2_strerror(id));
  stream->id = id;
  streams_[id] = stream;
  CancelHook hook(request, [this, stream] { Abandon(*stream); });
  co_await Flush();

  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      timeout.count() > 0 ? Clock::now() + timeout : Clock::time_point::max();
  stream->last_activity = Clock::now();
  bool quiet = false;
  while (!stream->done) {
    Clock::time_point wake_at = deadline;
    if (idle.count() > 0) wake_at = std::min(wake_at, stream->last_activity + idle);
    stream->wake->expires_at(wake_at);
    ErrorCode ec;
    co_await stream->wake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stream->done) break;
    const Clock::time_point now = Clock::now();
    if (now >= deadline) break;
    if (idle.count() > 0 && now >= stream->last_activity + idle) {
      quiet = true;
      break;
    }
  }
  if (!stream->done) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    co_await Flush();
    ExchangeResult result;
    result.outcome =
        quiet ? ExchangeResult::Outcome::kIdleTimeout : ExchangeResult::Outcome::kTimeout;
    co_return result;
  }
  if (stream->reset) {
    if (stream->response_too_large) {
      co_return ResetResult(fmt::format("the response body is over http.max_body_bytes ({})",
                                        limits_.max_body_bytes));
    }
    if (stream->connection_lost) co_return ResetResult("");
    co_return ResetResult("", false);
  }
  ExchangeResult result;
  result.response = std::move(stream->response);
  co_return result;
}

}  // namespace crossmesh::proxy
