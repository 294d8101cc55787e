#include "harness/proxy/http_downstream.h"

#include <algorithm>
#include <array>
#include <boost/asio/this_coro.hpp>

#include "harness/proxy/body_tail.h"
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
    case HttpReadStatus::kNotImplemented:
      return 501;
    case HttpReadStatus::kUpgradeRequired:
      return 426;
    default:
      return 0;
  }
}

// A request refused before it was whole is still a request answered, as in Envoy, whose
// codec errors are local replies on a stream: it counts in downstream_rq_total and its class.
void CountLocalReply(HttpStats& stats, unsigned status) {
  stats.rq_total.Inc();
  stats.CountResponse(status);
}

// Envoy's 403 (upgrade_failed) and 426 have no body; its other refusals name their status.
std::string RefusalBody(unsigned status) {
  return status == 403 || status == 426 ? std::string() : std::string(ReasonPhrase(status));
}

// How long and how much LingeringClose drains before it closes anyway.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerBytes = size_t{1} << 20;

// The largest TLS record's payload (RFC 8446 5.1).
constexpr size_t kFirstWriteBytes = size_t{16} * 1024;

}  // namespace

// The rest of a refused request may still be arriving. Closing with it unread makes the
// kernel send a reset, which can reach the client before it has read (or finished writing
// past) the error reply; so half-close, then discard input until the client closes, for a
// bounded time and amount (RFC 9112 9.6; nginx's lingering close).
asio::awaitable<void> LingeringClose(ByteStream& down) {
  down.ShutdownSend();
  Watchdog linger(co_await asio::this_coro::executor);
  linger.Arm(kLingerTime, [&down] { down.Close(); });
  std::array<char, size_t{16} * 1024> sink;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  size_t drained = 0;
  while (drained < kLingerBytes) {
    ErrorCode ec;
    drained += co_await down.ReadSome(asio::buffer(sink), ec);
    if (ec) break;
  }
  linger.Disarm();
}

namespace {

// What NextRequest's idle watchdog does when its time is up: arms itself again if body bytes
// came meanwhile, else cuts the read short.
struct IdleLook {
  HttpReader& reader;
  Watchdog& idle;
  ByteStream& down;
  std::chrono::milliseconds after;
  uint64_t body_seen;

  void operator()() {
    if (reader.body_read() != body_seen) {
      body_seen = reader.body_read();
      idle.Arm(after, [this] { (*this)(); });
      return;
    }
    ErrorCode ignored;
    down.socket().cancel(ignored);
  }
};

}  // namespace

asio::awaitable<bool> NextRequest(ByteStream& down, HttpReader& reader, HttpStats& stats,
                                  std::chrono::milliseconds idle_timeout, Watchdog& idle,
                                  HttpRequest& request) {
  // The read waiting is cut short rather than the connection closed: a client that stalled
  // partway through a request is told (408), as Envoy's stream idle timeout does. The head
  // must arrive within the idle time; a body held whole may take longer while it keeps coming
  // (looked at only when the time is up, so a request costs no re-arming).
  IdleLook look{reader, idle, down, idle_timeout, reader.body_read()};
  idle.Arm(idle_timeout, [&look] { look(); });  // one pointer: no allocation per request
  size_t tail_bytes = 0;
  HttpReadResult result = co_await reader.ReadRequest(down, request, &tail_bytes);
  idle.Disarm();
  if (idle.expired() && result.status == HttpReadStatus::kTransportError) {
    if (result.partial) {
      stats.rq_timeout.Inc();
      CountLocalReply(stats, 408);
      HttpResponse reply = LocalReply(408, "request timeout");
      reply.keep_alive = false;
      co_await SendResponse(down, reply, false);
    }
    down.Close();
    co_return false;
  }
  // RFC 9112 3.2, and Envoy: 400 without a Host, or with more than one (an accepted HTTP/1.0
  // request too: Envoy has no authority to route it by).
  const auto hosts =
      std::count_if(request.headers.begin(), request.headers.end(),
                    [](const HttpHeader& h) { return EqualsIgnoreCase(h.name, "host"); });
  if (result.ok() && hosts != 1) {
    result.status = HttpReadStatus::kMalformed;
  }
  // Envoy drops an h2c upgrade (HTTP/2 is spoken here with prior knowledge), passes on those it
  // is configured for (App Mesh: WebSocket alone) and refuses the rest with 403.
  if (result.ok() && EqualsIgnoreCase(request.upgrade, "h2c")) request.upgrade.clear();
  const bool upgrade_refused =
      result.ok() && !request.upgrade.empty() && !EqualsIgnoreCase(request.upgrade, "websocket");
  if (result.ok() && !upgrade_refused) {
    // A client that leaves mid-upload gives up on the request, as an HTTP/2 reset does: its
    // failed answer is then neither sent nor counted.
    if (tail_bytes > 0) {
      request.cancel = std::make_shared<RequestCancel>();
      request.tail = std::make_shared<BodyTail>(down, tail_bytes, idle_timeout, request.cancel);
    } else if (result.rest) {
      request.cancel = std::make_shared<RequestCancel>();
      request.tail = std::make_shared<BodyTail>(down, std::move(result.rest), reader, idle_timeout,
                                                request.cancel);
    }
    co_return true;
  }

  const unsigned status = upgrade_refused ? 403 : ErrorStatus(result.status);
  if (status == 0) co_return false;
  if (status == 413) {
    stats.rq_too_large.Inc();
  } else if (status != 403) {  // a well-formed request, refused by configuration
    stats.protocol_error.Inc();
  }
  CountLocalReply(stats, status);
  HttpResponse reply = LocalReply(status, RefusalBody(status));
  reply.keep_alive = false;
  co_await SendResponse(down, reply, false);
  co_await LingeringClose(down);
  co_return false;
}

asio::awaitable<bool> SendResponse(ByteStream& down, const HttpResponse& response,
                                   bool head_request) {
  size_t body_bytes = 0;
  std::string wire = SerializeResponseHead(response, head_request, body_bytes);
  if (response.tail && !head_request) {
    // The head leaves with the first of the body still arriving (BodyTail::Relay).
    const bool chunked = !response.tail->length_known() && response.keep_alive;
    if (chunked) AppendChunk(wire, response.body);
    const std::string_view first = chunked ? std::string_view() : response.body;
    const bool relayed = co_await response.tail->Relay(down, wire, chunked, first);
    co_return relayed&& response.keep_alive;
  }

  // The body goes out from where it lies, after a first write of the head and as much body
  // as fills one TLS record: copying a whole large body behind the head showed in profiles
  // of 64 KiB responses, and a head alone would cost a record and a send of its own.
  const size_t copied =
      std::min(body_bytes, kFirstWriteBytes - std::min(kFirstWriteBytes, wire.size()));
  wire.append(response.body, 0, copied);
  ErrorCode ec;
  co_await down.Write(asio::buffer(wire), ec);
  if (!ec && copied < body_bytes) {
    co_await down.Write(asio::buffer(response.body.data() + copied, body_bytes - copied), ec);
  }
  co_return !ec && response.keep_alive;
}

}  // namespace crossmesh::proxy
