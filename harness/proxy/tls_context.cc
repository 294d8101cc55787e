#include "harness/proxy/tls_context.h"

#include <fmt/format.h>

#include <boost/asio/ssl/context.hpp>
#include <string_view>

#include "emulator/pki/asn1_time.h"
#include "emulator/pki/openssl_error.h"
#include "harness/proxy/tls_connection_state.h"

namespace crossmesh::proxy {
namespace {

// Envoy's default TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// BoringSSL's TLS 1.3 order, so Envoy's: AES-128-GCM first (OpenSSL's own default starts with
// AES-256-GCM-SHA384, which costs more per record and per key schedule).
constexpr const char* kTls13Ciphers =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// Server sessions must name a context before they can be resumed with client certificates.
constexpr std::string_view kSessionIdContext = "crossmesh-proxy";

// Asio keeps its own verify-callback object in the SSL_CTX app data slot and deletes it in
// ~context, so the owning TlsContext goes in an ex_data slot of its own.
int ContextIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int OpenSslVersion(TlsVersion version) {
  return version == TlsVersion::kTls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
}

// TLS 1.3 sessions kept per upstream endpoint: each connection uses one and receives one (our
// server sends one ticket; other servers may send more), so a few cover the connections that
// handshake at the same time.
constexpr size_t kSessionsPerKey = 64;

// Server-side sessions kept per context; each holds the client's certificate.
constexpr long kServerSessions = 4096;

Status Failed(const std::string& what) { return pki::OpenSslFailure(kInvalidConfiguration, what); }

// Watches the client's outgoing handshake messages for a non-empty Certificate message: the
// only reliable sign that the client certificate was presented (it is sent only on request).
void OnHandshakeMessage(int write_p, int /*version*/, int content_type, const void* buf, size_t len,
                        SSL* ssl, void* /*arg*/) {
  const auto* bytes = static_cast<const unsigned char*>(buf);
  if (write_p != 1 || content_type != SSL3_RT_HANDSHAKE || len < 4) return;
  if (bytes[0] != SSL3_MT_CERTIFICATE) return;
  TlsConnectionState* state = StateOf(ssl);
  if (state == nullptr) return;
  size_t offset = 4;  // message type and 24-bit length
  if (SSL_version(ssl) == TLS1_3_VERSION) {
    if (len < 5) return;
    offset += 1 + bytes[4];  // certificate_request_context
  }
  if (len < offset + 3) return;
  const size_t list =
      (size_t{bytes[offset]} << 16) | (size_t{bytes[offset + 1]} << 8) | size_t{bytes[offset + 2]};
  state->sent_client_certificate = list > 0;
}

}  // namespace

TlsContext::TlsContext()
    : context_(std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls)) {}

TlsContext::~TlsContext() = default;

SSL_CTX* TlsContext::native() const { return context_->native_handle(); }

Status TlsContext::Configure(TlsVersionBounds versions) {
  SSL_CTX* ctx = native();
  SSL_CTX_set_ex_data(ctx, ContextIndex(), this);
  if (SSL_CTX_set_min_proto_version(ctx, OpenSslVersion(versions.min)) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, OpenSslVersion(versions.max)) != 1) {
    return Failed("cannot set the TLS version bounds");
  }
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Ciphers) != 1) {
    return Failed("cannot set the ciphers");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Send exactly the configured chain, as Envoy does; OpenSSL would otherwise complete it
  // from the trust store and put the CA on the wire too.
  SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
  // Records are read straight from the socket into OpenSSL's buffer (read-ahead): room for
  // two full records takes a bulk transfer in about one receive per 32 KiB.
  SSL_CTX_set_default_read_buffer_len(ctx, size_t{32} * 1024);
  return Status::Ok();
}

Status TlsContext::UseCertificate(const TlsCertificate& certificate) {
  SSL_CTX* ctx = native();
  if (SSL_CTX_use_certificate(ctx, certificate.chain.front().get()) != 1) {
    return Failed("cannot use the certificate");
  }
  for (size_t i = 1; i < certificate.chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, certificate.chain[i].get()) != 1) {
      return Failed("cannot add an intermediate certificate");
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx, certificate.key->get()) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return Failed("the private key does not match the certificate");
  }
  chain_ = certificate.chain;
  chain_path_ = certificate.path;
  return Status::Ok();
}

void TlsContext::UseVerification(const std::optional<VerifySpec>& spec, bool server) {
  SSL_CTX* ctx = native();
  if (!spec || (spec->trusted_cas.empty() && spec->san_names.empty())) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return;
  }
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const pki::Certificate& ca : spec->trusted_cas) X509_STORE_add_cert(store, ca.get());
  // A trusted intermediate is an anchor of its own, as in Envoy.
  X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
  pki::DrainOpenSslErrors();  // duplicate anchors are harmless
  trusted_ = spec->trusted_cas;
  trusted_path_ = spec->trusted_ca_path;

  verifier_ = std::make_unique<PeerVerifier>(!spec->trusted_cas.empty(), spec->san_names, clock_);
  verifier_->Install(ctx);
  int mode = SSL_VERIFY_PEER;
  if (server && spec->require_peer_certificate) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, mode, nullptr);
}

