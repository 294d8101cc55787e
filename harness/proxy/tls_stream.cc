#include "harness/proxy/tls_stream.h"

#include <openssl/err.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <climits>

#include "emulator/pki/asn1_time.h"
#include "harness/proxy/tls_transport.h"
#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {
namespace {

// OpenSSL's error queue must be empty before an SSL call (SSL_get_error reads it). Clearing
// walks every slot even when the queue is empty, about 2% of a proxy's CPU at 200-byte
// requests; looking first does not.
void ClearSslErrors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

// SSL_get_error for a call made without clearing the queue first (reads and writes: even a
// look at the queue per call showed in profiles). An error left queued by other work on this
// thread would turn a call that only waits for the socket into a failure. Such a call left
// the SSL object waiting on a BIO that asked to be retried, which a failed call does not: then
// the queue is stale, and the answer is the one SSL_get_error gives with it empty.
int CallResult(SSL* ssl, int result) {
  if (result > 0) return SSL_ERROR_NONE;
  const int ssl_error = SSL_get_error(ssl, result);
  const bool failed = ssl_error == SSL_ERROR_SSL || ssl_error == SSL_ERROR_SYSCALL;
  const bool waits = (SSL_want_read(ssl) && BIO_should_read(SSL_get_rbio(ssl))) ||
                     (SSL_want_write(ssl) && BIO_should_write(SSL_get_wbio(ssl)));
  if (failed && waits) {
    ERR_clear_error();
    return SSL_get_error(ssl, result);
  }
  return ssl_error;
}

int Clamp(size_t size) { return static_cast<int>(std::min<size_t>(size, INT_MAX)); }

// The error of an SSL call that failed with `ssl_error`, in the codes Asio's SSL stream used
// (the rest of the proxy and ClassifyHandshakeError read these): the first queued OpenSSL
// error in the ssl category, eof for a close_notify, or the socket's own error.
ErrorCode CallError(int ssl_error, TlsTransport& transport) {
  if (ssl_error == SSL_ERROR_SSL) {
    return {static_cast<int>(ERR_get_error()), asio::error::get_ssl_category()};
  }
  if (ssl_error == SSL_ERROR_SYSCALL) {
    if (ErrorCode sent = transport.TakeSendError()) return sent;
    if (const unsigned long queued = ERR_get_error(); queued != 0) {
      return {static_cast<int>(queued), asio::error::get_ssl_category()};
    }
    return asio::ssl::error::unspecified_system_error;
  }
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
  return asio::ssl::error::unexpected_result;
}

// The socket ended: a clean end of stream only after the peer's close_notify, a truncation
// otherwise (as Asio's SSL stream reports it).
ErrorCode ReadError(const ErrorCode& ec, SSL* ssl) {
  if (ec == asio::error::eof && (SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN) == 0) {
    return asio::ssl::error::stream_truncated;
  }
  return ec;
}

}  // namespace

