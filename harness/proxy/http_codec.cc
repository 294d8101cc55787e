#include "harness/proxy/http_codec.h"

#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <limits>
#include <optional>
#include <utility>

namespace crossmesh::proxy {
namespace {

namespace http = boost::beast::http;

constexpr size_t kReadChunk = size_t{16} * 1024;

// Beast's string_body, reading only: appends each piece of body where string_body resizes
// (zero-filling) and then copies over the zeros, which showed in profiles of 64 KiB bodies.
struct AppendingBody {
  using value_type = std::string;

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>& /*header*/, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, ErrorCode& ec) {
      // No more than a read's worth up front: the length is the peer's claim, checked against
      // the body limit only after this (a false 1 TB made this reserve fail).
      if (length) body_.reserve(static_cast<size_t>(std::min<std::uint64_t>(*length, kReadChunk)));
      ec = {};
    }

    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, ErrorCode& ec) {
      size_t total = 0;
      for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
           ++it) {
        const asio::const_buffer buffer(*it);
        body_.append(static_cast<const char*>(buffer.data()), buffer.size());
        total += buffer.size();
      }
      ec = {};
      return total;
    }

    void finish(ErrorCode& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

// Results are built by functions, not braced in co_return: GCC 12 mishandles braced
// temporaries in coroutine return and await expressions.
HttpReadResult Done() { return HttpReadResult{}; }
HttpReadResult Failed(HttpReadStatus status, const ErrorCode& ec) {
  return {status, ec, nullptr, false};
}
HttpReadResult FailedPartway(const ErrorCode& ec) {
  return {HttpReadStatus::kTransportError, ec, nullptr, true};
}

// A Transfer-Encoding other than "chunked" alone: a coding the proxy would drop (gzip) or,
// when chunked is not last, a body framed by the connection's end that a request cannot have
// (RFC 9112 6.3), which read as no body would let what follows pass for another request.
template <class Message>
bool UnsupportedCoding(const Message& message) {
  const auto coding = message[http::field::transfer_encoding];
  if (coding.empty() && message.find(http::field::transfer_encoding) == message.end()) {
    return false;
  }
  std::string_view text(coding.data(), coding.size());
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return !EqualsIgnoreCase(text, "chunked");
}

// More fields than `limit`: Envoy's max_headers_count, which bounds the work a message of many
// tiny fields makes for every hop after this one (the byte limit alone lets 10,000 through).
template <class Message>
bool TooManyFields(const Message& message, size_t limit) {
  return static_cast<size_t>(std::distance(message.begin(), message.end())) > limit;
}

// A chunked body's framing as far as the parser has read it, to refuse at once what Beast would
// wait on and llhttp (Envoy's parser) refuses: a size past a signed 64-bit length (as for
// Content-Length); a line feed without its carriage return in a size line or trailer; chunk
// data followed by anything but CRLF; a size line that does not start with a hexadecimal digit.
// Beast reads a framing line only once it has ended (or, after chunk data, 4 bytes have come),
// so each held the connection until its idle time instead of a 400.
class ChunkFraming {
 public:
  // Beast's chunk header callback: each non-final chunk's size, as its line is read.
  template <class Extensions>
  void operator()(std::uint64_t size, Extensions /*extensions*/, ErrorCode& ec) {
    ++sizes_read_;
    if (size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      ec = http::error::bad_chunk;
    }
  }

  // `unparsed`: what the parser left of a chunked body. It takes chunk data as it comes and
  // framing only whole, so this starts where a size line does: after a chunk's data, with the
  // CRLF that ends it (Beast reads the two together; the last chunk's line and the trailers
  // follow in the same way).
  bool Refuses(std::string_view unparsed) const {
    for (size_t at = unparsed.find('\n'); at != std::string_view::npos;
         at = unparsed.find('\n', at + 1)) {
      if (at == 0 || unparsed[at - 1] != '\r') return true;
    }
    std::string_view line = unparsed;
    if (sizes_read_ > 0) {
      if (!line.empty() && line[0] != '\r') return true;
      if (line.size() >= 2 && line[1] != '\n') return true;
      if (line.size() < 3) return false;
      line.remove_prefix(2);
    }
    return !line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) == 0;
  }

 private:
  size_t sizes_read_ = 0;
};

