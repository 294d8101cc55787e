// TlsStream: a ByteStream over TLS holding the TlsContext it was made from, so a rotated context
// stays alive for as long as connections opened on it. Handshake() turns any failure into
// Envoy's terms (TransportFailure). OpenSSL works on the socket through a TlsTransport (records
// sent straight to the socket, read from one input buffer) and the stream drives SSL_read,
// SSL_write and SSL_do_handshake itself; errors keep the codes of Asio's SSL stream (ssl
// category OpenSSL errors, eof, stream_truncated for an end without close_notify).
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <string>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/envoy_errors.h"
#include "harness/proxy/tls_connection_state.h"
#include "harness/proxy/tls_context.h"

namespace crossmesh::proxy {

enum class TlsRole { kServer, kClient };

class TlsStream final : public ByteStream {
 public:
  TlsStream(tcp::socket socket, std::shared_ptr<TlsContext> context, TlsRole role);
  ~TlsStream() override;

  // Runs the handshake, closing the connection if it has not finished within `timeout`.
  // Client side: offers the session cached under `session_key` and caches the new one there.
  asio::awaitable<TransportFailure> Handshake(std::chrono::milliseconds timeout,
                                              std::string session_key = {});

  asio::awaitable<size_t> ReadSome(asio::mutable_buffer buffer, ErrorCode& ec) override;
  size_t ReadReady(asio::mutable_buffer buffer) override;
  bool InputWaiting() override;
  bool PeerGone() override;
  asio::awaitable<void> Write(asio::const_buffer buffer, ErrorCode& ec) override;
  void ShutdownSend() override;
  void Close() override;
  tcp::socket& socket() override;
  bool is_tls() const override { return true; }

  SSL* ssl() const;
  TlsRole role() const { return role_; }
  const TlsContext& context() const { return *context_; }
  const TlsConnectionState& state() const { return state_; }

 private:
  struct Impl;
  std::shared_ptr<TlsContext> context_;  // declared first: outlives the SSL object
  TlsRole role_;
  TlsConnectionState state_;
  std::unique_ptr<Impl> impl_;
};

// A resumed session skips peer verification, and on the proxy's clock (which scenarios move
// ahead) the certificate it remembers may have expired since: a chain failure when it has,
// kNone otherwise. Full handshakes were verified already and pass.
TransportFailure CheckResumedPeer(const TlsStream& stream, TimePoint now);

// What a failed handshake means in Envoy's terms. `timed_out`: the watchdog closed it.
TransportFailure ClassifyHandshakeError(const ErrorCode& ec, const TlsConnectionState& state,
                                        bool timed_out);

}  // namespace crossmesh::proxy
