#include "harness/proxy/http_downstream.h"

#include <boost/asio/this_coro.hpp>

#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {
namespace {

// The local reply for input the codec refused, or nullopt-like status 0 when nothing is owed.
unsigned ErrorStatus(HttpReadStatus status) {
  switch (status) {
    case HttpReadStatus::kHeaderTooLarge:
      return 431;
    case HttpReadStatus::kBodyTooLarge:
      return 413;
    case HttpReadStatus::kMalformed:
      return 400;
    default:
      return 0;
  }
}

}  // namespace

asio::awaitable<bool> NextRequest(ByteStream& down, HttpReader& reader, HttpStats& stats,
                                  std::chrono::milliseconds idle_timeout, HttpRequest& request) {
  Watchdog idle(co_await asio::this_coro::executor);
  idle.Arm(idle_timeout, [&down] { down.Close(); });
  HttpReadResult result = co_await reader.ReadRequest(down, request);
  idle.Disarm();
  if (result.ok()) co_return true;

  const unsigned status = ErrorStatus(result.status);
  if (status == 0) co_return false;
  if (status == 413) {
    stats.rq_too_large.Inc();
  } else {
    stats.protocol_error.Inc();
  }
  HttpResponse reply = LocalReply(status, std::string(ReasonPhrase(status)));
  reply.keep_alive = false;
  co_await SendResponse(down, reply, false);
  co_return false;
}

asio::awaitable<bool> SendResponse(ByteStream& down, const HttpResponse& response,
                                   bool head_request) {
  const std::string wire = SerializeResponse(response, head_request);
  ErrorCode ec;
  co_await down.Write(asio::buffer(wire), ec);
  co_return !ec && response.keep_alive;
}

}  // namespace crossmesh::proxy