// Beast's parser with its body's chunk framing beside it, which the parser calls by reference.
template <class Base>
class FramedParser : public Base {
 public:
  ChunkFraming framing;
};

// The tokens of a message's Connection fields ("upgrade", "keep-alive", names of fields).
std::vector<std::string> ConnectionTokens(const std::vector<HttpHeader>& headers) {
  std::vector<std::string> tokens;
  for (const HttpHeader& header : headers) {
    if (!EqualsIgnoreCase(header.name, "connection")) continue;
    std::string_view list = header.value;
    while (!list.empty()) {
      const size_t comma = std::min(list.find(','), list.size());
      std::string_view token = list.substr(0, comma);
      list.remove_prefix(std::min(comma + 1, list.size()));
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) {
        token.remove_prefix(1);
      }
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
        token.remove_suffix(1);
      }
      if (!token.empty()) tokens.emplace_back(token);
    }
  }
  return tokens;
}

// The protocols a message's Upgrade names when Connection names "upgrade" (RFC 9110 7.8),
// every Upgrade field joined as one list (two fields mean what one comma-separated one does);
// empty otherwise (an Upgrade alone is a hop-by-hop field to drop).
std::string UpgradeOf(const std::vector<HttpHeader>& headers) {
  const std::vector<std::string> tokens = ConnectionTokens(headers);
  const bool named = std::any_of(tokens.begin(), tokens.end(), [](const std::string& token) {
    return EqualsIgnoreCase(token, "upgrade");
  });
  std::string upgrade;
  for (const HttpHeader& header : headers) {
    if (!named || !EqualsIgnoreCase(header.name, "upgrade")) continue;
    if (!upgrade.empty()) upgrade += ", ";
    upgrade += header.value;
  }
  return upgrade;
}

// Drops the fields a message's Connection header names (RFC 9110 7.6.1): they were meant for
// this hop only. (Connection itself, and the fixed hop-by-hop fields, go when it is written.)
void DropConnectionNamed(std::vector<HttpHeader>& headers) {
  const std::vector<std::string> named = ConnectionTokens(headers);
  if (named.empty()) return;
  std::erase_if(headers, [&named](const HttpHeader& header) {
    return std::any_of(named.begin(), named.end(), [&header](const std::string& name) {
      return EqualsIgnoreCase(header.name, name) && !EqualsIgnoreCase(name, "connection");
    });
  });
}

HttpReadResult Classify(const ErrorCode& ec) {
  if (ec == http::error::header_limit) return Failed(HttpReadStatus::kHeaderTooLarge, ec);
  if (ec == http::error::body_limit) return Failed(HttpReadStatus::kBodyTooLarge, ec);
  return Failed(HttpReadStatus::kMalformed, ec);
}

// Below this many body bytes left, going through the parser costs less than growing the body.
constexpr size_t kDirectBodyBytes = size_t{4} * 1024;

// The rest of a Content-Length body, read straight into the body: the parser would take it
// from a read buffer and copy it in, which showed in profiles of 64 KiB bodies.
asio::awaitable<HttpReadResult> ReadRestOfBody(ByteStream& stream, std::string& body,
                                               size_t remaining, uint64_t& body_read) {
  size_t offset = body.size();
  body.resize(offset + remaining);
  while (remaining > 0) {
    ErrorCode ec;
    const size_t n = co_await stream.ReadSome(asio::buffer(body.data() + offset, remaining), ec);
    if (ec) {
      body.resize(offset);
      if (!IsPeerGone(ec) || ec == asio::error::operation_aborted) co_return FailedPartway(ec);
      co_return Failed(HttpReadStatus::kMalformed, ec);  // cut short
    }
    offset += n;
    remaining -= n;
    body_read += n;
  }
  co_return Done();
}

