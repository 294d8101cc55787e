// Blocking clients for the proxy tests: a plain socket that speaks just enough HTTP/1.1
// (Content-Length bodies, keep-alive), raw byte access for bad-input tests, and a TLS client
// (OpenSSL, blocking) to talk to a proxy listener directly. Every read has a timeout, so a
// test fails instead of hanging.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/pki/certificate.h"
#include "harness/proxy/secret_store.h"

namespace crossmesh::proxy::testing {

struct RawHttpMessage {
  std::string method;  // requests
  std::string target;
  int status = 0;                              // responses
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& name) const;
};

// A connected TCP socket (optionally carrying TLS once StartTls succeeded).
class RawSocket {
 public:
  RawSocket(int fd, bool owned);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;
  RawSocket(RawSocket&& other) noexcept;
  RawSocket& operator=(RawSocket&& other) noexcept;

  // 127.0.0.1:`port`; nullopt when the connection is refused. A positive `receive_buffer`
  // fixes SO_RCVBUF before connecting (after, a smaller window drops what was already let in).
  static std::optional<RawSocket> Connect(
      uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10),
      int receive_buffer = 0);

  bool WriteAll(const std::string& bytes);
  // Reads what arrives until the peer closes or `wait` passes; `closed` tells which.
  std::string ReadUntilClosed(std::chrono::milliseconds wait, bool& closed);
  // One HTTP message; nullopt on end of stream, timeout or garbage. A chunked body is
  // decoded; a response with neither length nor chunks is read until the peer closes.
  std::optional<RawHttpMessage> ReadMessage(bool is_response);
  // Reads until `text` has arrived (what is read stays for ReadMessage); false if the peer
  // closed or went silent first.
  bool WaitFor(const std::string& text) { return FillUntil(text); }

  // The TLS handshake as a client. Empty on success, else OpenSSL's reason.
  std::string StartTls(SSL_CTX* context);
  SSL* ssl() const { return ssl_; }
  int fd() const { return fd_; }

 private:
  long Read(char* buffer, size_t size);  // <= 0: end or error
  bool FillUntil(const std::string& delimiter);
  // The chunks of a body after its head, appended to `body`; false when cut short.
  bool ReadChunkedBody(std::string& body);

  int fd_ = -1;
  bool owned_ = true;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

// A socket listening on 127.0.0.1, on a port the system picks (written to `port`); throws
// when it cannot listen. For the test apps.
int ListenOnLoopback(int backlog, uint16_t& port);

// One request on a fresh connection: nullopt when no response came.
std::optional<RawHttpMessage> HttpRequestOnce(uint16_t port, const std::string& method,
                                              const std::string& target,
                                              const std::string& body = "",
                                              const std::string& host = "backend");
std::string BuildRequest(const std::string& method, const std::string& target,
                         const std::string& body, const std::string& host, bool keep_alive,
                         const std::string& extra_headers = "");

// A client SSL_CTX: TLS 1.2-1.3, trusting `trust` (verification off when empty), presenting
// `certificate` when given. Caller frees with SSL_CTX_free.
SSL_CTX* MakeClientContext(const std::vector<pki::Certificate>& trust,
                           const std::optional<TlsCertificate>& certificate);

}  // namespace crossmesh::proxy::testing