struct TlsStream::Impl {
  struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };

  Impl(tcp::socket socket, SSL_CTX* context) : transport(std::move(socket)), ssl(SSL_new(context)) {
    if (!ssl) Throw("SSL_new");
    BIO* bio = transport.NewBio();
    if (bio == nullptr) Throw("BIO_new");
    SSL_set_bio(ssl.get(), bio, bio);  // one reference, owned by the SSL object
    // Write keeps its buffer in place across retries, but an SSL_write of a large buffer
    // should return after each record so that Write can apply the socket's back-pressure.
    // OpenSSL's record buffers (about 50 KiB) go back to the heap whenever they are empty, as
    // HAProxy has them: an idle connection holds none, and the few buffers in use are the
    // same recently freed ones, still in the cache (64 KiB answers on 64 connections: 15% more
    // requests per second, 10% less CPU per request, interleaved runs).
    SSL_set_mode(ssl.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                SSL_MODE_RELEASE_BUFFERS);
    // Take whole runs of records from the input buffer instead of a header, then a body.
    SSL_set_read_ahead(ssl.get(), 1);
  }

  [[noreturn]] static void Throw(const char* what) {
    throw boost::system::system_error(
        ErrorCode(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category()), what);
  }

  // Repeats `call` (one SSL call) until it completes, filling the input buffer when OpenSSL
  // wants to read and sending what it wrote. Returns the call's result, or 0 with `ec` set.
  // `drain`: wait until the socket has taken everything queued (a writer's back-pressure).
  // `handshake`: the queue is emptied before each call, so that a failure reports its own
  // first error (the cause a handshake failure is classified by).
  template <typename Call>
  asio::awaitable<int> Drive(Call call, bool drain, ErrorCode& ec, bool handshake = false) {
    for (;;) {
      if (handshake) ClearSslErrors();
      const int result = call();
      int ssl_error = SSL_ERROR_NONE;
      if (result <= 0) {
        ssl_error = handshake ? SSL_get_error(ssl.get(), result) : CallResult(ssl.get(), result);
      }
      ErrorCode failure;
      if (ssl_error != SSL_ERROR_NONE && ssl_error != SSL_ERROR_WANT_READ &&
          ssl_error != SSL_ERROR_WANT_WRITE) {
        failure = CallError(ssl_error, transport);  // now: the error queue is per thread
        ERR_clear_error();                          // the rest of it: none is left for others
      }

      // What the call wrote goes out first, an alert before its failure included.
      if (transport.has_output() || ssl_error == SSL_ERROR_WANT_WRITE) {
        ErrorCode sent;
        co_await transport.Flush(sent, drain || ssl_error == SSL_ERROR_WANT_WRITE);
        if (!failure) failure = sent;
      }
      if (failure) {
        ec = failure;
        co_return 0;
      }
      if (ssl_error == SSL_ERROR_NONE) co_return result;

      if (ssl_error == SSL_ERROR_WANT_READ) {
        co_await transport.Fill(ec);
        if (ec) {
          ec = ReadError(ec, ssl.get());
          co_return 0;
        }
      }
    }
  }

  TlsTransport transport;  // declared first: outlives the SSL object, whose BIO points at it
  std::unique_ptr<SSL, SslFree> ssl;
};

TlsStream::TlsStream(tcp::socket socket, std::shared_ptr<TlsContext> context, TlsRole role)
    : context_(std::move(context)),
      role_(role),
      impl_(std::make_unique<Impl>(std::move(socket), context_->native())) {
  AttachState(ssl(), &state_);
}