// Feeds `pending` and then freshly read bytes to `parser` until one whole message is parsed.
// Beast needs the complete header in one buffer, hence the accumulation in `pending`.
// "Expect: 100-continue" (ASCII case-insensitive), as a client that waits before its body sends.
template <class Message>
bool ExpectsContinue(const Message& message) {
  const auto expect = message[http::field::expect];
  return boost::beast::iequals(expect, "100-continue");
}

// `answer_continue` (requests): a client that sent "Expect: 100-continue" is told to go on
// before its body is read, as Envoy does by default, instead of making it wait for a timeout
// (curl waits a second). `tail_bytes`: when set, the part still to come of a Content-Length
// body over `trail_above` bytes is left on the stream and its length put there. With `open_unknown`
// too, a body of unknown length is left on the stream once what has arrived of it is decoded and
// over `trail_above` bytes: Parse then returns with the parser not done. `body_limit`: the most
// body bytes read whole (a tail is not held, so not limited); checked here rather than by
// Beast's parser, whose limit would refuse the bodies that become tails too.
// `max_fields`: the most header fields (Envoy's max_headers_count); more is kHeaderTooLarge.
// `header`: the message's fields as its header ended, when a body followed; Beast adds a
// chunked body's trailer fields to the same list (beside same-named ones), and those are not
// headers. Empty when the message ended with its header.
// `buffer`: kReadChunk bytes to read into. `body_read` counts the bytes read after the head.
// What the parser has not taken yet: in `pending`, or still where a read put it (`unread`, in
// the read buffer). Copied into `pending` only when the buffer is read into again or Parse
// returns: a head's read holds the start of its body, which the parser takes from there.
class Unparsed {
 public:
  explicit Unparsed(std::string& pending) : pending_(pending) {}
  std::string_view view() const { return unread_.empty() ? std::string_view(pending_) : unread_; }
  bool empty() const { return pending_.empty() && unread_.empty(); }
  void Consume(size_t n) {
    if (unread_.empty()) {
      pending_.erase(0, n);
    } else {
      unread_.remove_prefix(n);
    }
  }
  void SetUnread(std::string_view unread) { unread_ = unread; }  // with `pending` empty
  void Keep() {
    if (unread_.empty()) return;
    pending_.assign(unread_);
    unread_ = {};
  }

 private:
  std::string& pending_;
  std::string_view unread_;
};

// `result`, with what the parser left kept for the next message (or a lingering close).
HttpReadResult Kept(Unparsed& unparsed, HttpReadResult result) {
  unparsed.Keep();
  return result;
}

