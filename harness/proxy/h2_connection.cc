#include "harness/proxy/h2_connection.h"

#include <nghttp2/nghttp2.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/h2_headers.h"
#include "harness/proxy/h2_stream.h"

namespace crossmesh::proxy {
namespace {

constexpr size_t kH2ReadChunk = size_t{16} * 1024;
// Frames are gathered up to this much before one write, so small frames share a TLS record.
constexpr size_t kH2WriteBatch = size_t{64} * 1024;
// Windows larger than HTTP/2's 64 KiB default, so a 64 KiB body does not wait for an update.
// A stream's window is also what a body passed on (H2BodyPipe) may hold in the proxy while
// its reader does not keep up: 100 such streams hold 25 MiB, about the four bodies a
// connection may hold whole. The connection's window opens at once (no stream stalls another).
constexpr int32_t kStreamWindow = 256 * 1024;
constexpr int32_t kConnectionWindow = 16 << 20;
// Streams a peer may have open at once; with bodies buffered whole, this and the connection's
// body budget bound what one client can make the proxy hold.
constexpr uint32_t kMaxConcurrentStreams = 100;
// HPACK's per-field overhead (RFC 7541 4.1), counted against max_header_bytes as Envoy does.
constexpr size_t kHpackFieldOverhead = 32;

}  // namespace

struct H2Connection::Callbacks {
  static H2Connection& Self(void* user_data) { return *static_cast<H2Connection*>(user_data); }

  static std::shared_ptr<Stream> Find(H2Connection& self, int32_t id) {
    auto it = self.streams_.find(id);
    return it == self.streams_.end() ? nullptr : it->second;
  }

