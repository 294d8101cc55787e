// RecordHandshake: the one place a finished TLS handshake (successful or not) is counted under
// Envoy's ssl.* names and written to the proxy's HandshakeLog, and a failure is logged.
#pragma once

#include <string>

#include "emulator/pki/certificate.h"
#include "harness/proxy/envoy_errors.h"
#include "harness/proxy/handshake_log.h"
#include "harness/proxy/stats.h"
#include "harness/proxy/tls_stream.h"

namespace crossmesh::proxy {

struct HandshakeSite {
  std::string proxy;
  HandshakeSide side = HandshakeSide::kServer;
  std::string scope;  // listener stat prefix or cluster name
  SslStats* stats = nullptr;
  HandshakeLog* log = nullptr;
  ErrorStyle error_style = ErrorStyle::kClassic;
};

// `stream` is the connection whose handshake just ended with `failure` (kNone: success).
void RecordHandshake(const HandshakeSite& site, TlsStream& stream, const TransportFailure& failure);

// A handshake that never started because the context could not be had (secret missing).
void RecordHandshakeNotStarted(const HandshakeSite& site, const std::string& local_address,
                               const std::string& peer_address, const TransportFailure& failure);

CertificateFacts FactsOf(const pki::Certificate& certificate);

}  // namespace crossmesh::proxy
