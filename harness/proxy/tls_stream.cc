#include "harness/proxy/tls_stream.h"

#include <openssl/err.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "emulator/pki/asn1_time.h"
#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {

struct TlsStream::Impl {
  Impl(tcp::socket socket, TlsContext& context) : stream(std::move(socket), context.asio()) {}
  asio::ssl::stream<tcp::socket> stream;
};

TlsStream::TlsStream(tcp::socket socket, std::shared_ptr<TlsContext> context, TlsRole role)
    : context_(std::move(context)),
      role_(role),
      impl_(std::make_unique<Impl>(std::move(socket), *context_)) {
  AttachState(impl_->stream.native_handle(), &state_);
}

TlsStream::~TlsStream() {
  // Freeing an SSL that never sent close_notify makes OpenSSL mark its session unresumable,
  // which would empty the client session cache. Connections here end with a plain close
  // (see ShutdownSend), so declare the shutdown done once the handshake has completed.
  if (SSL_is_init_finished(ssl()) == 1) {
    SSL_set_shutdown(ssl(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  }
}

SSL* TlsStream::ssl() const { return impl_->stream.native_handle(); }

tcp::socket& TlsStream::socket() { return impl_->stream.next_layer(); }

asio::awaitable<TransportFailure> TlsStream::Handshake(std::chrono::milliseconds timeout,
                                                       std::string session_key) {
  if (role_ == TlsRole::kClient && !session_key.empty()) {
    state_.session_key = std::move(session_key);
    context_->OfferSession(ssl(), state_.session_key);
  }
  Watchdog watchdog(co_await asio::this_coro::executor);
  watchdog.Arm(timeout, [this] { Close(); });

  ErrorCode ec;
  const auto type =
      role_ == TlsRole::kServer ? asio::ssl::stream_base::server : asio::ssl::stream_base::client;
  co_await impl_->stream.async_handshake(type, asio::redirect_error(asio::use_awaitable, ec));
  watchdog.Disarm();
  if (!ec) {
    TransportFailure none;
    co_return none;
  }
  co_return ClassifyHandshakeError(ec, state_, watchdog.expired());
}

asio::awaitable<size_t> TlsStream::ReadSome(asio::mutable_buffer buffer, ErrorCode& ec) {
  co_return co_await impl_->stream.async_read_some(buffer,
                                                   asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> TlsStream::Write(asio::const_buffer buffer, ErrorCode& ec) {
  co_await asio::async_write(impl_->stream, buffer, asio::redirect_error(asio::use_awaitable, ec));
}

void TlsStream::ShutdownSend() {
  ErrorCode ignored;
  socket().shutdown(tcp::socket::shutdown_send, ignored);
}

void TlsStream::Close() {
  ErrorCode ignored;
  socket().close(ignored);
}

TransportFailure CheckResumedPeer(const TlsStream& stream, TimePoint now) {
  X509* peer = SSL_get0_peer_certificate(stream.ssl());
  if (SSL_session_reused(stream.ssl()) != 1 || peer == nullptr) return TransportFailure{};
  time_t at = pki::ToUnixSeconds(now);
  if (X509_cmp_time(X509_get0_notAfter(peer), &at) >= 0) return TransportFailure{};
  return TlsFailure(
      FailureKind::kVerifyChain, SSL_R_CERTIFICATE_VERIFY_FAILED,
      ChainFailureDetail(0, X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED)));
}

TransportFailure ClassifyHandshakeError(const ErrorCode& ec, const TlsConnectionState& state,
                                        bool timed_out) {
  if (state.verify_failure != FailureKind::kNone) {
    return TlsFailure(state.verify_failure, SSL_R_CERTIFICATE_VERIFY_FAILED, state.verify_detail);
  }
  if (timed_out) {
    TransportFailure failure;
    failure.kind = FailureKind::kTimeout;
    failure.message = "TLS handshake timed out";
    return failure;
  }
  if (ec.category() == asio::error::get_ssl_category() &&
      ERR_GET_LIB(static_cast<unsigned long>(ec.value())) == ERR_LIB_SSL) {
    const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
      TransportFailure failure;  // the peer just went away: no TLS error to report
      failure.kind = FailureKind::kClosed;
      failure.message = "connection closed during the TLS handshake";
      return failure;
    }
    if (reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
      return TlsFailure(FailureKind::kNoPeerCertificate, reason,
                        "peer did not provide required client certificate");
    }
    return TlsFailure(FailureKind::kTls, reason);
  }
  TransportFailure failure;
  failure.kind = FailureKind::kClosed;
  failure.message = ec.message();
  return failure;
}

}  // namespace crossmesh::proxy
