#include "emulator/acmpca/model/acm_issuance.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "emulator/acmpca/model/authorize.h"
#include "emulator/acmpca/model/ca_store.h"
#include "emulator/acmpca/model/rules.h"
#include "emulator/acmpca/model/signer.h"
#include "emulator/pki/csr.h"

namespace crossmesh::acmpca {
namespace {

Result<pki::SigningAlgorithm> SigningFor(const CaRecord& ca, std::string_view requested) {
  if (requested.empty()) return ca.signing_algorithm;
  auto signing = pki::ParseSigningAlgorithm(requested);
  if (!signing.ok()) return signing.status();
  CM_RETURN_IF_ERROR(pki::CheckSigningAlgorithmFitsKey(*signing, ca.key_algorithm));
  return signing;
}

// The actions of acm.amazonaws.com permissions on `ca` that apply to `requester_account` (a
// permission naming another SourceAccount does not).
Result<std::vector<std::string>> AcmActions(Store& store, const CaRecord& ca,
                                            std::string_view requester_account) {
  auto stmt = store.Prepare(
      "SELECT actions FROM acmpca_permissions WHERE account = ? AND region = ? AND ca_id = ?"
      " AND principal = ? AND (source_account = '' OR source_account = ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ca.account).Bind(2, ca.region).Bind(3, ca.id).Bind(4, kAcmPrincipal);
  stmt->Bind(5, requester_account);
  std::vector<std::string> actions;
  while (stmt->Step()) {
    const std::string joined = stmt->Text(0);
    std::string_view text = joined;
    while (!text.empty()) {
      size_t comma = text.find(',');
      actions.emplace_back(text.substr(0, comma));
      text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return actions;
}

Result<CaRecord> LoadByArn(Store& store, std::string_view ca_arn) {
  auto arn = ParseCaArn(ca_arn);
  if (!arn.ok()) return arn.status();
  return LoadCa(store, *arn);
}

}  // namespace

Result<IssuedForAcm> IssueForAcm(Store& store, const CallContext& ctx, std::string_view ca_arn,
                                 std::string_view csr_pem, TimePoint wanted_not_after,
                                 std::string_view signing_algorithm) {
  auto ca = FindCaFor(store, ctx, ca_arn, "IssueCertificate");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireState(*ca, "IssueCertificate", {CaStatus::kActive}));
  auto signing = SigningFor(*ca, signing_algorithm);
  if (!signing.ok()) return signing.status();
  auto csr = pki::Csr::FromPem(csr_pem);
  if (!csr.ok()) return csr.status();

  IssueAndStoreInput issue;
  issue.csr = &*csr;
  issue.options.certificate_template = pki::CertificateTemplate::kEndEntityV1;
  issue.options.signing_algorithm = *signing;
  issue.options.not_before = DefaultNotBefore(*ca, ctx.now);
  issue.options.not_after = WholeSeconds(std::min(wanted_not_after, *ca->not_after));
  issue.requester_account = ctx.account->id;
  auto issued = IssueAndStore(store, *ca, issue, ctx.now);
  if (!issued.ok()) return issued.status();

  return IssuedForAcm{std::move(issued->pem), IssuedChainPem(*ca),
                      std::move(issued->serial_colon_hex), issued->not_before, issued->not_after};
}

Status AcmMayRenew(Store& store, std::string_view ca_arn, std::string_view requester_account) {
  auto ca = LoadByArn(store, ca_arn);
  if (!ca.ok()) return ca.status();
  if (requester_account != ca->account) {
    // Cross-account renewal rests on the CA being shared (RAM) plus ACM's service-linked role,
    // which ACM checks on its side.
    CM_RETURN_IF_ERROR(Authorize(store, requester_account, "IssueCertificate", *ca));
    return Authorize(store, requester_account, "GetCertificate", *ca);
  }

  auto granted = AcmActions(store, *ca, requester_account);
  if (!granted.ok()) return granted.status();
  std::vector<std::string_view> missing;
  for (std::string_view needed : {"IssueCertificate", "GetCertificate", "ListPermissions"}) {
    if (std::find(granted->begin(), granted->end(), needed) == granted->end()) {
      missing.push_back(needed);
    }
  }
  if (missing.empty()) return Status::Ok();
  return Error(
      "AccessDeniedException",
      fmt::format("ACM cannot renew certificates from {}: the CA does not grant {} the "
                  "action(s) {}. Run aws acm-pca create-permission "
                  "--certificate-authority-arn {} --principal {} --actions "
                  "IssueCertificate GetCertificate ListPermissions",
                  ca->arn, kAcmPrincipal, fmt::join(missing, ", "), ca->arn, kAcmPrincipal));
}

Result<std::string> CaCertificatePem(Store& store, std::string_view ca_arn) {
  auto ca = LoadByArn(store, ca_arn);
  if (!ca.ok()) return ca.status();
  if (!ca->has_certificate() || ca->status == CaStatus::kDeleted) {
    return Error("InvalidStateException",
                 fmt::format("The certificate authority {} is in state {} and has no "
                             "certificate to trust",
                             ca->arn, StatusName(ca->status)));
  }
  return IssuedChainPem(*ca);
}

}  // namespace crossmesh::acmpca