template <class Parser>
asio::awaitable<HttpReadResult> Parse(ByteStream& stream, std::string& pending, Parser& parser,
                                      bool answer_continue, size_t* tail_bytes,
                                      uint64_t trail_above, bool open_unknown, uint64_t body_limit,
                                      size_t max_fields,
                                      std::optional<std::vector<HttpHeader>>& header, char* buffer,
                                      uint64_t& body_read) {
  const asio::mutable_buffer chunk(buffer, kReadChunk);
  Unparsed unparsed(pending);
  bool got_any = !pending.empty();
  // Whether the body (its header read) may be left on the stream as a tail.
  const auto may_trail = [&parser, tail_bytes, trail_above, open_unknown] {
    const boost::optional<std::uint64_t> length = parser.content_length();
    if (tail_bytes == nullptr) return false;
    return length ? *length > trail_above : open_unknown;
  };
  // Not eager until the header is done, so that the header is taken before a trailer's fields
  // join it (a whole chunked message can come in one read).
  parser.eager(false);
  header.reset();
  for (bool checked = false;;) {
    if (parser.is_header_done() && !checked) {
      checked = true;
      header = HeadersOf(parser.get());
      parser.eager(true);
      if (UnsupportedCoding(parser.get())) {
        co_return Kept(unparsed,
                       Failed(HttpReadStatus::kNotImplemented, http::error::bad_transfer_encoding));
      }
      if (TooManyFields(parser.get(), max_fields)) {
        co_return Kept(unparsed,
                       Failed(HttpReadStatus::kHeaderTooLarge, http::error::header_limit));
      }
      // Beast takes any 64-bit length; past a signed one, no peer could mean it, and code
      // further on (ours, the app's) may read it as negative.
      const boost::optional<std::uint64_t> length = parser.content_length();
      if (length && *length > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        co_return Kept(unparsed,
                       Failed(HttpReadStatus::kMalformed, http::error::bad_content_length));
      }
    }
    if (parser.is_header_done()) {
      const boost::optional<std::uint64_t> length = parser.content_length();
      const uint64_t whole = length ? *length : parser.get().body().size();
      if (!may_trail() && whole > body_limit) {
        co_return Kept(unparsed, Failed(HttpReadStatus::kBodyTooLarge, http::error::body_limit));
      }
    }
    if (!unparsed.empty()) {
      ErrorCode ec;
      const std::string_view input = unparsed.view();
      const size_t used = parser.put(asio::buffer(input.data(), input.size()), ec);
      unparsed.Consume(used);
      if (parser.is_done()) co_return Kept(unparsed, Done());
      if (ec && ec != http::error::need_more) co_return Kept(unparsed, Classify(ec));
      if (parser.is_header_done() && parser.chunked() && parser.framing.Refuses(unparsed.view())) {
        if (!checked) continue;  // the head's own checks first: a coding refused is a 501
        co_return Kept(unparsed, Failed(HttpReadStatus::kMalformed, http::error::bad_chunk));
      }
      if (!ec && used > 0) continue;
    }

    if (answer_continue && parser.is_header_done()) {
      answer_continue = false;
      if (ExpectsContinue(parser.get())) {
        constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        ErrorCode write_ec;
        co_await stream.Write(asio::buffer(kContinue), write_ec);
        if (write_ec) co_return Kept(unparsed, FailedPartway(write_ec));
      }
    }
    if (unparsed.empty() && parser.is_header_done()) {
      const boost::optional<std::uint64_t> left = parser.content_length_remaining();
      // Any part still to come: waiting here for the rest of a small body would hold the
      // head back until the body ends (an app that answers at once and finishes later).
      if (may_trail() && left && *left > 0) {
        *tail_bytes = static_cast<size_t>(*left);
        co_return Done();
      }
      if (left && *left >= kDirectBodyBytes) {
        co_return co_await ReadRestOfBody(stream, parser.get().body(), static_cast<size_t>(*left),
                                          body_read);
      }
    }

    // About to wait for more of a body of unknown length: it goes on in a decoder instead
    // (its caller makes one of the parser), with the bytes the parser left in `pending`.
    if (parser.is_header_done() && may_trail() && !parser.content_length() &&
        parser.get().body().size() >= trail_above) {
      co_return Kept(unparsed, Done());
    }

    unparsed.Keep();  // the read below reuses the buffer
    ErrorCode ec;
    const bool in_body = parser.is_header_done();
    const size_t n = co_await stream.ReadSome(chunk, ec);
    if (in_body) body_read += n;
    if (ec) {
      if (!IsPeerGone(ec) || ec == asio::error::operation_aborted) {
        co_return got_any ? FailedPartway(ec) : Failed(HttpReadStatus::kTransportError, ec);
      }
      if (!got_any) co_return Failed(HttpReadStatus::kClosed, ec);
      // A body delimited by the end of the connection ends here; anything else was cut short.
      ErrorCode eof_ec;
      parser.put_eof(eof_ec);
      if (!eof_ec && parser.is_done()) co_return Done();
      co_return Failed(HttpReadStatus::kMalformed, eof_ec ? eof_ec : ec);
    }
    got_any = true;
    // Straight from the read buffer when nothing waits in `pending` (the usual case, and all
    // of a body after its header): what the parser leaves stays there for the next pass.
    if (pending.empty()) {
      const size_t used = parser.put(asio::buffer(buffer, n), ec);
      unparsed.SetUnread(std::string_view(buffer + used, n - used));
      if (parser.is_done()) co_return Kept(unparsed, Done());
      if (ec && ec != http::error::need_more) co_return Kept(unparsed, Classify(ec));
      continue;
    }
    pending.append(buffer, n);
  }
}

