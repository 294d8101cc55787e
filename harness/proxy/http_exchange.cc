#include "harness/proxy/http_exchange.h"

#include <fmt/format.h>

#include <openssl/err.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/answer_watch.h"
#include "harness/proxy/body_tail.h"
#include "harness/proxy/h2_body_pipe.h"

#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {
namespace {

// Under TLS 1.3 a server that rejects the client certificate says so after the client thinks
// the handshake is over, as an alert on the first read: keep its name for the 503 body.
TransportFailure ResetFailure(const ErrorCode& ec) {
  if (ec.category() == asio::error::get_ssl_category() &&
      ERR_GET_LIB(static_cast<unsigned long>(ec.value())) == ERR_LIB_SSL) {
    return TlsFailure(FailureKind::kTls, ERR_GET_REASON(static_cast<unsigned long>(ec.value())));
  }
  TransportFailure failure;
  failure.kind = FailureKind::kClosed;
  failure.message = ec.message();
  return failure;
}

// The upstream as the response reader sees it: every read that brings bytes re-arms the idle
// watchdog, so only silence ends the exchange.
class ActivityStream final : public ByteStream {
 public:
  ActivityStream(ByteStream& inner, Watchdog& idle, std::chrono::milliseconds after)
      : inner_(inner), idle_(idle), after_(after) {}

  asio::awaitable<size_t> ReadSome(asio::mutable_buffer buffer, ErrorCode& ec) override {
    const size_t n = co_await inner_.ReadSome(buffer, ec);
    if (n > 0) Rearm();
    co_return n;
  }
  asio::awaitable<void> Write(asio::const_buffer buffer, ErrorCode& ec) override {
    co_await inner_.Write(buffer, ec);
  }
  void ShutdownSend() override { inner_.ShutdownSend(); }
  void Close() override { inner_.Close(); }
  tcp::socket& socket() override { return inner_.socket(); }
  bool is_tls() const override { return inner_.is_tls(); }

  void Rearm() {
    ByteStream& inner = inner_;
    idle_.Arm(after_, [&inner] { inner.Close(); });
  }