TlsStream::~TlsStream() {
  // Freeing an SSL that never sent close_notify makes OpenSSL mark its session unresumable,
  // which would empty the client session cache. Connections here end with a plain close
  // (see ShutdownSend), so declare the shutdown done once the handshake has completed.
  if (SSL_is_init_finished(ssl()) == 1) {
    SSL_set_shutdown(ssl(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  }
}

SSL* TlsStream::ssl() const { return impl_->ssl.get(); }

tcp::socket& TlsStream::socket() { return impl_->transport.socket(); }

asio::awaitable<TransportFailure> TlsStream::Handshake(std::chrono::milliseconds timeout,
                                                       std::string session_key) {
  if (role_ == TlsRole::kClient && !session_key.empty()) {
    state_.session_key = std::move(session_key);
    context_->OfferSession(ssl(), state_.session_key);
  }
  Watchdog watchdog(co_await asio::this_coro::executor);
  watchdog.Arm(timeout, [this] { Close(); });

  if (role_ == TlsRole::kServer) {
    SSL_set_accept_state(ssl());
  } else {
    SSL_set_connect_state(ssl());
  }
  // Each flight leaves in one send rather than one per record.
  impl_->transport.set_corked(true);
  ErrorCode ec;
  SSL* handle = ssl();
  co_await impl_->Drive([handle] { return SSL_do_handshake(handle); }, true, ec, true);
  impl_->transport.set_corked(false);
  watchdog.Disarm();
  if (!ec) {
    TransportFailure none;
    co_return none;
  }
  co_return ClassifyHandshakeError(ec, state_, watchdog.expired());
}

asio::awaitable<size_t> TlsStream::ReadSome(asio::mutable_buffer buffer, ErrorCode& ec) {
  ec.clear();
  if (buffer.size() == 0) co_return 0;
  SSL* handle = ssl();
  // No drain: a read must not wait behind the other direction's writes (a spliced peer that
  // stops reading while it writes would deadlock both).
  const int n = co_await impl_->Drive(
      [handle, buffer] { return SSL_read(handle, buffer.data(), Clamp(buffer.size())); }, false,
      ec);
  const size_t read = n > 0 ? static_cast<size_t>(n) : 0;
  CountRead(read);
  co_return read;
}

bool TlsStream::InputWaiting() {
  // Application data only: records such as a TLS 1.3 session ticket, which a server sends
  // after the handshake, are processed here and do not count. The end of the connection does.
  impl_->transport.LookAgain();  // a deliberate look: the socket is asked even if drained
  char byte = 0;
  const int n = SSL_peek(ssl(), &byte, 1);  // reads the socket itself, never waiting
  if (n > 0) return true;
  const int error = CallResult(ssl(), n);
  ClearSslErrors();
  if (error != SSL_ERROR_WANT_READ) return true;  // closed or failed: nothing to reuse
  return impl_->transport.at_end();
}

bool TlsStream::PeerGone() {
  impl_->transport.LookAgain();
  char byte = 0;
  const int n = SSL_peek(ssl(), &byte, 1);  // reads the socket itself, never waiting
  if (n > 0) return false;                  // application data: a next request
  const int error = CallResult(ssl(), n);
  ClearSslErrors();
  if (error == SSL_ERROR_WANT_READ) return impl_->transport.at_end();
  return true;  // close_notify, the end of the stream, or a failure
}

// The largest TLS record's payload (RFC 8446 5.1).
constexpr size_t kRecordBytes = size_t{16} * 1024;
// The most one send of a large write carries.
constexpr size_t kBatchBytes = size_t{64} * 1024;

size_t TlsStream::ReadReady(asio::mutable_buffer buffer) {
  if (buffer.size() == 0) return 0;
  // Takes what the socket has (the transport never waits); nothing there is WANT_READ.
  const int n = SSL_read(ssl(), buffer.data(), Clamp(buffer.size()));
  if (n > 0) {
    CountRead(static_cast<size_t>(n));
    return static_cast<size_t>(n);
  }
  ClearSslErrors();  // a failure is found again, and reported, by the next ReadSome
  return 0;
}

asio::awaitable<void> TlsStream::Write(asio::const_buffer buffer, ErrorCode& ec) {
  ec.clear();
  SSL* handle = ssl();
  const auto* data = static_cast<const char*>(buffer.data());
  size_t left = buffer.size();
  TlsTransport& transport = impl_->transport;
  while (left > 0) {
    // Up to kBatchBytes of records leave together: each but the last with MSG_MORE (see
    // TlsTransport::set_more), as SSL_write returns after each record in partial-write mode.
    // Pushed one by one, a 16 KiB record cost a segment each.
    const bool batched = left > kRecordBytes;
    const int n = co_await impl_->Drive(
        [handle, data, left, batched, &transport] {
          if (!batched) return SSL_write(handle, data, Clamp(left));
          const size_t batch = std::min(left, kBatchBytes);
          size_t done = 0;
          int written = 0;
          while (done < batch) {
            transport.set_more(batch - done > kRecordBytes);
            written = SSL_write(handle, data + done, Clamp(batch - done));
            if (written <= 0) break;
            done += static_cast<size_t>(written);
          }
          transport.set_more(false);
          return done > 0 ? Clamp(done) : written;  // a failure after progress comes back next
        },
        true, ec);
    if (ec) co_return;
    data += n;
    left -= static_cast<size_t>(n);
  }
  CountWritten(buffer.size());
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