  static int OnBeginHeaders(nghttp2_session* /*session*/, const nghttp2_frame* frame,
                            void* user_data) {
    H2Connection& self = Self(user_data);
    if (self.role_ != Role::kServer || frame->hd.type != NGHTTP2_HEADERS ||
        frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
      return 0;
    }
    // A stream the client reset keeps its handler (and its upstream) until the answer comes:
    // those count against the limit too, or resets would open upstreams without bound.
    size_t busy = self.running_handlers_ - self.abandoned_handlers_ - self.settled_handlers_;
    for (const auto& [id, open] : self.streams_) busy += open->dispatched ? 0 : 1;
    if (busy >= kMaxConcurrentStreams) {
      nghttp2_submit_rst_stream(self.session_, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    auto stream = std::make_shared<Stream>();
    stream->id = frame->hd.stream_id;
    stream->request.cancel = std::make_shared<RequestCancel>();
    stream->request.relay_response_body = true;  // an HTTP/1.1 answer's tail: see PipeTail
    self.streams_[stream->id] = stream;
    self.StartRequestDeadline(stream);
    self.NoteActivity();
    return 0;
  }

  static int OnHeader(nghttp2_session* /*session*/, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_length, const uint8_t* value, size_t value_length,
                      uint8_t /*flags*/, void* user_data) {
    H2Connection& self = Self(user_data);
    std::shared_ptr<Stream> stream = Find(self, frame->hd.stream_id);
    if (!stream) return 0;
    stream->header_bytes += name_length + value_length + kHpackFieldOverhead;
    ++stream->header_count;
    if (stream->header_bytes > self.limits_.max_header_bytes ||
        stream->header_count > self.limits_.max_headers_count) {
      if (self.stats_) self.stats_->protocol_error.Inc();
      if (self.role_ == Role::kClient) stream->malformed_response = true;  // a 503, as Envoy's
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets this stream only
    }
    stream->last_activity = std::chrono::steady_clock::now();
    const std::string_view n(reinterpret_cast<const char*>(name), name_length);
    const std::string_view v(reinterpret_cast<const char*>(value), value_length);
    if (self.role_ == Role::kServer) {
      if (!stream->headers_done) AddRequestField(stream->request, n, v);
      return 0;  // request trailers are not forwarded (HTTP/1.1 upstreams could not carry them)
    }
    HttpResponse& response = stream->response;
    if (stream->headers_done) {
      response.trailers.push_back({std::string(n), std::string(v)});
    } else if (n == ":status") {
      // nghttp2 checks for three digits only: "000" or "999" would reach a client that cannot
      // frame them. Envoy resets such a stream; the caller gets a 503.
      response.status = static_cast<unsigned>(std::atoi(std::string(v).c_str()));
      if (response.status < 100 || response.status > 599) {
        stream->malformed_response = true;
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
      }
    } else if (!n.starts_with(':')) {
      response.headers.push_back({std::string(n), std::string(v)});
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session* session, uint8_t /*flags*/, int32_t id,
                         const uint8_t* data, size_t length, void* user_data) {
    H2Connection& self = Self(user_data);
    // Window updates are ours to send: the connection's at once, so streams whose readers do
    // not keep up cannot stall the others (as Envoy's codec does); a stream's at once for bytes
    // used here, and as the other side takes them for bytes a pipe passes on, so its window
    // bounds what that stream makes the proxy hold.
    nghttp2_session_consume_connection(session, length);
    std::shared_ptr<Stream> stream = Find(self, id);
    if (!stream || !stream->in_pipe) nghttp2_session_consume_stream(session, id, length);
    if (!stream) return 0;
    if (stream->in_pipe) {
      self.PassOn(*stream, data, length);
      return 0;
    }
    std::string& body = self.role_ == Role::kServer ? stream->request.body : stream->response.body;
    if (stream->refused) return 0;
    const bool over_budget =
        self.role_ == Role::kServer &&
        self.buffered_ + length > self.limits_.max_body_bytes * kH2ConnectionBodies;
    if (body.size() + length > self.limits_.max_body_bytes || over_budget) {
      if (self.role_ == Role::kServer) {
        self.RefuseTooLarge(*stream);
      } else {
        stream->reset = true;
        stream->response_too_large = true;
        nghttp2_submit_rst_stream(self.session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
      }
      return 0;
    }
    body.append(reinterpret_cast<const char*>(data), length);
    self.NoteActivity();
    stream->last_activity = std::chrono::steady_clock::now();
    stream->buffered_bytes += length;
    self.buffered_ += length;
    return 0;
  }

  static int OnFrameReceived(nghttp2_session* session, const nghttp2_frame* frame,
                             void* user_data) {
    H2Connection& self = Self(user_data);
    const uint8_t type = frame->hd.type;
    if (type != NGHTTP2_HEADERS && type != NGHTTP2_DATA && type != NGHTTP2_RST_STREAM) return 0;
    std::shared_ptr<Stream> stream = Find(self, frame->hd.stream_id);
    if (!stream) return 0;
    if (type == NGHTTP2_RST_STREAM) {
      stream->peer_reset = true;  // its close follows: counted there as the peer's reset
      return 0;
    }
    const bool end = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (frame->hd.type == NGHTTP2_HEADERS) {
      // An informational (1xx) response is followed by the real one.
      const bool interim = self.role_ == Role::kClient && !stream->headers_done &&
                           stream->response.status >= 100 && stream->response.status < 200;
      const bool first = !stream->headers_done;
      if (interim && end) {
        // An interim answer cannot end its stream (RFC 9113 8.1): no final one will come, and
        // the request would wait out its timeout.
        stream->malformed_response = true;
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream->id, NGHTTP2_PROTOCOL_ERROR);
        stream->done = true;
        stream->reset = true;
        if (stream->in_pipe) stream->in_pipe->Fail();
        stream->wake->cancel();
        self.FlushLater();
        return 0;
      }
      if (interim) {
        stream->response.headers.clear();
      } else {
        stream->headers_done = true;
      }
      if (first && !interim && self.role_ == Role::kServer && !stream->refused) {
        if (auto problem = stream->request.Problem()) {
          self.stats_->protocol_error.Inc();
          self.Refuse(*stream, LocalReply(problem->first, problem->second));
        } else {
          self.MaybeStream(stream, end);
        }
      }
      if (first && !interim && stream->relay) stream->wake->cancel();  // the exchange returns
    }
    if (!end) return 0;
    if (stream->in_pipe) {
      // Request trailers are not passed on (see OnHeader); response trailers are.
      stream->in_pipe->End(std::move(stream->response.trailers));
      stream->done = true;
      if (stream->wake) stream->wake->cancel();
      return 0;
    }
    if (self.role_ == Role::kServer) {
      if (!stream->refused && !stream->dispatched) self.Dispatch(stream);
    } else if (!stream->reset) {
      stream->done = true;
      stream->wake->cancel();
    }
    return 0;
  }

  // A GOAWAY with an error is how nghttp2 ends a connection whose peer broke the protocol.
  static int OnFrameSent(nghttp2_session* /*session*/, const nghttp2_frame* frame,
                         void* user_data) {
    H2Connection& self = Self(user_data);
    if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR &&
        self.stats_ != nullptr) {
      self.stats_->protocol_error.Inc();
    }
    return 0;
  }

  // nghttp2 refused a frame itself (a :status that is not three digits, a field HTTP forbids
  // in a response): on a client stream, the upstream broke its answer (a 503 that says so).
  static int OnInvalidFrame(nghttp2_session* /*session*/, const nghttp2_frame* frame,
                            int /*lib_error_code*/, void* user_data) {
    H2Connection& self = Self(user_data);
    if (self.role_ != Role::kClient || frame->hd.type != NGHTTP2_HEADERS) return 0;
    std::shared_ptr<Stream> stream = Find(self, frame->hd.stream_id);
    if (stream) stream->malformed_response = true;
    return 0;
  }

  static int OnStreamClose(nghttp2_session* /*session*/, int32_t id, uint32_t error_code,
                           void* user_data) {
    H2Connection& self = Self(user_data);
    auto it = self.streams_.find(id);
    if (it == self.streams_.end()) return 0;
    std::shared_ptr<Stream> stream = it->second;
    self.streams_.erase(it);
    if (self.streams_.empty() && self.handlers_done_) self.handlers_done_->cancel();
    self.Release(*stream);
    const bool sending = stream->out_pipe && !stream->out_pipe->drained();
    if (self.role_ == Role::kServer && stream->answered && sending && stream->peer_reset) {
      self.stats_->rq_rx_reset.Inc();  // reset while its answer was still streaming
    }
    self.NoteBrokenRelay(*stream);
    self.EndPipes(*stream);
    // Unanswered, a stream closes only by a reset, whatever its code (a client may reset with
    // NO_ERROR, as python's h2 does by default).
    if (self.role_ == Role::kServer && !stream->answered &&
        (error_code != NGHTTP2_NO_ERROR || stream->peer_reset)) {
      if (stream->peer_reset) self.stats_->rq_rx_reset.Inc();
      // Its handler lets go of the upstream and ends; meanwhile it no longer counts as busy.
      if (stream->dispatched && !stream->request.cancelled()) ++self.abandoned_handlers_;
      stream->request.cancel->Cancel();
    }
    if (self.role_ == Role::kClient && !stream->done) {
      stream->done = true;
      stream->reset = true;
      stream->reset_code = error_code;
      stream->wake->cancel();
    }
    return 0;
  }
};

namespace {

// Submits `trailers` to end stream `id` after its last DATA frame; false when there are none.
bool SubmitTrailers(nghttp2_session* session, int32_t id, const std::vector<HttpHeader>& trailers) {
  if (trailers.empty()) return false;
  H2HeaderBlock block = TrailerBlock(trailers);
  std::vector<nghttp2_nv> view = block.View();
  return nghttp2_submit_trailer(session, id, view.data(), view.size()) == 0;
}

}  // namespace

// The body of a message this side sends, from Stream::out_body; trailers after it if any.
ssize_t ReadStreamBody(nghttp2_session* session, int32_t id, uint8_t* buffer, size_t length,
                       uint32_t* flags, nghttp2_data_source* source, void* user_data) {
  auto& stream = *static_cast<H2Connection::Stream*>(source->ptr);
  const size_t n = std::min(length, stream.out_body.size() - stream.out_offset);
  std::memcpy(buffer, stream.out_body.data() + stream.out_offset, n);
  stream.out_offset += n;
  H2Connection::Framed(user_data, stream, n);
  if (stream.out_offset == stream.out_body.size()) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (SubmitTrailers(session, id, stream.out_trailers)) *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
  }
  return static_cast<ssize_t>(n);
}

ssize_t ReadPipedBody(nghttp2_session* session, int32_t id, uint8_t* buffer, size_t length,
                      uint32_t* flags, nghttp2_data_source* source, void* user_data) {
  auto& stream = *static_cast<H2Connection::Stream*>(source->ptr);
  H2BodyPipe& pipe = *stream.out_pipe;
  // A body whose source broke off, or that a retry now sends elsewhere: this stream is reset.
  if (pipe.failed() || pipe.abandoned() || !pipe.current(stream.out_consumer)) {
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  const size_t n = pipe.Read(buffer, length);
  if (n > 0) {
    stream.last_activity = std::chrono::steady_clock::now();
    H2Connection::Framed(user_data, stream, n);
  }
  if (pipe.drained()) {
    H2Connection::RelayedAll(user_data, stream);
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (SubmitTrailers(session, id, pipe.TakeTrailers())) *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
  } else if (n == 0) {
    return NGHTTP2_ERR_DEFERRED;  // resumed when the pipe has more (SendFrom)
  }
  return static_cast<ssize_t>(n);
}

H2Connection::H2Connection(Role role, std::shared_ptr<ByteStream> stream, const HttpLimits& limits,
                           const asio::any_io_executor& executor)
    : role_(role), stream_(std::move(stream)), limits_(limits), executor_(executor) {}

H2Connection::~H2Connection() {
  if (session_ != nullptr) nghttp2_session_del(session_);
}

bool H2Connection::Open(std::string& error) {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) {
    error = "out of memory";
    return false;
  }
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, Callbacks::OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Callbacks::OnDataChunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::OnFrameReceived);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::OnStreamClose);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks,
                                                               Callbacks::OnInvalidFrame);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, Callbacks::OnFrameSent);
  nghttp2_option* option = nullptr;
  if (nghttp2_option_new(&option) != 0) {
    nghttp2_session_callbacks_del(callbacks);
    error = "out of memory";
    return false;
  }
  // Bytes passed on through a pipe reopen the window only once the other side took them.
  nghttp2_option_set_no_auto_window_update(option, 1);
  const int rv = role_ == Role::kServer
                     ? nghttp2_session_server_new2(&session_, callbacks, this, option)
                     : nghttp2_session_client_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) {
    error = nghttp2_strerror(rv);
    return false;
  }

  const std::array<nghttp2_settings_entry, 3> settings = {{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(limits_.max_header_bytes)},
  }};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  return true;
}

