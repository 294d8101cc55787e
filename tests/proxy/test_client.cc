#include "tests/proxy/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace crossmesh::proxy::testing {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void SetTimeout(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

bool ParseHead(const std::string& head, bool is_response, RawHttpMessage& message) {
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  const size_t space1 = first.find(' ');
  const size_t space2 = first.find(' ', space1 + 1);
  if (space1 == std::string::npos) return false;
  if (is_response) {
    if (first.rfind("HTTP/1.", 0) != 0) return false;
    message.status = std::atoi(first.substr(space1 + 1, 3).c_str());
  } else {
    message.method = first.substr(0, space1);
    message.target = first.substr(space1 + 1, space2 - space1 - 1);
  }
  size_t position = line_end + 2;
  while (position < head.size()) {
    size_t end = head.find("\r\n", position);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(position, end - position);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      message.headers[Lower(line.substr(0, colon))] = value;
    }
    position = end + 2;
  }
  return true;
}

}  // namespace

std::string RawHttpMessage::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? std::string() : it->second;
}

RawSocket::RawSocket(int fd, bool owned) : fd_(fd), owned_(owned) {}

RawSocket::RawSocket(RawSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      owned_(other.owned_),
      ssl_(std::exchange(other.ssl_, nullptr)),
      buffer_(std::move(other.buffer_)) {}

RawSocket& RawSocket::operator=(RawSocket&& other) noexcept {
  if (this != &other) {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (owned_ && fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    owned_ = other.owned_;
    ssl_ = std::exchange(other.ssl_, nullptr);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

RawSocket::~RawSocket() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (owned_ && fd_ >= 0) ::close(fd_);
}

std::optional<RawSocket> RawSocket::Connect(uint16_t port, std::chrono::milliseconds timeout,
                                            int receive_buffer) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  SetTimeout(fd, timeout);
  return RawSocket(fd, true);
}

bool RawSocket::WriteAll(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    long n = 0;
    if (ssl_ != nullptr) {
      n = SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
    } else {
      n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    }
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

long RawSocket::Read(char* buffer, size_t size) {
  if (ssl_ != nullptr) return SSL_read(ssl_, buffer, static_cast<int>(size));
  return ::read(fd_, buffer, size);
}

std::string RawSocket::ReadUntilClosed(std::chrono::milliseconds wait, bool& closed) {
  std::string data = std::move(buffer_);
  buffer_.clear();
  closed = false;
  const auto until = std::chrono::steady_clock::now() + wait;
  char chunk[16 * 1024];
  while (std::chrono::steady_clock::now() < until) {
    pollfd descriptor{fd_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
      if (::poll(&descriptor, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) {
        continue;
      }
    }
    const long n = Read(chunk, sizeof(chunk));
    if (n <= 0) {
      closed = true;
      break;
    }
    data.append(chunk, static_cast<size_t>(n));
  }
  return data;
}

bool RawSocket::FillUntil(const std::string& delimiter) {
  char chunk[16 * 1024];
  while (buffer_.find(delimiter) == std::string::npos) {
    const long n = Read(chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  return true;
}

std::optional<RawHttpMessage> RawSocket::ReadMessage(bool is_response) {
  if (!FillUntil("\r\n\r\n")) return std::nullopt;
  const size_t head_end = buffer_.find("\r\n\r\n");
  RawHttpMessage message;
  if (!ParseHead(buffer_.substr(0, head_end), is_response, message)) return std::nullopt;
  buffer_.erase(0, head_end + 4);
  if (message.Header("transfer-encoding") == "chunked") {
    if (!ReadChunkedBody(message.body)) return std::nullopt;
    return message;
  }
  const std::string length_text = message.Header("content-length");
  if (length_text.empty() && is_response && message.Header("connection") == "close") {
    bool closed = false;
    message.body = ReadUntilClosed(std::chrono::seconds(10), closed);
    if (!closed) return std::nullopt;
    return message;
  }
  const size_t length = length_text.empty() ? 0 : std::stoul(length_text);
  char chunk[16 * 1024];
  while (buffer_.size() < length) {
    const long n = Read(chunk, sizeof(chunk));
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  message.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return message;
}

bool RawSocket::ReadChunkedBody(std::string& body) {
  char chunk[16 * 1024];
  for (;;) {
    if (!FillUntil("\r\n")) return false;
    const size_t line_end = buffer_.find("\r\n");
    const size_t size = std::stoul(buffer_.substr(0, line_end), nullptr, 16);
    buffer_.erase(0, line_end + 2);
    while (buffer_.size() < size + 2) {
      const long n = Read(chunk, sizeof(chunk));
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    if (size == 0) {  // no trailers: the last chunk's line ends the message
      buffer_.erase(0, 2);
      return true;
    }
    body.append(buffer_, 0, size);
    buffer_.erase(0, size + 2);
  }
}

std::string RawSocket::StartTls(SSL_CTX* context) {
  ssl_ = SSL_new(context);
  SSL_set_fd(ssl_, fd_);
  if (SSL_connect(ssl_) == 1) return {};
  char text[256];
  ERR_error_string_n(ERR_get_error(), text, sizeof(text));
  ERR_clear_error();
  return text[0] != '\0' ? std::string(text) : std::string("handshake failed");
}

int ListenOnLoopback(int backlog, uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, backlog) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("a test app cannot listen on 127.0.0.1");
  }
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

std::string BuildRequest(const std::string& method, const std::string& target,
                         const std::string& body, const std::string& host, bool keep_alive,
                         const std::string& extra_headers) {
  std::string request = method + " " + target + " HTTP/1.1\r\nhost: " + host + "\r\n";
  request += extra_headers;
  if (!body.empty() || method == "POST") {
    request += "content-length: " + std::to_string(body.size()) + "\r\n";
  }
  if (!keep_alive) request += "connection: close\r\n";
  return request + "\r\n" + body;
}

std::optional<RawHttpMessage> HttpRequestOnce(uint16_t port, const std::string& method,
                                              const std::string& target, const std::string& body,
                                              const std::string& host) {
  std::optional<RawSocket> socket = RawSocket::Connect(port);
  if (!socket || !socket->WriteAll(BuildRequest(method, target, body, host, false))) {
    return std::nullopt;
  }
  return socket->ReadMessage(true);
}

SSL_CTX* MakeClientContext(const std::vector<pki::Certificate>& trust,
                           const std::optional<TlsCertificate>& certificate) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  if (!trust.empty()) {
    for (const pki::Certificate& ca : trust) {
      X509_STORE_add_cert(SSL_CTX_get_cert_store(context), ca.get());
    }
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  }
  if (certificate) {
    SSL_CTX_use_certificate(context, certificate->chain.front().get());
    SSL_CTX_use_PrivateKey(context, certificate->key->get());
  }
  return context;
}

}  // namespace crossmesh::proxy::testing
