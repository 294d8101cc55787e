// Certificates a CA issues: IssueCertificate, GetCertificate, RevokeCertificate.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cctype>

#include "emulator/acmpca/model/acmpca_model.h"
#include "emulator/acmpca/model/authorize.h"
#include "emulator/acmpca/model/ca_store.h"
#include "emulator/acmpca/model/certificate_rows.h"
#include "emulator/acmpca/model/rules.h"
#include "emulator/acmpca/model/signer.h"
#include "emulator/acmpca/model/validity.h"
#include "emulator/core/ids.h"
#include "emulator/pki/certificate_template.h"

namespace crossmesh::acmpca {
namespace {

// IssueCertificate idempotency tokens time out after one minute (API reference).
constexpr std::chrono::minutes kIssueTokenWindow{1};
// SHORT_LIVED_CERTIFICATE CAs issue certificates valid for at most seven days.
constexpr std::chrono::hours kShortLivedMaximum{24 * 7};

std::string IssueRequestHash(const IssueInput& input) {
  std::string key =
      fmt::format("{}\n{}\n{}\n{}\n{}:{}", input.ca_arn, input.csr_pem,
                  pki::SigningAlgorithmName(input.signing_algorithm), input.template_arn,
                  NameOf(kValidityTypeNames, input.validity.type), input.validity.value);
  if (input.validity_not_before) {
    key += fmt::format("\n{}:{}", NameOf(kValidityTypeNames, input.validity_not_before->type),
                       input.validity_not_before->value);
  }
  return Sha256Hex(key);
}

Result<std::string> FindByToken(Store& store, const CaRecord& ca, std::string_view token,
                                std::string_view request_hash, TimePoint since) {
  auto stmt = store.Prepare(
      "SELECT id FROM acmpca_certificates WHERE account = ? AND region = ? AND ca_id = ?"
      " AND idempotency_token = ? AND request_hash = ? AND issued_ms >= ?"
      " ORDER BY issued_ms DESC LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ca.account).Bind(2, ca.region).Bind(3, ca.id).Bind(4, token);
  stmt->Bind(5, request_hash).Bind(6, ToMillis(since));
  if (stmt->Step()) return MakeCertificateArn(ca.arn, stmt->Text(0));
  CM_RETURN_IF_ERROR(stmt->status());
  return std::string();
}

// Who may issue what, by CA state: an ACTIVE CA issues; a PENDING_CERTIFICATE or EXPIRED root may
// only sign its own CSR with RootCACertificate/V1 (pki checks that the key is the CA's own).
Status CheckMayIssue(const CaRecord& ca, pki::CertificateTemplate kind) {
  const bool root_template = kind == pki::CertificateTemplate::kRootCaV1;
  if (root_template && ca.type == CaType::kSubordinate) {
    return Error("InvalidArgsException",
                 fmt::format("{} is a SUBORDINATE CA and cannot sign its own certificate with "
                             "RootCACertificate/V1; have its parent CA issue it with a "
                             "SubordinateCACertificate_PathLenN/V1 template",
                             ca.arn));
  }
  // A root signs its own certificate before it has one and after its certificate expired.
  if (root_template &&
      (ca.status == CaStatus::kPendingCertificate || ca.status == CaStatus::kExpired)) {
    return Status::Ok();
  }
  std::string hint;
  if (ca.status == CaStatus::kPendingCertificate) {
    hint =
        "Until its certificate is imported a root CA can only sign its own CSR with "
        "RootCACertificate/V1";
  } else if (ca.status == CaStatus::kDisabled) {
    hint = "Enable it with update-certificate-authority --status ACTIVE";
  } else if (ca.status == CaStatus::kExpired) {
    hint =
        "Its certificate has expired; import a new CA certificate (a root CA signs one for "
        "itself from its CSR with RootCACertificate/V1)";
  }
  return RequireState(ca, "IssueCertificate", {CaStatus::kActive}, hint);
}

struct Window {
  TimePoint not_before;
  TimePoint not_after;
};

// The validity window of a certificate `ca` issues, checked against the CA's own.
Result<Window> ResolveWindow(const CaRecord& ca, const IssueInput& input,
                             pki::CertificateTemplate kind, TimePoint now) {
  auto not_after = ResolveNotAfter(input.validity, now);
  if (!not_after.ok()) return not_after.status();
  TimePoint not_before = DefaultNotBefore(ca, now);
  if (input.validity_not_before) {
    auto explicit_start = ResolveNotBefore(*input.validity_not_before);
    if (!explicit_start.ok()) return explicit_start.status();
    not_before = *explicit_start;
  }

  if (*not_after <= now) {
    return Error("ValidationException",
                 fmt::format("The requested validity ends {}, which is not after the issuance "
                             "time {}; give a later end",
                             FormatIso8601(*not_after), FormatIso8601(now)));
  }
  if (kind != pki::CertificateTemplate::kRootCaV1 && ca.not_after && *not_after > *ca.not_after) {
    return Error("ValidationException",
                 fmt::format("The requested validity ends {}, after the certificate authority's "
                             "own certificate expires ({}); a certificate may not outlive its "
                             "CA. Choose an end no later than the CA's",
                             FormatIso8601(*not_after), FormatIso8601(*ca.not_after)));
  }
  if (ca.usage_mode == "SHORT_LIVED_CERTIFICATE" && *not_after - now > kShortLivedMaximum) {
    return Error("ValidationException",
                 "The CA's UsageMode is SHORT_LIVED_CERTIFICATE, which issues certificates valid "
                 "for at most 7 days; shorten the validity");
  }
  return Window{not_before, *not_after};
}

std::string NormalizeSerial(std::string_view serial) {
  std::string out;
  for (char c : serial) {
    if (c != ':') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

Result<std::string> IssueCertificate(Store& store, const CallContext& ctx,
                                     const IssueInput& input) {
  auto ca = FindCaFor(store, ctx, input.ca_arn, "IssueCertificate");
  if (!ca.ok()) return ca.status();
  auto kind = input.template_arn.empty()
                  ? Result<pki::CertificateTemplate>(pki::CertificateTemplate::kEndEntityV1)
                  : pki::ParseTemplateArn(input.template_arn);
  if (!kind.ok()) return kind.status();
  if (ctx.account->id != ca->account && pki::IsCaTemplate(*kind)) {
    return Error("AccessDeniedException",
                 fmt::format("Account {} is not authorized to perform acm-pca:IssueCertificate "
                             "with template {} on {}: a shared CA issues end-entity certificates "
                             "only (EndEntityCertificate/V1 and its variants); ask the CA's "
                             "owner, account {}, to issue CA certificates",
                             ctx.account->id, input.template_arn, ca->arn, ca->account));
  }

  std::string request_hash;
  if (!input.idempotency_token.empty()) {
    request_hash = IssueRequestHash(input);
    auto existing =
        FindByToken(store, *ca, input.idempotency_token, request_hash, ctx.now - kIssueTokenWindow);
    if (!existing.ok() || !existing->empty()) return existing;
  }

  CM_RETURN_IF_ERROR(CheckMayIssue(*ca, *kind));
  CM_RETURN_IF_ERROR(pki::CheckSigningAlgorithmFitsKey(input.signing_algorithm, ca->key_algorithm));
  auto csr = pki::Csr::FromPem(input.csr_pem);
  if (!csr.ok()) return csr.status();
  auto window = ResolveWindow(*ca, input, *kind, ctx.now);
  if (!window.ok()) return window.status();

  IssueAndStoreInput issue;
  issue.csr = &*csr;
  issue.options.certificate_template = *kind;
  issue.options.signing_algorithm = input.signing_algorithm;
  issue.options.not_before = window->not_before;
  issue.options.not_after = window->not_after;
  issue.requester_account = ctx.account->id;
  issue.idempotency_token = input.idempotency_token;
  issue.request_hash = request_hash;
  auto issued = IssueAndStore(store, *ca, issue, ctx.now);
  if (!issued.ok()) return issued.status();
  return issued->arn;
}

Result<CertificateAndChain> GetCertificate(Store& store, const CallContext& ctx,
                                           std::string_view ca_arn,
                                           std::string_view certificate_arn) {
  auto ca = FindCaFor(store, ctx, ca_arn, "GetCertificate");
  if (!ca.ok()) return ca.status();
  auto certificate = ParseCertificateArn(certificate_arn);
  if (!certificate.ok()) return certificate.status();
  if (certificate->ca.id != ca->id || certificate->ca.account != ca->account ||
      certificate->ca.region != ca->region) {
    return Error("ResourceNotFoundException",
                 fmt::format("Certificate {} was not issued by {}; pass the CA ARN the "
                             "certificate ARN starts with",
                             certificate_arn, ca->arn));
  }
  CM_RETURN_IF_ERROR(RequireState(
      *ca, "GetCertificate",
      {CaStatus::kPendingCertificate, CaStatus::kActive, CaStatus::kDisabled, CaStatus::kExpired}));

  auto row = FindCertificateRow(store, *ca, certificate->id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) {
    return Error("ResourceNotFoundException",
                 fmt::format("Could not find certificate {}", certificate_arn));
  }
  auto stmt = store.Prepare(
      "SELECT certificate_pem, template, requester_account FROM acmpca_certificates"
      " WHERE row = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, **row);
  if (!stmt->Step()) {
    CM_RETURN_IF_ERROR(stmt->status());
    return Error("InternalFailure", "the row of " + std::string(certificate_arn) + " vanished");
  }
  // Through a share an account reads back what it issued, never the owner's or a third
  // account's certificates (issue 4: "GetCertificate for certificates it issued").
  if (ctx.account->id != ca->account && stmt->Text(2) != ctx.account->id) {
    return Error("AccessDeniedException",
                 fmt::format("Account {} is not authorized to perform acm-pca:GetCertificate on "
                             "{}: it was issued for account {}, and a shared CA gives each account "
                             "only the certificates it issued itself; ask account {} for it",
                             ctx.account->id, certificate_arn, stmt->Text(2), stmt->Text(2)));
  }
  // A self-signed root certificate has no chain above it.
  bool self_signed = stmt->Text(1) == pki::TemplateName(pki::CertificateTemplate::kRootCaV1);
  return CertificateAndChain{stmt->Text(0), self_signed ? std::string() : IssuedChainPem(*ca)};
}

Status RevokeCertificate(Store& store, const CallContext& ctx, std::string_view ca_arn,
                         std::string_view serial, RevocationReason reason) {
  auto ca = FindCaFor(store, ctx, ca_arn, "RevokeCertificate");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(
      RequireState(*ca, "RevokeCertificate", {CaStatus::kActive, CaStatus::kDisabled}));
  std::string id = NormalizeSerial(serial);
  if (id.empty() || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Error("InvalidRequestException",
                 fmt::format("CertificateSerial '{}' is not a hexadecimal serial; give it as "
                             "get-certificate's serial, e.g. 4a:3f:...",
                             serial));
  }

  auto row = FindCertificateRow(store, *ca, id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) {
    return Error("ResourceNotFoundException",
                 fmt::format("{} has not issued a certificate with serial {}", ca->arn, serial));
  }
  auto stmt = store.Prepare("SELECT revoked_ms FROM acmpca_certificates WHERE row = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, **row);
  if (!stmt->Step()) {
    CM_RETURN_IF_ERROR(stmt->status());
    return Error("InternalFailure", fmt::format("the row of serial {} vanished", serial));
  }
  if (!stmt->IsNull(0)) {
    return Error("RequestAlreadyProcessedException",
                 fmt::format("The certificate with serial {} is already revoked", serial));
  }

  auto update = store.Prepare(
      "UPDATE acmpca_certificates SET revoked_ms = ?, revocation_reason = ? WHERE row = ?");
  if (!update.ok()) return update.status();
  update->Bind(1, ToMillis(ctx.now)).Bind(2, NameOf(kRevocationReasonNames, reason));
  update->Bind(3, **row);
  CM_RETURN_IF_ERROR(update->Run());
  spdlog::info("certificate revoked ca={} serial={} reason={}", ca->arn, serial,
               NameOf(kRevocationReasonNames, reason));
  return Status::Ok();
}

}  // namespace crossmesh::acmpca
