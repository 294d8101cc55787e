#include "harness/proxy/envoy_errors.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <cctype>
#include <cstring>
#include <utility>

namespace crossmesh::proxy {
namespace {

// BoringSSL packs (library << 24) | reason; the SSL library is 16.
constexpr uint32_t kBoringSslLibrary = 16u << 24;
constexpr int kAlertReasonOffset = 1000;  // SSL_AD_REASON_OFFSET in both libraries

struct ReasonName {
  int openssl_reason;
  const char* name;
  int boringssl_reason;
};

// The reasons a mesh hop produces. BoringSSL numbers from its public ssl.h.
constexpr std::array kReasons = {
    ReasonName{SSL_R_CERTIFICATE_VERIFY_FAILED, "CERTIFICATE_VERIFY_FAILED", 125},
    ReasonName{SSL_R_WRONG_VERSION_NUMBER, "WRONG_VERSION_NUMBER", 247},
    ReasonName{SSL_R_HTTP_REQUEST, "HTTP_REQUEST", 156},
    ReasonName{SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, "PEER_DID_NOT_RETURN_A_CERTIFICATE", 192},
    ReasonName{SSL_R_NO_SHARED_CIPHER, "NO_SHARED_CIPHER", 184},
    ReasonName{SSL_R_UNSUPPORTED_PROTOCOL, "UNSUPPORTED_PROTOCOL", 240},
    ReasonName{SSL_R_UNEXPECTED_MESSAGE, "UNEXPECTED_MESSAGE", 223},
    ReasonName{SSL_R_UNEXPECTED_RECORD, "UNEXPECTED_RECORD", 225},
    ReasonName{SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC, "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
               139},
};

// Alert numbers (RFC 8446 6) and the names BoringSSL gives the reason it reports for them.
constexpr std::array<std::pair<int, const char*>, 16> kAlerts = {{
    {0, "SSLV3_ALERT_CLOSE_NOTIFY"},
    {10, "SSLV3_ALERT_UNEXPECTED_MESSAGE"},
    {20, "SSLV3_ALERT_BAD_RECORD_MAC"},
    {40, "SSLV3_ALERT_HANDSHAKE_FAILURE"},
    {42, "SSLV3_ALERT_BAD_CERTIFICATE"},
    {43, "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE"},
    {44, "SSLV3_ALERT_CERTIFICATE_REVOKED"},
    {45, "SSLV3_ALERT_CERTIFICATE_EXPIRED"},
    {46, "SSLV3_ALERT_CERTIFICATE_UNKNOWN"},
    {47, "SSLV3_ALERT_ILLEGAL_PARAMETER"},
    {48, "TLSV1_ALERT_UNKNOWN_CA"},
    {50, "TLSV1_ALERT_DECODE_ERROR"},
    {51, "TLSV1_ALERT_DECRYPT_ERROR"},
    {70, "TLSV1_ALERT_PROTOCOL_VERSION"},
    {80, "TLSV1_ALERT_INTERNAL_ERROR"},
    {116, "TLSV1_ALERT_CERTIFICATE_REQUIRED"},
}};

// "wrong version number" -> "WRONG_VERSION_NUMBER".
std::string ConstantName(const char* text) {
  std::string name = text == nullptr ? "UNKNOWN" : text;
  for (char& c : name) {
    c = c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

std::string TlsCodeText(const TransportFailure& failure) {
  return fmt::format("{}:SSL routines:OPENSSL_internal:{}", failure.packed_code,
                     failure.tls_reason);
}

}  // namespace

BoringSslReason ToBoringSsl(int openssl_reason) {
  for (const ReasonName& reason : kReasons) {
    if (reason.openssl_reason == openssl_reason) {
      return {reason.name, kBoringSslLibrary + static_cast<uint32_t>(reason.boringssl_reason)};
    }
  }
  const uint32_t packed = kBoringSslLibrary + static_cast<uint32_t>(openssl_reason);
  if (openssl_reason >= kAlertReasonOffset) {
    for (const auto& [alert, name] : kAlerts) {
      if (alert == openssl_reason - kAlertReasonOffset) return {name, packed};
    }
  }
  return {ConstantName(ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, openssl_reason))), packed};
}

TransportFailure TlsFailure(FailureKind kind, int openssl_reason, std::string detail) {
  BoringSslReason reason = ToBoringSsl(openssl_reason);
  TransportFailure failure;
  failure.kind = kind;
  failure.tls_reason = std::move(reason.name);
  failure.packed_code = reason.packed_code;
  failure.detail = std::move(detail);
  return failure;
}

TransportFailure SecretMissingFailure() {
  TransportFailure failure;
  failure.kind = FailureKind::kSecretMissing;
  failure.message = kSecretNotSupplied;
  return failure;
}

TransportFailure ConnectFailure(int errno_value) {
  TransportFailure failure;
  failure.kind = FailureKind::kConnect;
  failure.message = fmt::format("delayed connect error: {}", errno_value);
  return failure;
}

std::string TransportFailureReason(const TransportFailure& failure, ErrorStyle style) {
  if (failure.kind == FailureKind::kSecretMissing) {
    return style == ErrorStyle::kClassic
               ? fmt::format("TLS error: {}", failure.message)
               : fmt::format("TLS_error:|{}:TLS_error_end", failure.message);
  }
  if (failure.tls_reason.empty()) return failure.message;
  if (style == ErrorStyle::kClassic) {
    std::string text = "TLS error: " + TlsCodeText(failure);
    if (!failure.detail.empty()) text += ":" + failure.detail;
    return text;
  }
  std::string text = "TLS_error:|" + TlsCodeText(failure);
  if (!failure.detail.empty()) text += ":" + failure.detail;
  return text + ":TLS_error_end";
}

std::string UpstreamFailureBody(const TransportFailure& failure, ErrorStyle style, bool retried) {
  const bool modern = style == ErrorStyle::kModern;
  std::string reset = failure.kind == FailureKind::kOverflow            ? "overflow"
                      : failure.kind == FailureKind::kRemoteReset       ? "remote reset"
                      : failure.kind == FailureKind::kProtocolError     ? "protocol error"
                      : failure.kind == FailureKind::kClosed && !modern ? "connection termination"
                      : modern ? "remote connection failure"
                               : "connection failure";
  std::string body = "upstream connect error or disconnect/reset before headers. ";
  body += modern && retried ? "retried and the latest reset reason: " : "reset reason: ";
  body += reset;
  std::string reason = TransportFailureReason(failure, style);
  if (!reason.empty()) body += ", transport failure reason: " + reason;
  return body;
}

std::string ChainFailureDetail(int depth, const std::string& verify_error_text) {
  return fmt::format(
      "verify cert failed: X509_verify_cert: certificate verification error at depth {}: {}", depth,
      verify_error_text);
}

}  // namespace crossmesh::proxy