using RequestParser = FramedParser<http::request_parser<AppendingBody>>;
using ResponseParser = FramedParser<http::response_parser<AppendingBody>>;

// Where a parser is built: on the heap, as it may not move once reading and a body left open
// goes on with it; kept by its reader for the next message otherwise.
template <class Parser>
using ParserPlace = std::unique_ptr<std::optional<Parser>>;

// A fresh parser in `place` (made on first use), the previous message's destroyed.
template <class Parser>
Parser& FreshParser(ParserPlace<Parser>& place) {
  if (!place) place = std::make_unique<std::optional<Parser>>();
  Parser& parser = place->emplace();
  parser.on_chunk_header(parser.framing);
  return parser;
}

// A body's rest decoded by the parser that read its head: Beast's parser takes framing only
// after a head, and keeps the state of a chunk it is in the middle of.
template <class Parser>
class ParserDecoder final : public BodyDecoder {
 public:
  // `partial`: bytes read after the head that the parser could not take yet.
  ParserDecoder(ParserPlace<Parser> place, std::string partial)
      : place_(std::move(place)), parser_(&**place_), partial_(std::move(partial)) {}

  size_t Put(std::string_view raw, std::string& body, ErrorCode& ec) override {
    ec = {};
    size_t used = 0;
    // A chunk's size line cut by a read is taken whole with the bytes that complete it: Beast
    // consumes only whole structured elements.
    std::string_view input = raw;
    if (!partial_.empty()) {
      partial_.append(raw);
      input = partial_;
    }
    size_t taken = 0;
    while (taken < input.size() && !parser_->is_done()) {
      const size_t n = parser_->put(asio::buffer(input.data() + taken, input.size() - taken), ec);
      taken += n;
      if (ec == http::error::need_more) {
        ec = {};
        if (parser_->framing.Refuses(input.substr(taken))) ec = http::error::bad_chunk;
        break;
      }
      if (ec || n == 0) break;
    }
    MoveBody(body);
    if (ec) return raw.size();
    // What the parser could not take yet: kept, unless the body has ended (it follows).
    const size_t before = input.size() - raw.size();  // bytes of earlier calls in `input`
    if (parser_->is_done()) {
      used = taken > before ? taken - before : 0;
      partial_.clear();
      return used;
    }
    partial_ = std::string(input.substr(taken));  // `input` may be partial_ itself
    return raw.size();
  }

  void PutEnd(ErrorCode& ec) override {
    ec = {};
    parser_->put_eof(ec);
    if (!ec && !parser_->is_done()) ec = http::error::partial_message;
  }

  bool done() const override { return parser_->is_done(); }

 private:
  void MoveBody(std::string& body) {
    std::string& decoded = parser_->get().body();
    body.append(decoded);
    decoded.clear();
  }

  ParserPlace<Parser> place_;
  Parser* parser_;       // in place_
  std::string partial_;  // raw bytes not yet taken by the parser (a size line's start)
};

// Whether Parse left a body of unknown length open. (A Content-Length body it read whole may
// not show as done: its last part goes straight into the body, past the parser.)
template <class Parser>
bool LeftOpen(const Parser& parser, const size_t* tail_bytes) {
  return tail_bytes != nullptr && *tail_bytes == 0 && !parser.content_length() && !parser.is_done();
}

