#include "harness/proxy/http_exchange.h"

#include <openssl/err.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>

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

}  // namespace

asio::awaitable<ExchangeResult> Exchange(ByteStream& upstream, HttpReader& reader,
                                         const HttpRequest& request,
                                         std::chrono::milliseconds timeout) {
  Watchdog deadline(co_await asio::this_coro::executor);
  deadline.Arm(timeout, [&upstream] { upstream.Close(); });

  ExchangeResult result;
  ErrorCode ec;
  const std::string wire = SerializeRequest(request);
  co_await upstream.Write(asio::buffer(wire), ec);
  HttpReadResult read;
  if (!ec) {
    read = co_await reader.ReadResponse(upstream, request.method == "HEAD", result.response);
    ec = read.ec;
  }
  deadline.Disarm();

  if (deadline.expired()) {
    result.outcome = ExchangeResult::Outcome::kTimeout;
  } else if (ec || !read.ok()) {
    result.outcome = ExchangeResult::Outcome::kReset;
    result.failure = ResetFailure(ec);
    if (!ec) result.failure.message = "the upstream sent a malformed response";
  }
  co_return result;
}

}  // namespace crossmesh::proxy
