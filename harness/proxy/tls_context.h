// TlsContext: one immutable SSL_CTX built from secrets, for a listener (server side) or a
// cluster (client side), with Envoy's defaults: TLS version bounds, ECDHE AEAD cipher suites,
// peer verification on the proxy's clock (PeerVerifier), and session resumption (a server
// session cache; a client session cache keyed by upstream endpoint).
//
// Contexts are never changed after creation. Rotation builds a new one (ContextProvider);
// connections hold a shared_ptr to the context they started with, so open connections finish
// on the old material, and a new context starts with fresh ticket keys and an empty session
// cache, so the first handshakes after a rotation are full ones that show the new certificate.
#pragma once

#include <openssl/ssl.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/proxy/config.h"
#include "harness/proxy/peer_verifier.h"
#include "harness/proxy/secret_store.h"

namespace boost::asio::ssl {
class context;
}

namespace crossmesh::proxy {

// What the peer must prove. `trusted_cas` empty: no chain check. `san_names` empty: no SAN
// check. Both empty: no verification (SSL_VERIFY_NONE).
struct VerifySpec {
  std::vector<pki::Certificate> trusted_cas;
  std::vector<std::string> san_names;
  bool require_peer_certificate = true;  // server side: FAIL_IF_NO_PEER_CERT
  std::string trusted_ca_path;           // their file, if a file secret: /certs shows it
};

struct ServerContextSpec {
  TlsCertificate certificate;
  std::optional<VerifySpec> client_validation;  // set: request a client certificate
  TlsVersionBounds versions{TlsVersion::kTls12, TlsVersion::kTls13};
  // Resumption through a session cache in this context (TLS 1.2 session IDs, TLS 1.3
  // stateful tickets), not stateless tickets: a ticket carries the client certificate, and
  // decoding it again on every resumption cost more than a third of the server's CPU.
  bool session_cache = true;
  std::function<TimePoint()> clock;
  // An HTTP listener answers ALPN: "h2" when the client offers it, else "http/1.1" (it
  // serves both; gRPC clients over TLS insist on h2). Off for TCP listeners.
  bool alpn_http = false;
};

struct ClientContextSpec {
  std::optional<TlsCertificate> client_certificate;
  std::optional<VerifySpec> server_validation;
  TlsVersionBounds versions{TlsVersion::kTls12, TlsVersion::kTls12};
  bool session_cache = true;
  std::function<TimePoint()> clock;
  bool alpn_h2 = false;  // offer "h2" (an HTTP/2 cluster); nothing is offered otherwise
};

class TlsContext {
 public:
  static Result<std::shared_ptr<TlsContext>> CreateServer(const ServerContextSpec& spec);
  static Result<std::shared_ptr<TlsContext>> CreateClient(const ClientContextSpec& spec);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  TlsContext(TlsContext&&) = delete;
  TlsContext& operator=(TlsContext&&) = delete;

  boost::asio::ssl::context& asio() const { return *context_; }
  SSL_CTX* native() const;

  // The chain this context presents (empty for a client without a certificate) and the CAs
  // it trusts (empty when it verifies nothing), for /certs and handshake records.
  const std::vector<pki::Certificate>& certificate_chain() const { return chain_; }
  const std::vector<pki::Certificate>& trusted_cas() const { return trusted_; }
  // The files the chain and the trusted CAs came from; empty when inline or pushed.
  const std::string& certificate_path() const { return chain_path_; }
  const std::string& trusted_ca_path() const { return trusted_path_; }

  // Client session cache. Offers the newest session saved for `key` (if any, and if the peer
  // certificate it remembers is still valid on the clock) to `ssl`. A TLS 1.3 session is
  // handed out once (RFC 8446 C.4; the server's stateful tickets are single-use), so several
  // are kept per key, fed by the tickets each connection receives.
  void OfferSession(SSL* ssl, const std::string& key);

 private:
  TlsContext();
  Status Configure(TlsVersionBounds versions);
  Status UseCertificate(const TlsCertificate& certificate);
  void UseVerification(const std::optional<VerifySpec>& spec, bool server);
  static int OnNewSession(SSL* ssl, SSL_SESSION* session);

  struct SessionFree {
    void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
  };
  using SessionPtr = std::unique_ptr<SSL_SESSION, SessionFree>;

  std::unique_ptr<boost::asio::ssl::context> context_;
  std::unique_ptr<PeerVerifier> verifier_;
  std::function<TimePoint()> clock_;
  std::vector<pki::Certificate> chain_;
  std::vector<pki::Certificate> trusted_;
  std::string chain_path_;
  std::string trusted_path_;
  std::mutex sessions_mutex_;
  std::map<std::string, std::deque<SessionPtr>> sessions_;  // newest last
};

}  // namespace crossmesh::proxy