template <class Fields>
std::vector<HttpHeader> HeadersOf(const Fields& fields) {
  std::vector<HttpHeader> headers;
  for (const auto& field : fields) {
    headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  return headers;
}

}  // namespace

struct HttpReader::Parsers {
  ParserPlace<RequestParser> request;
  ParserPlace<ResponseParser> response;
};

HttpReader::HttpReader(const HttpLimits& limits)
    : limits_(limits), parsers_(std::make_unique<Parsers>()) {}
HttpReader::~HttpReader() = default;
HttpReader::HttpReader(HttpReader&& other) noexcept = default;
HttpReader& HttpReader::operator=(HttpReader&& other) noexcept = default;

char* HttpReader::ReadBuffer() {
  if (!buffer_) buffer_ = std::make_unique<char[]>(kReadChunk);
  return buffer_.get();
}

asio::awaitable<HttpReadResult> HttpReader::ReadRequest(ByteStream& stream, HttpRequest& request,
                                                        size_t* tail_bytes) {
  if (tail_bytes != nullptr) *tail_bytes = 0;
  RequestParser* parser = &FreshParser(parsers_->request);
  parser->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  // Parse applies the limit to what it reads whole. Not boost::none: Beast 1.74 compares a
  // request's Content-Length with an empty optional and refuses every body.
  parser->body_limit(std::numeric_limits<std::uint64_t>::max());
  std::optional<std::vector<HttpHeader>> header;
  HttpReadResult result =
      co_await Parse(stream, pending_, *parser, /*answer_continue=*/true, tail_bytes,
                     limits_.max_body_bytes, /*open_unknown=*/true, limits_.max_body_bytes,
                     limits_.max_headers_count, header, ReadBuffer(), body_read_);
  if (!result.ok()) co_return result;
  // Envoy refuses HTTP/1.0 unless told to accept it, and App Mesh never told it: nginx's
  // proxy_pass, HTTP/1.0 unless set otherwise, got 426 (why Yelb's UI asks for HTTP/1.1).
  if (parser->get().version() < 11 && !limits_.accept_http_10) {
    co_return Failed(HttpReadStatus::kUpgradeRequired, http::error::bad_version);
  }
  // Checked here too: a request read as having no body was done before Parse looked again.
  if (UnsupportedCoding(parser->get())) {
    co_return Failed(HttpReadStatus::kNotImplemented, http::error::bad_transfer_encoding);
  }
  if (TooManyFields(parser->get(), limits_.max_headers_count)) {
    co_return Failed(HttpReadStatus::kHeaderTooLarge, http::error::header_limit);
  }

  auto& message = parser->get();
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.version = message.version();
  request.headers = header ? std::move(*header) : HeadersOf(message);
  request.upgrade = UpgradeOf(request.headers);
  DropConnectionNamed(request.headers);
  // Answered here (Parse): the upstream gets the body without being asked to wait for it.
  if (ExpectsContinue(message)) {
    message.erase(http::field::expect);
    std::erase_if(request.headers,
                  [](const HttpHeader& h) { return EqualsIgnoreCase(h.name, "expect"); });
  }
  if (!request.MakeOriginForm()) {
    co_return Failed(HttpReadStatus::kMalformed, http::error::bad_target);
  }
  if (auto problem = request.Problem()) {
    co_return Failed(
        problem->first == 501 ? HttpReadStatus::kNotImplemented : HttpReadStatus::kMalformed,
        http::error::bad_target);
  }
  request.body = std::move(message.body());
  message.body().clear();  // what the decoder appends next starts from nothing
  // An HTTP/1.0 message with a Transfer-Encoding has faulty framing by RFC 9112 6.1: whatever
  // it asks, its connection ends after it, so what follows can never pass for a request.
  const bool faulty_framing =
      message.version() < 11 && message.find(http::field::transfer_encoding) != message.end();
  request.keep_alive = message.keep_alive() && !faulty_framing;
  if (LeftOpen(*parser, tail_bytes)) {
    result.rest = std::make_unique<ParserDecoder<RequestParser>>(std::move(parsers_->request),
                                                                 std::exchange(pending_, {}));
  }
  co_return result;
}

