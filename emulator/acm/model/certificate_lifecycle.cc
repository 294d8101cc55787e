// The ACM timed events on the virtual clock: a requested private certificate is issued (or
// fails) kIssuanceDelay after the request, a public request times out after 72 hours, an
// eligible certificate is renewed from kRenewalWindow before NotAfter, and an ISSUED certificate
// expires at NotAfter. Each event changes its row so that it is no longer due; otherwise the
// emulator's event loop would spin on it.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "emulator/acm/model/certificate_issuance.h"
#include "emulator/acm/model/certificate_manager.h"
#include "emulator/acm/model/certificate_store.h"
#include "emulator/acmpca/model/acm_issuance.h"
#include "emulator/core/arn.h"
#include "emulator/core/ids.h"
#include "emulator/iam/model/iam_model.h"

namespace crossmesh::acm {

using internal::CertificateRecord;
using internal::IssueAttempt;

namespace {

bool DueBy(const std::optional<TimePoint>& due, TimePoint now) { return due && *due <= now; }

// The certificate's own account acts when ACM issues or renews on its behalf.
Result<CallContext> ContextFor(const AccountRegistry& accounts, const CertificateRecord& record,
                               TimePoint now) {
  const Account* account = accounts.FindById(record.account);
  if (account == nullptr) {
    return Error("InvalidStateException",
                 fmt::format("account {} of certificate {} is no longer configured", record.account,
                             record.arn));
  }
  return CallContext{account, record.region, NewUuid(), now};
}

// The account that owns the CA of `ca_arn`; "" if the ARN does not parse.
std::string CaAccountOf(std::string_view ca_arn) {
  auto arn = ParseArn(ca_arn);
  return arn.ok() ? arn->account : std::string();
}

// A managed renewal that failed is tried again a day later, while the certificate is valid.
std::optional<TimePoint> NextRetry(const CertificateRecord& record, TimePoint now) {
  TimePoint next = now + kRenewalRetry;
  if (!record.not_after || next >= *record.not_after) return std::nullopt;
  return next;
}

}  // namespace

Result<std::optional<TimePoint>> CertificateManager::NextDue() {
  return internal::EarliestDue(store_);
}

Status CertificateManager::RunDue(TimePoint now) {
  auto due = internal::DueCertificates(store_, now);
  if (!due.ok()) return due.status();
  for (const std::string& arn : *due) CM_RETURN_IF_ERROR(RunDueCertificate(arn, now));
  return Status::Ok();
}

Status CertificateManager::RunDueCertificate(const std::string& arn, TimePoint now) {
  auto loaded = internal::LoadCertificate(store_, arn);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return Status::Ok();
  CertificateRecord& record = **loaded;

  bool issued = record.status == status::kIssued;
  if (record.status == status::kPendingValidation && DueBy(record.action_due, now)) {
    return record.type == type::kPrivate ? CompleteIssuance(record, now)
                                         : TimeOutValidation(record, now);
  }
  // Expiry first: an expired certificate is never renewed, even if a renewal was also due.
  if (issued && DueBy(record.not_after, now)) return Expire(record, now);
  if (issued && DueBy(record.action_due, now)) return Renew(record, now);
  if (record.eligible_for_renewal() && DueBy(record.renewal_due, now)) return Renew(record, now);

  // Nothing applies (a stale schedule): clear it so the event does not come round again.
  record.action_due.reset();
  if (!issued) record.renewal_due.reset();
  return internal::UpdateCertificate(store_, record);
}

Status CertificateManager::CompleteIssuance(CertificateRecord& record, TimePoint now) {
  record.action_due.reset();
  IssueAttempt attempt{false, "OTHER", ""};
  auto ctx = ContextFor(accounts_, record, now);
  auto key = pki::PrivateKey::FromPem(record.private_key_pem);
  if (!ctx.ok() || !key.ok()) {
    attempt.detail = !ctx.ok() ? ctx.status().ToString() : key.status().ToString();
  } else {
    auto tried = internal::IssueForRecord(store_, *ctx, record, *key);
    if (!tried.ok()) return tried.status();
    attempt = *tried;
  }

  if (attempt.issued) {
    record.status = status::kIssued;
    record.issued_at = now;
    record.renewal_due = *record.not_after - kRenewalWindow;
    spdlog::info("certificate issued: {} serial {} until {}", record.arn, record.serial,
                 FormatIso8601(*record.not_after));
  } else {
    record.status = status::kFailed;
    record.failure_reason = attempt.failure_reason;
    spdlog::info("certificate issuance failed: {} {} ({})", record.arn, attempt.failure_reason,
                 attempt.detail);
  }
  CM_RETURN_IF_ERROR(internal::UpdateCertificate(store_, record));
  return internal::AppendChange(store_, record,
                                attempt.issued ? ChangeKind::kIssued : ChangeKind::kIssueFailed,
                                attempt.failure_reason, now);
}

// ACM renews as the service principal acm.amazonaws.com, which the CA must allow; a new key,
// serial and validity replace the old ones under the same ARN. On success `record` holds them.
// From another account's CA ACM acts through the certificate account's service-linked role
// (appmesh-tls-semantics.md 4.2), so that role is checked first: without it ACM cannot even ask.
Result<IssueAttempt> CertificateManager::AttemptRenewal(CertificateRecord& record, TimePoint now) {
  if (CaAccountOf(record.ca_arn) != record.account) {
    Status role = iam::RequireServiceLinkedRole(store_, record.account, iam::kAcmServicePrincipal);
    if (!role.ok() && role.code() != "NoSuchEntity") return role;
    if (!role.ok()) return IssueAttempt{false, "SLR_NOT_FOUND", role.ToString()};
  }
  Status allowed = acmpca::AcmMayRenew(store_, record.ca_arn, record.account);
  if (!allowed.ok()) {
    return IssueAttempt{false, internal::FailureReasonFor(allowed.code()), allowed.ToString()};
  }
  auto ctx = ContextFor(accounts_, record, now);
  if (!ctx.ok()) return IssueAttempt{false, "OTHER", ctx.status().ToString()};
  auto algorithm = pki::ParseKeyAlgorithm(record.key_algorithm);
  if (!algorithm.ok()) return IssueAttempt{false, "OTHER", algorithm.status().ToString()};

  auto key = keys_(*algorithm);
  if (!key.ok()) return key.status();
  CertificateRecord renewed = record;
  auto attempt = internal::IssueForRecord(store_, *ctx, renewed, *key);
  if (attempt.ok() && attempt->issued) record = std::move(renewed);
  return attempt;
}

Status CertificateManager::Renew(CertificateRecord& record, TimePoint now) {
  bool requested = DueBy(record.action_due, now);
  record.action_due.reset();
  auto tried = AttemptRenewal(record, now);
  if (!tried.ok()) return tried.status();
  const IssueAttempt& attempt = *tried;

  record.renewal_updated_at = now;
  if (attempt.issued) {
    record.issued_at = now;
    record.exported = false;  // eligibility needs a new export (or use) after each renewal
    record.renewal_status = "SUCCESS";
    record.renewal_reason.clear();
    record.renewal_due = *record.not_after - kRenewalWindow;
    spdlog::info("certificate renewed: {} serial {} until {}", record.arn, record.serial,
                 FormatIso8601(*record.not_after));
  } else {
    // ACM retries until expiry; a clock moved by months replays every retry, so only a new
    // failure is news for the user.
    bool again =
        record.renewal_status == "FAILED" && record.renewal_reason == attempt.failure_reason;
    record.renewal_status = "FAILED";
    record.renewal_reason = attempt.failure_reason;
    if (!requested) record.renewal_due = NextRetry(record, now);
    spdlog::log(again ? spdlog::level::debug : spdlog::level::info,
                "certificate renewal failed: {} {} ({})", record.arn, attempt.failure_reason,
                attempt.detail);
  }
  CM_RETURN_IF_ERROR(internal::UpdateCertificate(store_, record));
  return internal::AppendChange(store_, record,
                                attempt.issued ? ChangeKind::kRenewed : ChangeKind::kRenewalFailed,
                                attempt.failure_reason, now);
}

Status CertificateManager::Expire(CertificateRecord& record, TimePoint now) {
  record.status = status::kExpired;
  record.action_due.reset();
  record.renewal_due.reset();
  if (record.renewal_status == "PENDING_AUTO_RENEWAL") {
    record.renewal_status = "FAILED";
    record.renewal_updated_at = now;
  }
  spdlog::info("certificate expired: {} serial {}", record.arn, record.serial);
  CM_RETURN_IF_ERROR(internal::UpdateCertificate(store_, record));
  return internal::AppendChange(store_, record, ChangeKind::kExpired, "", now);
}

Status CertificateManager::TimeOutValidation(CertificateRecord& record, TimePoint now) {
  record.status = status::kValidationTimedOut;
  record.action_due.reset();
  spdlog::info("certificate validation timed out: {}", record.arn);
  CM_RETURN_IF_ERROR(internal::UpdateCertificate(store_, record));
  return internal::AppendChange(store_, record, ChangeKind::kValidationTimedOut, "", now);
}

}  // namespace crossmesh::acm
