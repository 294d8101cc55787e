// Failures in Envoy's words: the transport failure reasons, the 503 bodies an application sees,
// and BoringSSL's names and packed codes for OpenSSL's TLS errors (appmesh-tls-semantics.md
// 5.2, 5.3). Envoy is built on BoringSSL, whose codes users search for
// ("268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED"); OpenSSL's differ, so
// this file translates instead of passing OpenSSL's text through.
#pragma once

#include <cstdint>
#include <string>

#include "harness/proxy/config.h"

namespace crossmesh::proxy {

enum class FailureKind {
  kNone,
  kConnect,            // TCP connect refused / unreachable / timed out
  kSecretMissing,      // "Secret is not supplied by SDS"
  kVerifyChain,        // X509_verify_cert failed (untrusted CA, expired, ...)
  kVerifySan,          // SAN matcher failed
  kNoPeerCertificate,  // the peer sent no certificate where one is required
  kTls,                // any other TLS error (wrong version number, alerts, garbage)
  kTimeout,            // the handshake (or connect) did not finish in time
  kClosed,             // the peer closed the connection before the handshake finished
  kRemoteReset,        // the peer reset the HTTP/2 stream (RST_STREAM, or GOAWAY past it)
  kProtocolError,      // the upstream's answer broke HTTP (a status out of range, ...)
  kOverflow,           // a circuit breaker was full: the request never left
};

struct TransportFailure {
  FailureKind kind = FailureKind::kNone;
  std::string tls_reason;    // BoringSSL reason name: "CERTIFICATE_VERIFY_FAILED"
  uint32_t packed_code = 0;  // 268435581
  // Envoy's detail: "verify cert failed: X509_verify_cert: certificate verification error at
  // depth 0: unable to get local issuer certificate", "verify cert failed: SAN matcher", ...
  std::string detail;
  std::string message;  // non-TLS text: "delayed connect error: 111"

  bool failed() const { return kind != FailureKind::kNone; }
};

struct BoringSslReason {
  std::string name;          // "WRONG_VERSION_NUMBER"
  uint32_t packed_code = 0;  // ERR_PACK(ERR_LIB_SSL, reason) as BoringSSL computes it
};

// BoringSSL's name and packed code for an OpenSSL SSL-library reason (ERR_GET_REASON).
// Alerts (reason 1000 + alert number) keep their numbers; names outside the table are derived
// from OpenSSL's reason string and use OpenSSL's number.
BoringSslReason ToBoringSsl(int openssl_reason);

// A TLS failure for `openssl_reason`, with `detail` when verification failed.
TransportFailure TlsFailure(FailureKind kind, int openssl_reason, std::string detail = {});
TransportFailure SecretMissingFailure();
TransportFailure ConnectFailure(int errno_value);

// The "transport failure reason" text:
//   kClassic: "TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED"
//             followed by ":<detail>" when there is one
//   kModern:  "TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:
//             <detail>:TLS_error_end"
//   secret missing: "TLS error: Secret is not supplied by SDS"; connect: "delayed connect
//   error: 111"; empty for failures Envoy gives no reason for (peer closed, timeout).
std::string TransportFailureReason(const TransportFailure& failure, ErrorStyle style);

// The 503 body: "upstream connect error or disconnect/reset before headers. reset reason:
// connection failure, transport failure reason: ...". `retried`: newer Envoy says "retried and
// the latest reset reason" (kModern only).
std::string UpstreamFailureBody(const TransportFailure& failure, ErrorStyle style, bool retried);

// Envoy's X509 detail for a chain failure at `depth` with OpenSSL's verify error text:
// "verify cert failed: X509_verify_cert: certificate verification error at depth 0: <text>".
std::string ChainFailureDetail(int depth, const std::string& verify_error_text);

inline constexpr const char* kSecretNotSupplied = "Secret is not supplied by SDS";
inline constexpr const char* kSanMatcherDetail = "verify cert failed: SAN matcher";
inline constexpr const char* kEmptyChainDetail = "verify cert failed: empty cert chain";

}  // namespace crossmesh::proxy