namespace {

// ALPN's wire form: each protocol name preceded by its length.
constexpr unsigned char kAlpnHttp[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kAlpnH2[] = {2, 'h', '2'};

int SelectAlpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
               const unsigned char* offered, unsigned int offered_length, void* /*arg*/) {
  unsigned char* chosen = nullptr;
  // Our preference order wins: h2 when offered, else http/1.1.
  if (SSL_select_next_proto(&chosen, out_length, kAlpnHttp, sizeof(kAlpnHttp), offered,
                            offered_length) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

Result<std::shared_ptr<TlsContext>> TlsContext::CreateServer(const ServerContextSpec& spec) {
  std::shared_ptr<TlsContext> context(new TlsContext());
  context->clock_ = spec.clock;
  CM_RETURN_IF_ERROR(context->Configure(spec.versions));
  CM_RETURN_IF_ERROR(context->UseCertificate(spec.certificate));
  context->UseVerification(spec.client_validation, true);

  SSL_CTX* ctx = context->native();
  SSL_CTX_set_session_id_context(ctx,
                                 reinterpret_cast<const unsigned char*>(kSessionIdContext.data()),
                                 static_cast<unsigned int>(kSessionIdContext.size()));
  // SSL_OP_NO_TICKET: TLS 1.2 resumes by session ID, and TLS 1.3 tickets name a session in
  // this cache instead of carrying it (spec.session_cache says why).
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  if (spec.alpn_http) SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, nullptr);
  if (spec.session_cache) {
    // Bounded by size (the oldest go first) rather than by OpenSSL's sweep of the whole cache
    // every 255 handshakes, which showed in profiles of new connections.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_AUTO_CLEAR);
    SSL_CTX_sess_set_cache_size(ctx, kServerSessions);
    // One TLS 1.3 ticket per handshake instead of OpenSSL's two: a client uses each ticket
    // once (RFC 8446 C.4) and each connection brings a new one, so one keeps its supply
    // level, and the second only cost a cached session and a ticket message each time.
    SSL_CTX_set_num_tickets(ctx, 1);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
  }
  return context;
}

Result<std::shared_ptr<TlsContext>> TlsContext::CreateClient(const ClientContextSpec& spec) {
  std::shared_ptr<TlsContext> context(new TlsContext());
  context->clock_ = spec.clock;
  CM_RETURN_IF_ERROR(context->Configure(spec.versions));
  if (spec.client_certificate) {
    CM_RETURN_IF_ERROR(context->UseCertificate(*spec.client_certificate));
  }
  context->UseVerification(spec.server_validation, false);

  SSL_CTX* ctx = context->native();
  if (spec.client_certificate) SSL_CTX_set_msg_callback(ctx, OnHandshakeMessage);
  if (spec.alpn_h2) SSL_CTX_set_alpn_protos(ctx, kAlpnH2, sizeof(kAlpnH2));
  if (spec.session_cache) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, OnNewSession);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  }
  return context;
}

int TlsContext::OnNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* self = static_cast<TlsContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ContextIndex()));
  const TlsConnectionState* state = StateOf(ssl);
  if (self == nullptr || state == nullptr || state->session_key.empty()) return 0;
  std::lock_guard lock(self->sessions_mutex_);
  std::deque<SessionPtr>& saved = self->sessions_[state->session_key];
  saved.emplace_back(session);
  if (saved.size() > kSessionsPerKey) saved.pop_front();
  return 1;  // we keep the reference OpenSSL handed us
}

void TlsContext::OfferSession(SSL* ssl, const std::string& key) {
  std::lock_guard lock(sessions_mutex_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  std::deque<SessionPtr>& saved = it->second;
  time_t now = pki::ToUnixSeconds(clock_());
  while (!saved.empty()) {
    SSL_SESSION* session = saved.back().get();
    // A resumed handshake skips verification, so a session whose server certificate has
    // expired on the (virtual) clock must not be offered: the next handshake has to see it.
    X509* peer = SSL_SESSION_get0_peer(session);
    if (SSL_SESSION_is_resumable(session) != 1 ||
        (peer != nullptr && X509_cmp_time(X509_get0_notAfter(peer), &now) < 0)) {
      saved.pop_back();
      continue;
    }
    SSL_set_session(ssl, session);  // takes its own reference
    if (SSL_SESSION_get_protocol_version(session) == TLS1_3_VERSION) saved.pop_back();
    return;
  }
}

}  // namespace crossmesh::proxy
