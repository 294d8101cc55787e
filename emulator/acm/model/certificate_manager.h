// The ACM model: private certificates requested from ACM and signed by an ACM Private CA, their
// export, renewal (on request and managed, on the virtual clock), expiry, deletion and tags.
//
// Contract, as AWS ACM behaves (see emulator/acm/COVERAGE.md for what differs):
//  - RequestCertificate with a CertificateAuthorityArn answers at once with the ARN
//    arn:aws:acm:REGION:ACCOUNT:certificate/UUID in PENDING_VALIDATION. The key is generated in
//    the requesting account (from a pool of pre-generated keys, each used once). Issuance is a
//    timed event kIssuanceDelay later: the CA signs through acmpca::IssueForAcm and the
//    certificate becomes ISSUED, or FAILED with a PCA_* FailureReason.
//  - Without a CertificateAuthorityArn the request is for a public (AMAZON_ISSUED) certificate;
//    offline it can never be validated, so it stays PENDING_VALIDATION and becomes
//    VALIDATION_TIMED_OUT after 72 hours, as an unvalidated AWS request does.
//  - From kRenewalWindow before NotAfter, an ELIGIBLE certificate (exported since issuance or
//    the last renewal, or in use) is renewed under the same ARN with a new key, serial and
//    validity, when the CA allows ACM to (acmpca::AcmMayRenew) and issues. A failed attempt is
//    recorded in RenewalSummary and retried daily until NotAfter; then the certificate EXPIRES.
//    Expired certificates are never renewed.
//  - A certificate belongs to the account that requested it. Another account naming its ARN
//    gets AccessDeniedException: ACM has no resource-based policies, so IAM never lets another
//    account in.
//
// Every function runs inside the caller's transaction and never begins or commits one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/acm/model/acm_types.h"
#include "emulator/core/accounts.h"
#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/pki/keys.h"
#include "emulator/store/store.h"

namespace crossmesh::acm {

namespace internal {
struct CertificateRecord;
struct IssueAttempt;
}  // namespace internal

class CertificateManager {
 public:
  // A fresh private key of the given algorithm, never handed out before (SharedKeyPool().Take).
  using KeySource = std::function<Result<pki::PrivateKey>(pki::KeyAlgorithm)>;

  // `accounts` resolves certificate owners when timed events act without a caller. `store` and
  // `accounts` must outlive the manager.
  CertificateManager(Store& store, const AccountRegistry& accounts, KeySource keys)
      : store_(store), accounts_(accounts), keys_(std::move(keys)) {}

  // Creates or upgrades ACM's tables. Call once, outside any transaction.
  static Status Migrate(Store& store);

  Result<std::string> RequestCertificate(const CallContext& ctx,
                                         const RequestCertificateInput& input);
  Result<CertificateDetail> DescribeCertificate(const CallContext& ctx, std::string_view arn);
  Result<ListCertificatesOutput> ListCertificates(const CallContext& ctx,
                                                  const ListCertificatesInput& input);
  Result<CertificatePems> GetCertificate(const CallContext& ctx, std::string_view arn);
  // `passphrase` is the decoded passphrase. Marks the certificate exported (renewal-eligible).
  Result<ExportedCertificate> ExportCertificate(const CallContext& ctx, std::string_view arn,
                                                std::string_view passphrase);
  // Asks for a renewal now; it completes kIssuanceDelay later, as issuance does.
  Status RenewCertificate(const CallContext& ctx, std::string_view arn);
  Status DeleteCertificate(const CallContext& ctx, std::string_view arn);
  Status AddTagsToCertificate(const CallContext& ctx, std::string_view arn,
                              const std::vector<Tag>& tags);
  // A tag with a value is removed only when the stored value matches; without one, by key.
  Status RemoveTagsFromCertificate(const CallContext& ctx, std::string_view arn,
                                   const std::vector<Tag>& tags);
  Result<std::vector<Tag>> ListTagsForCertificate(const CallContext& ctx, std::string_view arn);

  // Timed events (issuance, validation timeout, renewal, expiry): the earliest pending one, and
  // running every one due at or before `now`. Failures of one certificate are recorded on it;
  // only store errors fail the call.
  Result<std::optional<TimePoint>> NextDue();
  Status RunDue(TimePoint now);

 private:
  // The caller's own certificate: InvalidArnException, AccessDeniedException (another
  // account's ARN) or ResourceNotFoundException otherwise. `action` names the IAM action.
  Result<internal::CertificateRecord> LoadOwned(const CallContext& ctx, std::string_view arn,
                                                std::string_view action);
  Result<CertificateDetail> Detail(const internal::CertificateRecord& record);

  // Timed events, one certificate each.
  Status RunDueCertificate(const std::string& arn, TimePoint now);
  Status CompleteIssuance(internal::CertificateRecord& record, TimePoint now);
  Status Renew(internal::CertificateRecord& record, TimePoint now);
  Result<internal::IssueAttempt> AttemptRenewal(internal::CertificateRecord& record, TimePoint now);
  Status Expire(internal::CertificateRecord& record, TimePoint now);
  Status TimeOutValidation(internal::CertificateRecord& record, TimePoint now);

  Store& store_;
  const AccountRegistry& accounts_;
  KeySource keys_;
};

}  // namespace crossmesh::acm
