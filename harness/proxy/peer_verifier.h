// PeerVerifier: checks a peer's certificate during the handshake the way Envoy's default
// validator does (appmesh-tls-semantics.md 5.1): the chain against the trusted CAs, then the
// SAN rule. Time comes from the proxy's clock function, not the system clock, so a test or a
// scenario advances virtual time and sees "certificate has expired" at once.
//
// Installed with SSL_CTX_set_cert_verify_callback: it replaces OpenSSL's own chain walk for the
// context, and records why it failed in the connection's TlsConnectionState for the 503 body
// and the fail_verify_* counters.
#pragma once

#include <openssl/ssl.h>

#include <functional>
#include <string>
#include <vector>

#include "emulator/core/clock.h"

namespace crossmesh::proxy {

class PeerVerifier {
 public:
  // `check_chain`: verify up to the CAs in the SSL_CTX's store. `san_names`: one certificate
  // DNS SAN must cover one of them (empty: no SAN check).
  PeerVerifier(bool check_chain, std::vector<std::string> san_names,
               std::function<TimePoint()> clock)
      : check_chain_(check_chain), san_names_(std::move(san_names)), clock_(std::move(clock)) {}

  // Installs this verifier on `ctx`; the verifier must outlive every SSL made from it.
  void Install(SSL_CTX* ctx);
  bool active() const { return check_chain_ || !san_names_.empty(); }

 private:
  static int Callback(X509_STORE_CTX* store_ctx, void* arg);
  int Verify(X509_STORE_CTX* store_ctx) const;

  bool check_chain_;
  std::vector<std::string> san_names_;
  std::function<TimePoint()> clock_;
};

}  // namespace crossmesh::proxy
