// TlsConnectionState: what one TLS connection's callbacks learn during the handshake (why peer
// verification failed, which session-cache key it uses), attached to the SSL object so OpenSSL
// callbacks, which only see the SSL, can reach it.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "harness/proxy/envoy_errors.h"

namespace crossmesh::proxy {

struct TlsConnectionState {
  FailureKind verify_failure = FailureKind::kNone;  // kVerifyChain or kVerifySan when set
  std::string verify_detail;                        // Envoy's "verify cert failed: ..." text
  std::string session_key;                          // client side: the endpoint, "host:port"
  bool sent_client_certificate = false;  // client side: a non-empty Certificate message left
};

// Attaches `state` (borrowed; it must outlive the handshake) to `ssl`.
void AttachState(SSL* ssl, TlsConnectionState* state);
// The state attached to `ssl`, or null.
TlsConnectionState* StateOf(const SSL* ssl);

}  // namespace crossmesh::proxy
