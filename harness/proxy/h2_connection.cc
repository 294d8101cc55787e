#include "harness/proxy/h2_connection.h"

#include <nghttp2/nghttp2.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>
#include <utility>

#include "harness/proxy/h2_headers.h"
#include "harness/proxy/h2_stream.h"

namespace crossmesh::proxy {
namespace {

constexpr size_t kH2ReadChunk = size_t{16} * 1024;
// Frames are gathered up to this much before one write, so small frames share a TLS record.
constexpr size_t kH2WriteBatch = size_t{64} * 1024;
// Windows larger than HTTP/2's 64 KiB default, so a 64 KiB body does not wait for an update.
constexpr int32_t kStreamWindow = 1 << 20;
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
    size_t busy = self.running_handlers_ - self.abandoned_handlers_;
    for (const auto& [id, open] : self.streams_) busy += open->dispatched ? 0 : 1;
    if (busy >= kMaxConcurrentStreams) {
      nghttp2_submit_rst_stream(self.session_, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    auto stream = std::make_shared<Stream>();
    stream->id = frame->hd.stream_id;
    stream->request.cancel = std::make_shared<RequestCancel>();
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
    if (stream->header_bytes > self.limits_.max_header_bytes) {
      if (self.stats_) self.stats_->protocol_error.Inc();
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
      response.status = static_cast<unsigned>(std::atoi(std::string(v).c_str()));
    } else if (!n.starts_with(':')) {
      response.headers.push_back({std::string(n), std::string(v)});
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session* /*session*/, uint8_t /*flags*/, int32_t id,
                         const uint8_t* data, size_t length, void* user_data) {
    H2Connection& self = Self(user_data);
    std::shared_ptr<Stream> stream = Find(self, id);
    if (!stream) return 0;
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

  static int OnFrameReceived(nghttp2_session* /*session*/, const nghttp2_frame* frame,
                             void* user_data) {
    H2Connection& self = Self(user_data);
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    std::shared_ptr<Stream> stream = Find(self, frame->hd.stream_id);
    if (!stream) return 0;
    if (frame->hd.type == NGHTTP2_HEADERS) {
      // An informational (1xx) response is followed by the real one.
      const bool interim = self.role_ == Role::kClient && !stream->headers_done &&
                           stream->response.status >= 100 && stream->response.status < 200;
      if (interim) {
        stream->response.headers.clear();
      } else {
        stream->headers_done = true;
      }
    }
    if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) return 0;
    if (self.role_ == Role::kServer) {
      if (!stream->refused) self.Dispatch(stream);
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

  static int OnStreamClose(nghttp2_session* /*session*/, int32_t id, uint32_t error_code,
                           void* user_data) {
    H2Connection& self = Self(user_data);
    auto it = self.streams_.find(id);
    if (it == self.streams_.end()) return 0;
    std::shared_ptr<Stream> stream = it->second;
    self.streams_.erase(it);
    self.Release(*stream);
    if (self.role_ == Role::kServer && !stream->answered && error_code != NGHTTP2_NO_ERROR) {
      self.stats_->rq_rx_reset.Inc();
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
    if (!stream.out_trailers.empty()) {
      H2HeaderBlock block = TrailerBlock(stream.out_trailers);
      std::vector<nghttp2_nv> view = block.View();
      if (nghttp2_submit_trailer(session, id, view.data(), view.size()) == 0) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      }
    }
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
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, Callbacks::OnFrameSent);
  const int rv = role_ == Role::kServer ? nghttp2_session_server_new(&session_, callbacks, this)
                                        : nghttp2_session_client_new(&session_, callbacks, this);
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
  while (!failed_) {
    const uint8_t* data = reinterpret_cast<const uint8_t*>(first.data());
    size_t n = first.size();
    if (n == 0) {
      ErrorCode ec;
      n = co_await stream_->ReadSome(asio::buffer(chunk), ec);
      if (ec) {
        half_closed = IsPeerGone(ec) && ec != asio::error::operation_aborted;
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
      co_await Flush();
      break;
    }
    co_await Flush();
    if (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0) {
      break;
    }
  }
  // A server keeps a half-closed connection for the answers still owed (Serve ends it).
  if (!(half_closed && role_ == Role::kServer)) Fail();
}

asio::awaitable<void> H2Connection::Flush() {
  if (writing_ || failed_) co_return;
  writing_ = true;
  auto self = shared_from_this();
  for (;;) {
    out_.clear();
    while (out_.size() < kH2WriteBatch) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n <= 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (out_.empty()) break;
    ErrorCode ec;
    co_await stream_->Write(asio::buffer(out_), ec);
    if (ec) {
      Fail();
      break;
    }
  }
  writing_ = false;
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
    if (role_ == Role::kClient && !stream->done) {
      stream->done = true;
      stream->reset = true;
      stream->connection_lost = true;
      stream->wake->cancel();
    }
  }
  if (idle_) idle_->Disarm();
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
