#include "tests/proxy/h2_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace crossmesh::proxy::testing {
namespace {

// A request's pseudo-headers, owning their text while nghttp2 copies them.
struct RequestHead {
  RequestHead(std::string method, std::string path, std::string host)
      : fields{{":method", std::move(method)},
               {":scheme", "http"},
               {":authority", std::move(host)},
               {":path", std::move(path)}} {}

  std::vector<nghttp2_nv> View() const {
    std::vector<nghttp2_nv> out;
    for (const auto& [name, value] : fields) {
      out.push_back(nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                               reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())),
                               name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
    }
    return out;
  }

  std::vector<std::pair<std::string, std::string>> fields;
};

}  // namespace

struct H2TestClient::Callbacks {
  static H2TestClient& Self(void* user_data) { return *static_cast<H2TestClient*>(user_data); }

  static int OnHeader(nghttp2_session* /*session*/, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_length, const uint8_t* value, size_t value_length,
                      uint8_t /*flags*/, void* user_data) {
    if (std::string_view(reinterpret_cast<const char*>(name), name_length) == ":status") {
      Self(user_data).streams_[frame->hd.stream_id].status =
          std::stoi(std::string(reinterpret_cast<const char*>(value), value_length));
    }
    return 0;
  }

  static int OnData(nghttp2_session* /*session*/, uint8_t /*flags*/, int32_t id,
                    const uint8_t* data, size_t length, void* user_data) {
    Self(user_data).streams_[id].body.append(reinterpret_cast<const char*>(data), length);
    return 0;
  }

  static int OnFrame(nghttp2_session* /*session*/, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      Self(user_data).goaway_last_stream_ = frame->goaway.last_stream_id;
    }
    return 0;
  }

  static int OnClose(nghttp2_session* /*session*/, int32_t id, uint32_t error_code,
                     void* user_data) {
    Stream& stream = Self(user_data).streams_[id];
    stream.closed = true;
    stream.reset_code = error_code;
    return 0;
  }
};

H2TestClient::H2TestClient(uint16_t port, uint32_t initial_window) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);

  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Callbacks::OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::OnClose);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::OnFrame);
  nghttp2_session_client_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  const nghttp2_settings_entry window{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, initial_window};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, &window, 1);
  // A large stream window comes with as large a connection window, opened at once.
  if (initial_window > 65535) {
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                          static_cast<int32_t>(initial_window));
  }
  Send();
}

H2TestClient::~H2TestClient() {
  nghttp2_session_del(session_);
  if (fd_ >= 0) ::close(fd_);
}

int32_t H2TestClient::Request(const std::string& path, const std::string& host, bool end_stream,
                              const std::vector<std::pair<std::string, std::string>>& extra) {
  RequestHead head("GET", path, host);
  for (const auto& field : extra) head.fields.push_back(field);
  std::vector<nghttp2_nv> headers = head.View();
  const int32_t id =
      nghttp2_submit_headers(session_, end_stream ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE, -1,
                             nullptr, headers.data(), headers.size(), nullptr);
  REQUIRE(id > 0);
  Send();
  return id;
}

int32_t H2TestClient::Post(const std::string& path, const std::string& host, std::string body,
                           bool end_stream, std::optional<size_t> content_length) {
  RequestHead head("POST", path, host);
  if (content_length) head.fields.emplace_back("content-length", std::to_string(*content_length));
  std::vector<nghttp2_nv> headers = head.View();
  // The body's first byte says whether the stream ends with it ('E') or stays open ('O').
  nghttp2_data_provider provider = Pending(std::move(body), end_stream);
  const int32_t id =
      nghttp2_submit_request(session_, nullptr, headers.data(), headers.size(), &provider, nullptr);
  REQUIRE(id > 0);
  Send();
  return id;
}

void H2TestClient::SendData(int32_t stream, std::string data, bool end_stream) {
  nghttp2_data_provider provider = Pending(std::move(data), end_stream);
  REQUIRE(nghttp2_submit_data(session_, end_stream ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE,
                              stream, &provider) == 0);
  Send();
}

nghttp2_data_provider H2TestClient::Pending(std::string data, bool end_stream) {
  // The first byte says whether the stream ends with the data ('E') or stays open ('O').
  auto& pending = pending_bodies_.emplace_back(std::string(1, end_stream ? 'E' : 'O') + data);
  nghttp2_data_provider provider{};
  provider.source.ptr = &pending;
  provider.read_callback = [](nghttp2_session*, int32_t, uint8_t* buffer, size_t length,
                              uint32_t* flags, nghttp2_data_source* source, void*) -> ssize_t {
    auto& rest = *static_cast<std::string*>(source->ptr);
    const size_t n = std::min(length, rest.size() - 1);
    std::memcpy(buffer, rest.data() + 1, n);
    rest.erase(1, n);
    if (rest.size() == 1) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (rest[0] == 'O') *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    }
    return static_cast<ssize_t>(n);
  };
  return provider;
}

void H2TestClient::Reset(int32_t stream, uint32_t code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, code);
  Send();
}

void H2TestClient::ResetConnection() {
  const linger abort{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  ::close(fd_);
  fd_ = -1;
  server_closed_ = true;
}

void H2TestClient::Ping() {
  nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr);
  Send();
}

void H2TestClient::HalfClose() {
  Send();
  ::shutdown(fd_, SHUT_WR);
}

void H2TestClient::Send() {
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) return;
    if (::send(fd_, data, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
  }
}

void H2TestClient::ReadOnce(std::chrono::milliseconds wait) {
  pollfd ready{fd_, POLLIN, 0};
  if (::poll(&ready, 1, static_cast<int>(std::max<int64_t>(wait.count(), 1))) <= 0) return;
  std::array<uint8_t, 16384> buffer{};
  const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
  if (n <= 0) {
    server_closed_ = true;
    return;
  }
  nghttp2_session_mem_recv(session_, buffer.data(), static_cast<size_t>(n));
  Send();
}

bool H2TestClient::ClosedWithin(std::chrono::milliseconds wait) {
  // Without reading frames: drain the socket's bytes only, as a client that ignores them.
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 50) <= 0) continue;
    std::array<uint8_t, 16384> buffer{};
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n <= 0) return true;
  }
  return false;
}

}  // namespace crossmesh::proxy::testing