asio::awaitable<HttpReadResult> HttpReader::ReadResponse(ByteStream& stream, bool head_request,
                                                         HttpResponse& response, size_t* tail_bytes,
                                                         std::string_view upgrade_asked) {
  // Interim answers (100 Continue, 103 Early Hints) are dropped, as Envoy does for a client
  // that did not ask for them: the final response follows on the same connection.
  for (;;) {
    HttpReadResult result = co_await ReadOneResponse(stream, head_request, response, tail_bytes);
    // A switch the request asked for (a WebSocket upgrade): the connection speaks the named
    // protocol from here. (RFC 9110 15.2.2: a 101 names it; one that names none, or another,
    // is malformed.)
    if (result.ok() && !upgrade_asked.empty() && response.status == 101 &&
        EqualsIgnoreCase(response.upgrade, upgrade_asked)) {
      co_return result;
    }
    // A status no client can act on ("000", "999") is the upstream's protocol error, answered
    // 503 as Envoy does; passed on, it left the client waiting on a message it cannot frame.
    // So is a 101 no request asked for: a client given one waits on a connection nobody
    // speaks on.
    const bool unknown = response.status < 100 || response.status > 599;
    if (result.ok() && (unknown || response.status == 101)) {
      co_return Failed(HttpReadStatus::kMalformed, ErrorCode());
    }
    if (!result.ok() || response.status >= 200) co_return result;
  }
}

asio::awaitable<HttpReadResult> HttpReader::ReadOneResponse(ByteStream& stream, bool head_request,
                                                            HttpResponse& response,
                                                            size_t* tail_bytes) {
  if (tail_bytes != nullptr) *tail_bytes = 0;
  ResponseParser* parser = &FreshParser(parsers_->response);
  parser->skip(head_request);
  parser->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  // Parse applies the limit to what it reads whole. Not boost::none: Beast 1.74 compares the
  // Content-Length with an empty optional and refuses every body.
  parser->body_limit(std::numeric_limits<std::uint64_t>::max());
  std::optional<std::vector<HttpHeader>> header;
  HttpReadResult result =
      co_await Parse(stream, pending_, *parser, /*answer_continue=*/false, tail_bytes, 0,
                     /*open_unknown=*/true, limits_.max_body_bytes, limits_.max_headers_count,
                     header, ReadBuffer(), body_read_);
  if (!result.ok()) co_return result;
  if (UnsupportedCoding(parser->get())) {
    co_return Failed(HttpReadStatus::kNotImplemented, http::error::bad_transfer_encoding);
  }
  if (TooManyFields(parser->get(), limits_.max_headers_count)) {
    co_return Failed(HttpReadStatus::kHeaderTooLarge, http::error::header_limit);
  }

  auto& message = parser->get();
  response.status = message.result_int();
  response.reason = std::string(message.reason());
  response.version = message.version();
  response.headers = header ? std::move(*header) : HeadersOf(message);
  if (response.status == 101) response.upgrade = UpgradeOf(response.headers);
  DropConnectionNamed(response.headers);
  response.body = std::move(message.body());
  message.body().clear();  // what the decoder appends next starts from nothing
  // A body that lasts until the connection ends leaves nothing to reuse it for.
  response.keep_alive = message.keep_alive() && !parser->need_eof();
  if (LeftOpen(*parser, tail_bytes)) {
    result.rest = std::make_unique<ParserDecoder<ResponseParser>>(std::move(parsers_->response),
                                                                  std::exchange(pending_, {}));
  }
  co_return result;
}

}  // namespace crossmesh::proxy
