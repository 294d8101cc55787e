#include "emulator/acm/model/certificate_usage.h"

#include <fmt/format.h>

#include "emulator/acm/model/certificate_store.h"

namespace crossmesh::acm {
namespace {

Status NotFound(std::string_view arn) {
  return Error("ResourceNotFoundException",
               fmt::format("Certificate with ARN {} does not exist", arn));
}

Status RequireCertificate(Store& store, std::string_view arn) {
  auto record = internal::LoadCertificate(store, arn);
  if (!record.ok()) return record.status();
  return record->has_value() ? Status::Ok() : NotFound(arn);
}

ChangeKind ParseChangeKind(std::string_view name) {
  for (ChangeKind kind : {ChangeKind::kIssued, ChangeKind::kIssueFailed,
                          ChangeKind::kValidationTimedOut, ChangeKind::kRenewed,
                          ChangeKind::kRenewalFailed, ChangeKind::kExpired, ChangeKind::kDeleted}) {
    if (ChangeKindName(kind) == name) return kind;
  }
  return ChangeKind::kIssued;  // unreachable: only ChangeKindName values are written
}

}  // namespace

std::string_view ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kIssued:
      return "ISSUED";
    case ChangeKind::kIssueFailed:
      return "ISSUE_FAILED";
    case ChangeKind::kValidationTimedOut:
      return "VALIDATION_TIMED_OUT";
    case ChangeKind::kRenewed:
      return "RENEWED";
    case ChangeKind::kRenewalFailed:
      return "RENEWAL_FAILED";
    case ChangeKind::kExpired:
      return "EXPIRED";
    case ChangeKind::kDeleted:
      return "DELETED";
  }
  return "UNKNOWN";
}

Status AddCertificateUser(Store& store, std::string_view certificate_arn,
                          std::string_view user_arn) {
  CM_RETURN_IF_ERROR(RequireCertificate(store, certificate_arn));
  auto stmt = store.Prepare(
      "INSERT INTO acm_certificate_users (certificate_arn, user_arn) VALUES (?, ?)"
      " ON CONFLICT DO NOTHING");
  if (!stmt.ok()) return stmt.status();
  CM_RETURN_IF_ERROR(stmt->Bind(1, certificate_arn).Bind(2, user_arn).Run());
  return internal::RefreshEligibility(store, certificate_arn);
}

Status RemoveCertificateUser(Store& store, std::string_view certificate_arn,
                             std::string_view user_arn) {
  CM_RETURN_IF_ERROR(RequireCertificate(store, certificate_arn));
  auto stmt =
      store.Prepare("DELETE FROM acm_certificate_users WHERE certificate_arn = ? AND user_arn = ?");
  if (!stmt.ok()) return stmt.status();
  CM_RETURN_IF_ERROR(stmt->Bind(1, certificate_arn).Bind(2, user_arn).Run());
  return internal::RefreshEligibility(store, certificate_arn);
}

Result<std::vector<std::string>> CertificateUsers(Store& store, std::string_view certificate_arn) {
  auto stmt = store.Prepare(
      "SELECT user_arn FROM acm_certificate_users WHERE certificate_arn = ? ORDER BY user_arn");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, certificate_arn);
  std::vector<std::string> users;
  while (stmt->Step()) users.push_back(stmt->Text(0));
  CM_RETURN_IF_ERROR(stmt->status());
  return users;
}

Result<CertificateMaterial> GetCertificateMaterial(Store& store, std::string_view certificate_arn) {
  auto loaded = internal::LoadCertificate(store, certificate_arn);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return NotFound(certificate_arn);
  const internal::CertificateRecord& r = **loaded;
  if (r.status == status::kPendingValidation) {
    return Error("RequestInProgressException",
                 fmt::format("Certificate {} is still being issued", certificate_arn));
  }
  if (r.certificate_pem.empty()) {
    return Error("InvalidStateException",
                 fmt::format("Certificate {} has status {} and holds no certificate",
                             certificate_arn, r.status));
  }
  return CertificateMaterial{r.arn,
                             r.account,
                             r.region,
                             r.status,
                             r.serial,
                             r.certificate_pem,
                             r.chain_pem,
                             r.private_key_pem,
                             r.not_before.value_or(TimePoint{}),
                             r.not_after.value_or(TimePoint{})};
}

Result<std::vector<CertificateChange>> CertificateChangesSince(Store& store, int64_t after_sequence,
                                                               size_t limit) {
  auto stmt = store.Prepare(
      "SELECT sequence, certificate_arn, account, kind, serial, reason, at_ms"
      " FROM acm_certificate_changes WHERE sequence > ? ORDER BY sequence LIMIT ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, after_sequence).Bind(2, static_cast<int64_t>(limit));
  std::vector<CertificateChange> changes;
  while (stmt->Step()) {
    changes.push_back({stmt->Int(0), stmt->Text(1), stmt->Text(2), ParseChangeKind(stmt->Text(3)),
                       stmt->Text(4), stmt->Text(5), internal::FromMillis(stmt->Int(6))});
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return changes;
}

}  // namespace crossmesh::acm