asio::awaitable<void> H2Connection::ReadLoop(std::string already_read) {
  std::array<uint8_t, kH2ReadChunk> chunk;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::string first = std::move(already_read);
  bool half_closed = false;  // the peer sent all it will: its answers may still go out
  bool reset = false;        // the peer reset the connection: it takes nothing more
  while (!failed_) {
    const uint8_t* data = reinterpret_cast<const uint8_t*>(first.data());
    size_t n = first.size();
    if (n == 0) {
      ErrorCode ec;
      n = co_await stream_->ReadSome(asio::buffer(chunk), ec);
      if (ec) {
        // A FIN (or TLS's end) may be a half-close; a reset means nothing more can be sent.
        half_closed = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
        reset = !half_closed && ec != asio::error::operation_aborted;
        break;
      }
      data = chunk.data();
    }
    const ssize_t used = nghttp2_session_mem_recv(session_, data, n);
    first.clear();
    if (used < 0) {
      spdlog::debug("http2: closing a connection from {}: {}", stream_->PeerAddress(),
                    nghttp2_strerror(static_cast<int>(used)));
      nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
      co_await Drain();
      break;
    }
    co_await Flush();
    if (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0) {
      co_await Drain();
      break;
    }
  }
  // A server keeps a half-closed connection for the answers still owed (Serve ends it).
  if (!(half_closed && role_ == Role::kServer)) {
    // Each request the client left unanswered counts as reset, as a stream it reset would.
    if (reset && role_ == Role::kServer) {
      for (const auto& [id, open] : streams_) {
        const bool owed = !open->answered || (open->out_pipe && !open->out_pipe->drained());
        if (owed) stats_->rq_rx_reset.Inc();
      }
    }
    Fail();
  } else {
    half_closed_ = true;
    ResetUnfinished();
    co_await Flush();
  }
}

