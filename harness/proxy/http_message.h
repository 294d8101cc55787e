// HTTP/1.1 messages as the proxy handles them: whole messages with a decoded body, and their
// wire form. The proxy terminates and re-originates every request, so hop-by-hop headers
// (Connection, Transfer-Encoding, ...) are dropped and each side gets its own framing: a
// Content-Length body, and "connection: close" when the connection ends after the message.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crossmesh::proxy {

class BodyTail;
class ByteStream;
class H2BodyPipe;

struct HttpHeader {
  std::string name;
  std::string value;
};

// Set on a request whose client can give up on it (an HTTP/2 stream it resets): the exchange
// in progress registers how to abandon its upstream, so a reset frees the upstream at once.
struct RequestCancel {
  bool cancelled = false;
  std::function<void()> on_cancel;  // set only while an exchange runs

  void Cancel() {
    if (cancelled) return;
    cancelled = true;
    if (on_cancel) on_cancel();
  }
};

struct HttpRequest {
  std::string method;
  std::string target;  // origin form: "/path?query"
  unsigned version = 11;
  std::vector<HttpHeader> headers;
  std::string body;
  bool keep_alive = true;
  std::shared_ptr<RequestCancel> cancel;  // null: the client cannot give up on it
  // The downstream takes a response body as it arrives (HTTP/1.1, or HTTP/2 through a pipe):
  // a Content-Length body from an HTTP/1.1 upstream may then come back as a `tail` still on
  // the upstream connection.
  bool relay_response_body = false;
  // The rest of a body over http.max_body_bytes, still on the client's connection (BodyTail):
  // sent on as it arrives, to an HTTP/1.1 upstream, on one attempt only.
  std::shared_ptr<BodyTail> tail;
  // An HTTP/2 request passed on as it arrives (H2BodyPipe): its body, still coming from the
  // client's stream; sent to an HTTP/2 upstream as it comes, kept for a retry up to a limit.
  std::shared_ptr<H2BodyPipe> body_pipe;
  // The downstream is an HTTP/2 stream that takes a response body as it arrives: an HTTP/2
  // upstream's answer may then come back with a `body_pipe`.
  bool relay_h2_body = false;
  // A body_pipe body's length as its client declared it (content-length; 0: not declared),
  // which an HTTP/1.1 upstream is told.
  size_t pipe_bytes = 0;
  // The protocol an HTTP/1.1 client asks to switch to (its Upgrade, named by Connection):
  // only "websocket" is passed on, as App Mesh's Envoy enables WebSocket upgrades alone.
  std::string upgrade;

  bool cancelled() const { return cancel && cancel->cancelled; }
  // The body's whole length: what `body` holds and what its tail will bring.
  size_t BodyBytes() const;
  // False when the body has a tail of unknown length (chunked), or is an HTTP/2 body passed on
  // with no content-length: it is sent on in chunks.
  bool BodyLengthKnown() const;
  // The first value of `name` (ASCII case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  void SetHeader(std::string_view name, std::string value);
  // The target without its query.
  std::string_view Path() const;
  // The content-length the client sent, when it is a plain decimal number.
  std::optional<size_t> DeclaredLength() const;
  // Rewrites a target in absolute form ("http://host:port/path?q") to origin form, its
  // authority becoming the Host (RFC 9112 3.2.2: it wins over a Host header). False for a
  // target in neither form, or an authority with user info: the request is malformed.
  bool MakeOriginForm();
  // Why the proxy cannot pass this request on, as {status, text}: a CONNECT (501: the sidecar
  // opens no tunnels), a target with a fragment, a Host that is not a host[:port] (400).
  std::optional<std::pair<unsigned, std::string>> Problem() const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string reason;  // empty: the standard phrase for `status`
  unsigned version = 11;
  std::vector<HttpHeader> headers;
  std::string body;
  std::shared_ptr<BodyTail> tail;  // the rest of the body, still to be read (BodyTail)
  // The rest of the body and the trailers, still arriving on an HTTP/2 upstream stream.
  std::shared_ptr<H2BodyPipe> body_pipe;
  std::vector<HttpHeader> trailers;  // HTTP/2 only (gRPC's grpc-status); not sent over HTTP/1.1
  bool keep_alive = true;
  // The client is HTTP/1.0, which closes unless told "connection: keep-alive".
  bool announce_keep_alive = false;
  bool local = false;  // made by this proxy (LocalReply), not by an upstream
  // A 101 to a request's upgrade: the protocol switched to, and the upstream connection that
  // now speaks it, with the bytes the upstream sent after the head. The proxy then copies
  // bytes both ways between its client and `tunnel` until either side ends.
  std::string upgrade;
  std::shared_ptr<ByteStream> tunnel;
  std::string tunnel_early;

  std::string_view Header(std::string_view name) const;
  void SetHeader(std::string_view name, std::string value);
  // The body's whole length: what `body` holds and what its tail will bring.
  size_t BodyBytes() const;
  // False when the body has a tail of unknown length (BodyBytes() then counts what is here).
  bool BodyLengthKnown() const;
};

// A response the proxy makes itself (Envoy's local replies): "server: envoy", text body.
HttpResponse LocalReply(unsigned status, std::string body);

std::string SerializeRequest(const HttpRequest& request);
// `head_request`: the body is not sent (the length still is).
std::string SerializeResponse(const HttpResponse& response, bool head_request);
// The status line and headers only; with `body_bytes` set to how many body bytes follow them
// (0 for a HEAD request or a status that has no body). A body of unknown length is announced
// as chunked when the connection stays open, or else as lasting until it closes.
std::string SerializeResponseHead(const HttpResponse& response, bool head_request,
                                  size_t& body_bytes);

// Appends `data` framed as one HTTP/1.1 chunk (nothing for no data: an empty chunk is the last).
void AppendChunk(std::string& out, std::string_view data);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

std::string_view ReasonPhrase(unsigned status);
// Inline: every header lookup of every request compares names, most of them of other lengths.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  // ASCII only, as header names are: std::tolower asks the locale per character, which showed
  // in profiles.
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace crossmesh::proxy
