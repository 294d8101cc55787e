// The server side of H2Connection: each request stream is answered by the handler, on its own
// coroutine, while the connection goes on reading.
#include <nghttp2/nghttp2.h>
#include <spdlog/spdlog.h>

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/grpc_reply.h"
#include "harness/proxy/h2_connection.h"
#include "harness/proxy/h2_headers.h"
#include "harness/proxy/h2_stream.h"

namespace crossmesh::proxy {

asio::awaitable<void> H2Connection::Serve(std::shared_ptr<ByteStream> stream,
                                          std::string already_read, const HttpLimits& limits,
                                          HttpStats& stats, std::chrono::milliseconds idle_timeout,
                                          RequestHandler handler) {
  auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<H2Connection> self(
      new H2Connection(Role::kServer, std::move(stream), limits, executor));
  self->stats_ = &stats;
  self->handler_ = std::move(handler);
  self->idle_timeout_ = idle_timeout;
  self->idle_ = std::make_unique<Watchdog>(executor);
  self->handlers_done_ =
      std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  std::string error;
  if (!self->Open(error)) {
    spdlog::warn("http2: cannot serve a connection: {}", error);
    co_return;
  }
  self->UpdateIdle();

  co_await self->ReadLoop(std::move(already_read));

  // The handlers use what the caller owns (its upstream connections): wait for them.
  while (self->running_handlers_ > 0) {
    ErrorCode ec;
    co_await self->handlers_done_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  self->idle_.reset();
  self->handler_ = nullptr;
}

void H2Connection::Dispatch(const std::shared_ptr<Stream>& stream) {
  ++running_handlers_;
  UpdateIdle();
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
  if (!stream->closed && !failed_) {
    SubmitResponse(*stream, std::move(response), head);
    co_await Flush();
  }
  if (--running_handlers_ == 0) handlers_done_->cancel();
  UpdateIdle();
}

void H2Connection::SubmitResponse(Stream& stream, HttpResponse response, bool head_request) {
  H2HeaderBlock block = ResponseBlock(response);
  std::vector<nghttp2_nv> view = block.View();
  stream.out_body = head_request ? std::string() : std::move(response.body);
  stream.out_offset = 0;
  stream.out_trailers = std::move(response.trailers);
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

// Envoy answers a request body over its buffer limit with 413; the rest of it is dropped. So
// does a stream whose body would take the connection past its budget.
void H2Connection::RefuseTooLarge(Stream& stream) {
  stream.too_large = true;
  stream.request.body.clear();
  buffered_ -= std::exchange(stream.buffered_bytes, 0);
  stats_->rq_too_large.Inc();
  stats_->CountResponse(413);
  HttpResponse reply = LocalReply(413, "Payload Too Large");
  if (IsGrpcRequest(stream.request)) reply = GrpcLocalReply(reply);
  SubmitResponse(stream, std::move(reply), false);
}

// A server connection with no stream open and no handler running counts as idle.
void H2Connection::UpdateIdle() {
  if (!idle_ || idle_timeout_.count() <= 0) return;
  if (!streams_.empty() || running_handlers_ > 0 || failed_) {
    idle_->Disarm();
    return;
  }
  idle_->Arm(idle_timeout_, [stream = stream_] { stream->Close(); });
}

}  // namespace crossmesh::proxy
