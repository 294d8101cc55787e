// The ACM model's tables and the row-level reads and writes on them. Internal to the model:
// rules live in certificate_manager.cc and certificate_lifecycle.cc, not here.
//
// Tables (every row keyed by account and region through the certificate ARN):
//   acm_certificates        one row per ARN; the current certificate, key and schedule
//   acm_certificate_users   InUseBy
//   acm_tags                tags
//   acm_idempotency_tokens  RequestCertificate tokens, one hour each
//   acm_certificate_changes the change log read by CertificateChangesSince
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/acm/model/acm_types.h"
#include "emulator/acm/model/certificate_usage.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::acm::internal {

Status MigrateSchema(Store& store);

// One row of acm_certificates.
struct CertificateRecord {
  std::string arn;
  std::string account;
  std::string region;
  std::string type;
  std::string status;
  std::string failure_reason;
  std::string domain_name;
  std::vector<std::string> names;  // every domain name, DomainName first
  std::string key_algorithm;       // ACM enum name
  std::string ca_arn;
  std::string validation_method;
  std::string transparency_logging;
  TimePoint created_at;
  std::optional<TimePoint> issued_at;
  std::string private_key_pem;  // unencrypted PKCS#8; empty for public requests
  std::string certificate_pem;
  std::string chain_pem;
  std::string serial;
  std::string subject;
  std::string issuer;
  std::string signature_algorithm;
  std::optional<TimePoint> not_before;
  std::optional<TimePoint> not_after;
  std::vector<std::string> key_usages;           // ACM KeyUsageName values
  std::vector<std::string> extended_key_usages;  // ACM ExtendedKeyUsageName values
  bool exported = false;                         // since issuance or the last renewal
  bool in_use = false;                           // derived on load from acm_certificate_users
  // Issuance, validation timeout or a requested (RenewCertificate) renewal falls due.
  std::optional<TimePoint> action_due;
  // The next managed renewal attempt (only acted on while eligible).
  std::optional<TimePoint> renewal_due;
  std::string renewal_status;
  std::string renewal_reason;
  std::optional<TimePoint> renewal_updated_at;

  bool eligible_for_renewal() const;
};

Result<std::optional<CertificateRecord>> LoadCertificate(Store& store, std::string_view arn);
// Every certificate of `account` in `region`, oldest first.
Result<std::vector<CertificateRecord>> LoadCertificates(Store& store, std::string_view account,
                                                        std::string_view region);
Status InsertCertificate(Store& store, const CertificateRecord& record);
// Writes every column of `record` back (the row must exist); refreshes the eligible flag.
Status UpdateCertificate(Store& store, const CertificateRecord& record);
Status DeleteCertificateRow(Store& store, std::string_view arn);
// Recomputes the stored renewal-eligibility flag after exports or InUseBy changes.
Status RefreshEligibility(Store& store, std::string_view arn);

// Schedule queries for the timed events: the earliest due time, and every ARN due by `now`.
Result<std::optional<TimePoint>> EarliestDue(Store& store);
Result<std::vector<std::string>> DueCertificates(Store& store, TimePoint now);

Result<std::vector<Tag>> LoadTags(Store& store, std::string_view arn);
Status PutTag(Store& store, std::string_view arn, const Tag& tag);
Status DeleteTag(Store& store, std::string_view arn, std::string_view key);

// The ARN a token named within the idempotency window, if it still exists.
Result<std::optional<std::string>> FindIdempotentRequest(Store& store, std::string_view account,
                                                         std::string_view region,
                                                         std::string_view token, TimePoint now);
Status RememberIdempotentRequest(Store& store, std::string_view account, std::string_view region,
                                 std::string_view token, std::string_view arn, TimePoint now);

Status AppendChange(Store& store, const CertificateRecord& record, ChangeKind kind,
                    std::string_view reason, TimePoint at);

// Milliseconds since the epoch: the stored form of every time.
int64_t ToMillis(TimePoint time);
TimePoint FromMillis(int64_t millis);

}  // namespace crossmesh::acm::internal
