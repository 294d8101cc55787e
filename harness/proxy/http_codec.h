// HttpReader: reads whole HTTP/1.1 requests and responses from a ByteStream with Beast's parser
// (chunked bodies decoded, header and body limits enforced). One reader per connection and
// direction: bytes read past the end of one message (pipelining) are kept for the next.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/config.h"
#include "harness/proxy/http_message.h"

namespace crossmesh::proxy {

enum class HttpReadStatus {
  kOk,
  kClosed,           // the peer closed cleanly before sending any byte of a message
  kHeaderTooLarge,   // answer 431
  kBodyTooLarge,     // answer 413
  kMalformed,        // answer 400 (includes a message cut short by the peer)
  kNotImplemented,   // answer 501: a transfer coding other than chunked alone
  kUpgradeRequired,  // answer 426: an HTTP/1.0 request, unless http.accept_http_10
  kTransportError,   // the connection failed (reset, timeout, TLS error): nothing to answer
};

// The rest of a body whose length its head does not give (chunked, or up to the end of the
// connection), decoded by the parser that read the head as the bytes arrive.
class BodyDecoder {
 public:
  virtual ~BodyDecoder() = default;
  // Decodes what it can of `raw`, appending the body's bytes to `body`; returns how many raw
  // bytes it used (fewer once the body has ended: the rest follows the message). `ec`: the
  // framing is malformed.
  virtual size_t Put(std::string_view raw, std::string& body, ErrorCode& ec) = 0;
  // The connection ended: the end of a body that lasts until then, or a body cut short (`ec`).
  virtual void PutEnd(ErrorCode& ec) = 0;
  virtual bool done() const = 0;
};

struct HttpReadResult {
  HttpReadStatus status = HttpReadStatus::kOk;
  ErrorCode ec;
  // Set when the read may leave a body of unknown length open (see HttpReader): the body has
  // more to come, which this decodes. What came with the head is in the message's body.
  std::unique_ptr<BodyDecoder> rest;
  // kTransportError: some of the message had arrived (a client that stalled mid-request).
  bool partial = false;
  bool ok() const { return status == HttpReadStatus::kOk; }
};

class HttpReader {
 public:
  explicit HttpReader(const HttpLimits& limits);
  ~HttpReader();
  HttpReader(HttpReader&& other) noexcept;
  HttpReader& operator=(HttpReader&& other) noexcept;
  HttpReader(const HttpReader&) = delete;
  HttpReader& operator=(const HttpReader&) = delete;

  // `tail_bytes`: when set, a Content-Length body over http.max_body_bytes is left on the
  // stream once the head (and what came with it) is read, instead of refused with 413, and
  // its remaining length put there (a BodyTail relays it); otherwise 0 is left there. A
  // chunked body is then read whole up to that limit, and past it left on the stream too,
  // with the result's `rest` to decode the rest.
  asio::awaitable<HttpReadResult> ReadRequest(ByteStream& stream, HttpRequest& request,
                                              size_t* tail_bytes = nullptr);
  // `head_request`: the response to a HEAD has no body whatever its headers say.
  // `tail_bytes`: when set, a large Content-Length body is left on the stream once its head
  // (and what came with it) is read, and its remaining length put there (BodyTail reads it);
  // otherwise 0 is left there and the body is read whole. A chunked body, or one that lasts
  // until the connection ends, is then left on the stream too once what came with its head is
  // decoded, with the result's `rest` to decode the rest.
  // `upgrade_asked`: the protocol the request asked to switch to, so that a 101 to it is the
  // final answer (any other 101 is a malformed response).
  asio::awaitable<HttpReadResult> ReadResponse(ByteStream& stream, bool head_request,
                                               HttpResponse& response, size_t* tail_bytes = nullptr,
                                               std::string_view upgrade_asked = {});
  // Bytes already read from the stream (while telling HTTP/1.1 from HTTP/2, or past the end
  // of a body a decoder read): parsed first.
  void Prime(std::string bytes) { pending_ = std::move(bytes) + pending_; }
  // True when bytes of a next message were already read.
  bool has_pending() const { return !pending_.empty(); }
  // The bytes read past the last message: after a 101, the first of the new protocol's.
  std::string TakePending() { return std::exchange(pending_, {}); }
  // Bytes of bodies read so far (after their heads), over the reader's life: a request whose
  // body keeps arriving is making progress.
  uint64_t body_read() const { return body_read_; }

 private:
  asio::awaitable<HttpReadResult> ReadOneResponse(ByteStream& stream, bool head_request,
                                                  HttpResponse& response, size_t* tail_bytes);

  // The buffer reads go into, kept for the reader's life: in the reading coroutine's frame,
  // it made every message's frame a 16 KiB allocation, which glibc's malloc serves slowly
  // (profiles of 200-byte requests showed malloc and free at over a tenth of the proxy's CPU).
  char* ReadBuffer();
  uint64_t body_read_ = 0;

  // The places of this reader's request and response parsers (http_codec.cc), kept across
  // messages: a parser can be neither reset nor moved, so each message's is built anew in its
  // place, and one whose body is left open takes the place along (to its decoder).
  struct Parsers;

  HttpLimits limits_;
  std::string pending_;
  std::unique_ptr<char[]> buffer_;
  std::unique_ptr<Parsers> parsers_;
};

}  // namespace crossmesh::proxy
