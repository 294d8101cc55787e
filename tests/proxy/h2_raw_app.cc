#include "tests/proxy/h2_raw_app.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string_view>

#include "tests/proxy/test_client.h"

namespace crossmesh::proxy::testing {
namespace {

constexpr uint8_t kData = 0x0;
constexpr uint8_t kHeaders = 0x1;
constexpr uint8_t kSettings = 0x4;
constexpr uint8_t kEndStream = 0x1;
constexpr uint8_t kAck = 0x1;
constexpr uint8_t kEndHeaders = 0x4;
constexpr size_t kPrefaceBytes = 24;
constexpr size_t kFrameHeaderBytes = 9;

std::string Frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
  std::string frame;
  const size_t length = payload.size();
  frame.push_back(static_cast<char>((length >> 16) & 0xff));
  frame.push_back(static_cast<char>((length >> 8) & 0xff));
  frame.push_back(static_cast<char>(length & 0xff));
  frame.push_back(static_cast<char>(type));
  frame.push_back(static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) {
    frame.push_back(static_cast<char>((stream >> shift) & 0xff));
  }
  frame.append(payload);
  return frame;
}

// HPACK's integer with a `prefix_bits`-bit prefix, the first byte's high bits from `first`.
std::string HpackInteger(size_t value, int prefix_bits, uint8_t first) {
  const size_t limit = (size_t{1} << prefix_bits) - 1;
  std::string out;
  if (value < limit) {
    out.push_back(static_cast<char>(first | value));
    return out;
  }
  out.push_back(static_cast<char>(first | limit));
  value -= limit;
  while (value >= 128) {
    out.push_back(static_cast<char>((value % 128) + 128));
    value /= 128;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string HpackString(const std::string& text) { return HpackInteger(text.size(), 7, 0) + text; }

bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

H2RawApp::H2RawApp(std::string header_block) : header_block_(std::move(header_block)) {
  listen_fd_ = ListenOnLoopback(16, port_);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

H2RawApp::~H2RawApp() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  const int serving = serving_fd_.load();
  if (serving >= 0) ::shutdown(serving, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
}

std::string H2RawApp::StatusField(const std::string& status) {
  return HpackInteger(8, 4, 0x00) + HpackString(status);  // :status is static entry 8
}

std::string H2RawApp::Field(const std::string& name, const std::string& value) {
  return std::string(1, '\x10') + HpackString(name) + HpackString(value);
}

// One connection at a time: the sidecar in front keeps one open and multiplexes on it.
void H2RawApp::AcceptLoop() {
  while (!stopping_) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) break;
      continue;
    }
    serving_fd_ = fd;
    if (stopping_) ::shutdown(fd, SHUT_RDWR);
    Serve(fd);
    serving_fd_ = -1;
    ::close(fd);
  }
}

void H2RawApp::Serve(int fd) {
  timeval limit{10, 0};  // a test that forgets this app still ends
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  if (!SendAll(fd, Frame(kSettings, 0, 0, ""))) return;

  std::string in;
  size_t at = kPrefaceBytes;
  char buffer[16384];
  while (!stopping_) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return;
    in.append(buffer, static_cast<size_t>(n));
    while (in.size() >= at + kFrameHeaderBytes) {
      const auto byte = [&](size_t i) { return static_cast<uint8_t>(in[at + i]); };
      const size_t length = (size_t{byte(0)} << 16) | (size_t{byte(1)} << 8) | byte(2);
      if (in.size() < at + kFrameHeaderBytes + length) break;
      const uint8_t type = byte(3);
      const uint8_t flags = byte(4);
      const uint32_t stream = ((uint32_t{byte(5)} & 0x7f) << 24) | (uint32_t{byte(6)} << 16) |
                              (uint32_t{byte(7)} << 8) | byte(8);
      at += kFrameHeaderBytes + length;

      bool ok = true;
      if (type == kSettings && (flags & kAck) == 0) {
        ok = SendAll(fd, Frame(kSettings, kAck, 0, ""));
      } else if (type == kHeaders || (type == kData && (flags & kEndStream) != 0)) {
        // Answered at the request's end, so the proxy is past sending when the answer comes.
        if ((flags & kEndStream) != 0) {
          ok = SendAll(fd, Frame(kHeaders, kEndStream | kEndHeaders, stream, header_block_));
          ++answered_;
        }
      }
      if (!ok) return;
    }
  }
}

}  // namespace crossmesh::proxy::testing