asio::awaitable<void> H2Connection::Flush() {
  if (writing_ || failed_) co_return;
  writing_ = true;
  auto self = shared_from_this();
  for (;;) {
    // Failed while writing: the streams' bodies nghttp2 would read next are gone.
    if (failed_) break;
    out_.clear();
    while (out_.size() < kH2WriteBatch) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n <= 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (out_.empty()) {
      // After a client's FIN, an answer its window holds back can never finish.
      if (half_closed_ && DropStuck()) continue;
      break;
    }
    ErrorCode ec;
    co_await stream_->Write(asio::buffer(out_), ec);
    if (ec) {
      Fail();
      break;
    }
  }
  writing_ = false;
  if (writer_done_) writer_done_->cancel();
}

asio::awaitable<void> H2Connection::Drain() {
  auto self = shared_from_this();
  while (writing_ && !failed_) {
    if (!writer_done_) {
      writer_done_ =
          std::make_unique<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
    }
    ErrorCode ec;
    co_await writer_done_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_await Flush();
}

// The connection is over: every stream still waiting ends as reset.
void H2Connection::Fail() {
  if (failed_) return;
  failed_ = true;
  stream_->Close();
  auto streams = std::move(streams_);
  streams_.clear();

  for (auto& [id, stream] : streams) {
    // The client is gone: requests still at their upstreams are abandoned, as on a reset.
    if (role_ == Role::kServer && stream->dispatched && !stream->answered &&
        !stream->request.cancelled()) {
      ++abandoned_handlers_;
      stream->request.cancel->Cancel();
    }
    Release(*stream);
    NoteBrokenRelay(*stream);
    EndPipes(*stream);
    if (role_ == Role::kClient && !stream->done) {
      stream->done = true;
      stream->reset = true;
      stream->connection_lost = true;
      stream->wake->cancel();
    }
  }
  if (idle_) idle_->Disarm();
  if (handlers_done_) handlers_done_->cancel();  // Serve waits for no stream now
}

// A stream closed: a body it was receiving for the other side ends there as broken off; an
// answer it was sending on is let go (its upstream stream is reset). A request body is left to
// the router, which may send it again on a retry (see RelayedAll).
void H2Connection::EndPipes(Stream& stream) {
  if (stream.in_pipe && !stream.in_pipe->ended()) stream.in_pipe->Fail();
  if (stream.out_pipe && role_ == Role::kServer) stream.out_pipe->Release(stream.out_consumer);
}

// The last of a relayed answer is framed: the request's rest, if any, has nowhere to go now.
void H2Connection::RelayedAll(void* user_data, Stream& stream) {
  auto& self = *static_cast<H2Connection*>(user_data);
  if (self.role_ == Role::kServer && stream.in_pipe) stream.in_pipe->Abandon();
}

void H2Connection::NoteBrokenRelay(const Stream& stream) {
  // A reset of our own (the caller gave up, or its time ran out) is not the upstream's doing.
  const bool cut = role_ == Role::kClient && stream.returned && stream.in_pipe &&
                   !stream.in_pipe->ended() && !stream.reset;
  if (cut && stream.relay_counters.broke_off != nullptr) stream.relay_counters.broke_off->Inc();
}

void H2Connection::PassOn(Stream& stream, const uint8_t* data, size_t length) {
  NoteActivity();
  stream.last_activity = std::chrono::steady_clock::now();
  stream.in_pipe->Append(reinterpret_cast<const char*>(data), length);
  SyncHeld(stream);
}

// A body kept for a retry counts in the connection's budget; past it, it is no longer kept.
void H2Connection::SyncHeld(Stream& stream) {
  if (role_ != Role::kServer || !stream.in_pipe || stream.closed) return;
  const size_t budget = limits_.max_body_bytes * kH2ConnectionBodies;
  buffered_ -= std::exchange(stream.buffered_bytes, 0);
  if (buffered_ + stream.in_pipe->held() > budget) stream.in_pipe->StopKeeping();
  stream.buffered_bytes = stream.in_pipe->held();
  buffered_ += stream.buffered_bytes;
}

// Wires `stream`'s in_pipe to this connection: its window reopens as the other side takes bytes,
// and `abandoned` runs when nobody will take the rest.
void H2Connection::ProduceInto(const std::shared_ptr<Stream>& stream,
                               std::function<void()> abandoned) {
  std::weak_ptr<H2Connection> weak = weak_from_this();
  std::weak_ptr<Stream> weak_stream = stream;
  H2BodyPipe::Producer producer;
  // By id: the stream may have closed meanwhile (nghttp2 then ignores it).
  producer.taken = [weak, weak_stream, id = stream->id](size_t bytes) {
    std::shared_ptr<H2Connection> self = weak.lock();
    if (!self || self->failed_) return;
    nghttp2_session_consume_stream(self->session_, id, bytes);
    if (std::shared_ptr<Stream> taken = weak_stream.lock()) self->SyncHeld(*taken);
    self->FlushLater();
  };
  producer.abandoned = std::move(abandoned);
  stream->in_pipe->SetProducer(std::move(producer));
}

// Sends `stream`'s body from `pipe`, resumed whenever the pipe has something new.
void H2Connection::SendFrom(const std::shared_ptr<Stream>& stream,
                            std::shared_ptr<H2BodyPipe> pipe) {
  std::weak_ptr<H2Connection> weak = weak_from_this();
  std::weak_ptr<Stream> weak_stream = stream;
  stream->out_pipe = std::move(pipe);
  stream->out_consumer = stream->out_pipe->SetConsumer([weak, weak_stream] {
    std::shared_ptr<H2Connection> self = weak.lock();
    std::shared_ptr<Stream> sending = weak_stream.lock();
    if (!self || !sending || self->failed_ || sending->id == 0) return;
    nghttp2_session_resume_data(self->session_, sending->id);
    if (sending->wake) sending->wake->cancel();  // a request's end starts its route timeout
    self->FlushLater();
  });
}

void H2Connection::FlushLater() {
  if (writing_ || failed_) return;
  asio::co_spawn(
      executor_, [self = shared_from_this()] { return self->Flush(); }, asio::detached);
}

// What a stream held of the connection's budgets, given back when it closes.
void H2Connection::Release(Stream& stream) {
  stream.closed = true;
  buffered_ -= std::exchange(stream.buffered_bytes, 0);
  unsent_response_bytes_ -= std::exchange(stream.unsent_counted, 0);
  if (stream.request_timer) stream.request_timer->cancel();
}

void H2Connection::Framed(void* user_data, Stream& stream, size_t bytes) {
  auto& self = *static_cast<H2Connection*>(user_data);
  const size_t counted = std::min(bytes, stream.unsent_counted);
  stream.unsent_counted -= counted;
  self.unsent_response_bytes_ -= counted;
  if (bytes > 0) self.NoteActivity();  // the client's window let response bytes go
}

bool H2Connection::usable() const {
  return !failed_ && session_ != nullptr && nghttp2_session_check_request_allowed(session_) != 0;
}

void H2Connection::Close() { Fail(); }

}  // namespace crossmesh::proxy
