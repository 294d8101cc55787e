#include "harness/proxy/peer_verifier.h"

#include <openssl/x509_vfy.h>

#include "emulator/pki/asn1_time.h"
#include "emulator/pki/certificate.h"
#include "harness/proxy/envoy_errors.h"
#include "harness/proxy/san_match.h"
#include "harness/proxy/tls_connection_state.h"

namespace crossmesh::proxy {

void PeerVerifier::Install(SSL_CTX* ctx) { SSL_CTX_set_cert_verify_callback(ctx, Callback, this); }

int PeerVerifier::Callback(X509_STORE_CTX* store_ctx, void* arg) {
  return static_cast<const PeerVerifier*>(arg)->Verify(store_ctx);
}

int PeerVerifier::Verify(X509_STORE_CTX* store_ctx) const {
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store_ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  TlsConnectionState* state = ssl == nullptr ? nullptr : StateOf(ssl);

  if (check_chain_) {
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(store_ctx), pki::ToUnixSeconds(clock_()));
    if (X509_verify_cert(store_ctx) <= 0) {
      if (state != nullptr) {
        state->verify_failure = FailureKind::kVerifyChain;
        state->verify_detail =
            ChainFailureDetail(X509_STORE_CTX_get_error_depth(store_ctx),
                               X509_verify_cert_error_string(X509_STORE_CTX_get_error(store_ctx)));
      }
      return 0;
    }
  }

  if (!san_names_.empty()) {
    X509* leaf = X509_STORE_CTX_get0_cert(store_ctx);
    const bool matched =
        leaf != nullptr && AnySanMatches(pki::Certificate::Share(leaf).alt_names(), san_names_);
    if (!matched) {
      // Envoy marks SAN failures as an application verification error, which becomes a
      // certificate_unknown-class alert rather than an unknown-CA one.
      X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_APPLICATION_VERIFICATION);
      if (state != nullptr) {
        state->verify_failure = FailureKind::kVerifySan;
        state->verify_detail = kSanMatcherDetail;
      }
      return 0;
    }
  }
  X509_STORE_CTX_set_error(store_ctx, X509_V_OK);
  return 1;
}

}  // namespace crossmesh::proxy