 private:
  ByteStream& inner_;
  Watchdog& idle_;
  std::chrono::milliseconds after_;
};

constexpr size_t kPipedPiece = size_t{64} * 1024;

// Writes `head`, then an HTTP/2 client's body from `pipe` as it arrives, gathering what has
// arrived into each write; `chunked` (a body of no declared length), each write a chunk, and
// the last chunk at the end. False when the client's stream broke off (the upstream is closed:
// its request cannot be completed), a write failed, or the upstream answered before the end.
asio::awaitable<bool> SendPiped(ByteStream& upstream, std::string_view head,
                                std::shared_ptr<H2BodyPipe> body, bool chunked) {
  H2BodyPipe& pipe = *body;
  asio::steady_timer wake(co_await asio::this_coro::executor,
                          asio::steady_timer::time_point::max());
  const ScopedConsumer consumer(body, [&wake, &upstream, &pipe] {
    wake.cancel();
    if (pipe.failed()) upstream.Close();  // also ends a write the upstream is not taking
  });
  // An upstream answering before it took the body (a 413, then not reading) ends the sending,
  // so that answer is read at once rather than when the upstream gives up.
  const std::shared_ptr<AnswerWatch> answer = co_await StartAnswerWatch(upstream, [&] {
    ErrorCode ignored;
    upstream.socket().cancel(ignored);  // a write it no longer takes
    wake.cancel();
  });
  std::string piece(head);
  bool last_chunk_sent = !chunked;
  bool ok = true;
  for (;;) {
    if (answer->answered) {
      ok = false;
      break;
    }
    const size_t room = kPipedPiece - std::min(piece.size(), kPipedPiece);
    const size_t n = std::min(room, pipe.available());
    if (n > 0) {
      if (chunked) piece += fmt::format("{:x}\r\n", n);
      const size_t at = piece.size();
      piece.resize(at + n);
      pipe.Read(reinterpret_cast<uint8_t*>(piece.data() + at), n);
      if (chunked) piece += "\r\n";
    }
    if (!last_chunk_sent && pipe.drained()) {
      piece += kLastChunk;
      last_chunk_sent = true;
    }
    if (!piece.empty()) {
      ErrorCode ec;
      co_await upstream.Write(asio::buffer(piece), ec);
      piece.clear();
      if (ec) {
        ok = false;
        break;
      }
      continue;
    }
    if (pipe.failed() || pipe.abandoned()) {
      upstream.Close();
      ok = false;
      break;
    }
    if (pipe.drained()) break;
    ErrorCode ec;
    co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  answer->done = true;  // its next look ends it
  co_return ok;
}

}  // namespace

asio::awaitable<ExchangeResult> Exchange(const std::shared_ptr<ByteStream>& upstream_stream,
                                         HttpReader& reader, const HttpRequest& request,
                                         std::chrono::milliseconds timeout,
                                         std::chrono::milliseconds idle,
                                         std::shared_ptr<ExchangeTimers>& timers) {
  using SteadyClock = std::chrono::steady_clock;
  auto executor = co_await asio::this_coro::executor;
  if (!timers || timers->executor != executor) timers = std::make_shared<ExchangeTimers>(executor);
  const std::shared_ptr<ExchangeTimers> kept = timers;  // for this exchange, whatever the link
  ByteStream& upstream = *upstream_stream;
  ExchangeResult result;
  ErrorCode ec;
  const std::string wire = SerializeRequest(request);
  bool sent_whole = true;
  Watchdog& deadline = kept->deadline;
  Watchdog& quiet = kept->quiet;
  deadline.Arm(std::chrono::milliseconds(0), {});  // forgets an earlier exchange's expiry
  quiet.Arm(std::chrono::milliseconds(0), {});
  ActivityStream watched(upstream, quiet, idle);
  BodyTail* const uploading = request.tail.get();
  // The body's rest goes as the client sends it, while the answer is read (an app may answer
  // as it reads, or answer early and stop reading): the timeout, and the idle time, count
  // from its end, as Envoy's route timeout counts from the end of the request.
  if (uploading != nullptr) {
    uploading->Start(executor, upstream_stream, wire);
    uploading->OnEnd([&deadline, &upstream, &watched, timeout, idle] {
      deadline.Arm(timeout, [&upstream] { upstream.Close(); });
      if (idle.count() > 0) watched.Rearm();
    });
  } else if (request.body_pipe) {
    // When the upstream stopped taking it, its answer (a 413, say) is read all the same.
    sent_whole = co_await SendPiped(upstream, wire, request.body_pipe, !request.BodyLengthKnown());
  }
  if (uploading == nullptr) deadline.Arm(timeout, [&upstream] { upstream.Close(); });
  CancelHook hook(request, [&upstream] { upstream.Close(); });

  if (!request.tail && !request.body_pipe) co_await upstream.Write(asio::buffer(wire), ec);
  HttpReadResult read;
  if (!ec) {
    ByteStream& from = idle.count() > 0 ? static_cast<ByteStream&>(watched) : upstream;
    if (idle.count() > 0 && uploading == nullptr) watched.Rearm();
    size_t* tail = request.relay_response_body ? &result.tail_bytes : nullptr;
    read = co_await reader.ReadResponse(from, request.method == "HEAD", result.response, tail,
                                        request.upgrade);
    ec = read.ec;
    result.rest = std::move(read.rest);
  }
  if (uploading != nullptr) {
    uploading->OnEnd(nullptr);  // this frame's watchdogs go with it
    sent_whole = !uploading->running() && uploading->done();
    // An answer whose body is still to come may outlast the upload (an app echoing it): its
    // connection's reuse is decided when that body is through (UpstreamPool::HoldForTail).
    const bool answer_streams = result.tail_bytes > 0 || result.rest != nullptr;
    if (uploading->running() && answer_streams) {
      result.upload = request.tail;
      sent_whole = true;
    }
  }
  deadline.Disarm();
  quiet.Disarm();

  // A body still going when the answer's head came: the rest of the answer has no deadline
  // until it ends (the timeout would count from there), only the idle time.
  const bool unbounded = timeout.count() == 0 || (uploading != nullptr && uploading->running());
  const SteadyClock::time_point started =
      uploading != nullptr ? uploading->ended_at() : SteadyClock::now();
  result.deadline = unbounded ? SteadyClock::time_point::max() : started + timeout;
  if (deadline.expired()) {
    result.outcome = ExchangeResult::Outcome::kTimeout;
  } else if (quiet.expired()) {
    result.outcome = ExchangeResult::Outcome::kIdleTimeout;
  } else if (ec || !read.ok()) {
    result.outcome = ExchangeResult::Outcome::kReset;
    result.failure = ResetFailure(ec);
    // An answer that broke HTTP reached the proxy, so its request reached the upstream.
    const bool broken = read.status == HttpReadStatus::kBodyTooLarge ||
                        read.status == HttpReadStatus::kHeaderTooLarge || !ec;
    if (broken) result.failure.kind = FailureKind::kProtocolError;
    if (read.status == HttpReadStatus::kBodyTooLarge) {
      result.failure.message = "the response body is over http.max_body_bytes";
    } else if (read.status == HttpReadStatus::kHeaderTooLarge) {
      result.failure.message =
          "the upstream sent headers over http.max_header_bytes or http.max_headers_count";
    } else if (!ec) {
      result.failure.message = "the upstream sent a malformed response";
    }
  }
  // An upstream that answered a request it did not take whole cannot carry another.
  if (!sent_whole) result.response.keep_alive = false;
  co_return result;
}

}  // namespace crossmesh::proxy
