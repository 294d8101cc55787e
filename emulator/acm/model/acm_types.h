// The values the ACM model takes and returns: request inputs, the certificate as
// DescribeCertificate reports it, and the lifecycle constants ACM works by.
//
// Names follow the ACM API reference (CertificateDetail, RenewalSummary, ...). Strings carry the
// AWS enum spellings ("PENDING_VALIDATION", "RSA_2048"), so the api layer renders them unchanged.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/clock.h"

namespace crossmesh::acm {

// Lifecycle constants. ACM-requested private certificates are valid for 395 days and managed
// renewal starts 60 days before expiry (appmesh-tls-semantics.md 4.1, 4.2).
inline constexpr std::chrono::hours kValidity{24 * 395};
inline constexpr std::chrono::hours kRenewalWindow{24 * 60};
// A failed managed renewal is tried again after this long, until the certificate expires.
inline constexpr std::chrono::hours kRenewalRetry{24};
// Private issuance is asynchronous as in AWS; clients poll, so the window stays short.
inline constexpr std::chrono::milliseconds kIssuanceDelay{200};
// A public (AMAZON_ISSUED) request that is never validated times out after 72 hours.
inline constexpr std::chrono::hours kValidationTimeout{72};
// RequestCertificate calls with the same IdempotencyToken within an hour are one request.
inline constexpr std::chrono::hours kIdempotencyWindow{1};
// The default quota of domain names per ACM certificate.
inline constexpr size_t kMaxDomainNames = 10;
inline constexpr size_t kMaxTags = 50;

namespace status {
inline constexpr std::string_view kPendingValidation = "PENDING_VALIDATION";
inline constexpr std::string_view kIssued = "ISSUED";
inline constexpr std::string_view kExpired = "EXPIRED";
inline constexpr std::string_view kValidationTimedOut = "VALIDATION_TIMED_OUT";
inline constexpr std::string_view kFailed = "FAILED";
}  // namespace status

namespace type {
inline constexpr std::string_view kPrivate = "PRIVATE";
inline constexpr std::string_view kAmazonIssued = "AMAZON_ISSUED";
}  // namespace type

struct Tag {
  std::string key;
  std::optional<std::string> value;  // ACM tags may have no value
};

struct RequestCertificateInput {
  std::string domain_name;
  std::vector<std::string> subject_alternative_names;
  std::string certificate_authority_arn;  // empty: a public (AMAZON_ISSUED) request
  std::string idempotency_token;          // empty: none
  std::string key_algorithm;              // ACM enum name; empty means RSA_2048
  std::string validation_method;          // EMAIL | DNS | empty (public requests only)
  std::string transparency_logging;       // ENABLED | DISABLED | empty (ENABLED)
  std::vector<Tag> tags;
};

// One entry of DomainValidationOptions.
struct DomainValidation {
  std::string domain_name;
  std::string validation_domain;
  std::string validation_status;  // PENDING_VALIDATION | SUCCESS | FAILED
  std::string validation_method;  // empty for private certificates
  std::vector<std::string> validation_emails;
  std::string record_name;  // DNS validation only
  std::string record_value;
};

struct RenewalSummary {
  std::string renewal_status;  // PENDING_AUTO_RENEWAL | SUCCESS | FAILED
  std::string renewal_status_reason;
  TimePoint updated_at;
};

// An X.509 extendedKeyUsage purpose as ACM names it.
struct ExtendedKeyUsage {
  std::string name;  // TLS_WEB_SERVER_AUTHENTICATION, ...
  std::string oid;   // 1.3.6.1.5.5.7.3.1, ...
};

// What DescribeCertificate reports (and ListCertificates summarizes).
struct CertificateDetail {
  std::string certificate_arn;
  std::string domain_name;
  std::vector<std::string> subject_alternative_names;  // the domain name first
  std::vector<DomainValidation> domain_validation_options;
  std::string serial;  // colon-separated hex; empty until issued
  std::string subject;
  std::string issuer;
  TimePoint created_at;
  std::optional<TimePoint> issued_at;
  std::optional<TimePoint> not_before;
  std::optional<TimePoint> not_after;
  std::string status;
  std::string type;
  std::string key_algorithm;  // RSA_2048 | EC_prime256v1 | EC_secp384r1
  std::string signature_algorithm;
  std::vector<std::string> in_use_by;
  std::string failure_reason;
  std::optional<RenewalSummary> renewal_summary;
  std::vector<std::string> key_usages;  // DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, ...
  std::vector<ExtendedKeyUsage> extended_key_usages;
  std::string certificate_authority_arn;
  std::string renewal_eligibility;  // ELIGIBLE | INELIGIBLE
  std::string transparency_logging;
  bool exported = false;
};

struct ListCertificatesInput {
  std::vector<std::string> statuses;             // empty: every status
  std::vector<std::string> key_types;            // empty: RSA_1024 and RSA_2048, as ACM
  std::vector<std::string> key_usages;           // KeyUsageName values; empty: any
  std::vector<std::string> extended_key_usages;  // ExtendedKeyUsageName values; empty: any
  int max_items = 0;                             // 0: the default page size
  std::string next_token;
  std::string sort_by;     // CREATED_AT | empty
  std::string sort_order;  // ASCENDING | DESCENDING | empty
};

struct ListCertificatesOutput {
  std::vector<CertificateDetail> certificates;
  std::string next_token;  // empty on the last page
};

// GetCertificate's answer.
struct CertificatePems {
  std::string certificate;
  std::string certificate_chain;
};

// ExportCertificate's answer: the private key is passphrase-encrypted PKCS#8.
struct ExportedCertificate {
  std::string certificate;
  std::string certificate_chain;
  std::string private_key;
};

}  // namespace crossmesh::acm
