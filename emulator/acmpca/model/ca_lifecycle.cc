// The CA's own lifecycle: create, describe, list, CSR, certificate import, state changes,
// deletion and restore.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "emulator/acmpca/model/acmpca_model.h"
#include "emulator/acmpca/model/authorize.h"
#include "emulator/acmpca/model/ca_store.h"
#include "emulator/acmpca/model/rules.h"
#include "emulator/acmpca/model/signer.h"
#include "emulator/core/ids.h"
#include "emulator/pki/chain.h"
#include "emulator/pki/csr.h"
#include "emulator/pki/errors.h"

namespace crossmesh::acmpca {
namespace {

// CreateCertificateAuthority idempotency tokens time out after five minutes (API reference).
constexpr std::chrono::minutes kCreateTokenWindow{5};
constexpr size_t kDefaultListPageSize = 100;
constexpr int64_t kDefaultRestoreDays = 30;

std::string SubjectKey(const pki::Subject& s) {
  std::string key = fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", s.country, s.organization, s.organizational_unit,
      s.distinguished_name_qualifier, s.state, s.common_name, s.serial_number, s.locality, s.title,
      s.surname, s.given_name, s.initials, s.pseudonym, s.generation_qualifier);
  for (const auto& attribute : s.custom_attributes) {
    key += fmt::format("|{}={}", attribute.object_identifier, attribute.value);
  }
  return key;
}

std::string RevocationKey(const std::optional<RevocationConfiguration>& revocation) {
  if (!revocation) return "-";
  std::string key;
  if (const auto& crl = revocation->crl) {
    key += fmt::format("crl:{}:{}:{}:{}:{}", crl->enabled, crl->expiration_in_days.value_or(0),
                       crl->custom_cname, crl->s3_bucket_name, crl->s3_object_acl);
  }
  if (const auto& ocsp = revocation->ocsp) {
    key += fmt::format("ocsp:{}:{}", ocsp->enabled, ocsp->ocsp_custom_cname);
  }
  return key;
}

// Identifies "the same input" for the idempotency window.
std::string CreateRequestHash(const CreateCaInput& input) {
  std::string key = fmt::format(
      "{}\n{}\n{}\n{}\n{}\n{}\n{}", pki::KeyAlgorithmName(input.configuration.key_algorithm),
      pki::SigningAlgorithmName(input.configuration.signing_algorithm),
      SubjectKey(input.configuration.subject), NameOf(kCaTypeNames, input.type),
      RevocationKey(input.revocation), input.key_storage_security_standard, input.usage_mode);
  for (const Tag& tag : input.tags) key += fmt::format("\n{}={}", tag.key, tag.value.value_or(""));
  return Sha256Hex(key);
}

Status CheckCreateInput(const CreateCaInput& input) {
  const CaConfiguration& config = input.configuration;
  CM_RETURN_IF_ERROR(
      pki::CheckSigningAlgorithmFitsKey(config.signing_algorithm, config.key_algorithm));
  if (config.subject.empty()) {
    return Error("InvalidArgsException",
                 "The CA's Subject is empty; give at least a CommonName (or another ASN1Subject "
                 "field) to name the CA");
  }
  if (input.revocation) CM_RETURN_IF_ERROR(CheckRevocationConfiguration(*input.revocation));
  return CheckTags(input.tags);
}

CaRecord NewCaRecord(const CallContext& ctx, const CreateCaInput& input, std::string csr_pem) {
  CaRecord ca;
  ca.account = ctx.account->id;
  ca.region = ctx.region;
  ca.id = NewUuid();
  ca.arn = MakeCaArn(ca.region, ca.account, ca.id);
  ca.type = input.type;
  ca.status = CaStatus::kPendingCertificate;
  ca.key_algorithm = input.configuration.key_algorithm;
  ca.signing_algorithm = input.configuration.signing_algorithm;
  ca.key_storage_security_standard = input.key_storage_security_standard.empty()
                                         ? "FIPS_140_2_LEVEL_3_OR_HIGHER"
                                         : input.key_storage_security_standard;
  ca.usage_mode = input.usage_mode.empty() ? "GENERAL_PURPOSE" : input.usage_mode;
  ca.csr_pem = std::move(csr_pem);
  ca.created_at = ctx.now;
  ca.last_state_change_at = ctx.now;
  ca.revocation = input.revocation;
  return ca;
}

Result<CaDescription> Describe(CaRecord ca) {
  auto csr = pki::Csr::FromPem(ca.csr_pem);
  if (!csr.ok()) return Error("InternalFailure", "the stored CSR of " + ca.arn + " is damaged");
  pki::Subject subject = csr->subject();
  return CaDescription{std::move(ca), std::move(subject)};
}

void SetStatus(CaRecord& ca, CaStatus status, TimePoint now) {
  if (ca.status == status) return;
  ca.status = status;
  ca.last_state_change_at = now;
}

// The import checks for a root: self-signed, a CA certificate, valid now, and no chain.
Status CheckRootImport(const pki::Certificate& certificate,
                       const std::vector<pki::Certificate>& chain, TimePoint now) {
  if (!chain.empty()) {
    return Error("InvalidRequestException",
                 "A ROOT CA's certificate is self-signed and takes no CertificateChain; import "
                 "the certificate alone");
  }
  if (!certificate.IsSelfSigned()) {
    return Error(pki::kCertificateMismatch,
                 "A ROOT CA needs a self-signed certificate, but this one is issued by " +
                     certificate.issuer_string() +
                     "; issue it from the CA's own CSR with RootCACertificate/V1");
  }
  if (!certificate.is_ca()) {
    return Error(pki::kCertificateMismatch,
                 "The certificate is not a CA certificate (no basicConstraints CA:TRUE); issue "
                 "it with RootCACertificate/V1");
  }
  return pki::VerifyCertificateChain(certificate, {}, {certificate}, now);
}

Status CheckImport(Store& store, const CaRecord& ca, const pki::Certificate& certificate,
                   const std::vector<pki::Certificate>& chain, TimePoint now) {
  auto signer = LoadSigner(store, ca);
  if (!signer.ok()) return signer.status();
  Status matches = pki::CheckCertificateMatchesKey(certificate, (*signer)->key);
  if (!matches.ok()) {
    return Error(matches.code(), matches.message() + "; import the certificate issued for " +
                                     ca.arn + "'s own CSR (get-certificate-authority-csr)");
  }
  if (ca.type == CaType::kRoot) return CheckRootImport(certificate, chain, now);
  return pki::VerifySubordinateCaChain(certificate, chain, now);
}

// After an import: PENDING_CERTIFICATE becomes ACTIVE; EXPIRED returns to what it was before
// expiring (ACTIVE or DISABLED); ACTIVE and DISABLED stay.
CaStatus StatusAfterImport(const CaRecord& ca) {
  if (ca.status == CaStatus::kExpired && ca.status_before == CaStatus::kDisabled) {
    return CaStatus::kDisabled;
  }
  if (ca.status == CaStatus::kDisabled) return CaStatus::kDisabled;
  return CaStatus::kActive;
}

}  // namespace

Result<std::string> CreateCertificateAuthority(Store& store, const CallContext& ctx,
                                               const CreateCaInput& input) {
  CM_RETURN_IF_ERROR(CheckCreateInput(input));
  std::string request_hash = CreateRequestHash(input);
  if (!input.idempotency_token.empty()) {
    auto existing =
        FindCaByIdempotencyToken(store, ctx.account->id, ctx.region, input.idempotency_token,
                                 request_hash, ctx.now - kCreateTokenWindow);
    if (!existing.ok() || !existing->empty()) return existing;
  }

  const CaConfiguration& config = input.configuration;
  auto key = pki::PrivateKey::Generate(config.key_algorithm);
  if (!key.ok()) return key.status();
  auto csr = pki::Csr::Create(*key, config.subject, config.signing_algorithm);
  if (!csr.ok()) return csr.status();
  auto csr_pem = csr->ToPem();
  auto key_pem = key->ToPem();
  if (!csr_pem.ok()) return csr_pem.status();
  if (!key_pem.ok()) return key_pem.status();

  CaRecord ca = NewCaRecord(ctx, input, std::move(*csr_pem));
  CM_RETURN_IF_ERROR(InsertCa(store, {&ca, *key_pem, input.idempotency_token, request_hash}));
  CM_RETURN_IF_ERROR(UpsertTags(store, ca, input.tags));
  spdlog::info("ca created arn={} type={} key={}", ca.arn, NameOf(kCaTypeNames, ca.type),
               pki::KeyAlgorithmName(ca.key_algorithm));
  return ca.arn;
}

Result<CaDescription> DescribeCertificateAuthority(Store& store, const CallContext& ctx,
                                                   std::string_view ca_arn) {
  auto ca = FindCaFor(store, ctx, ca_arn, "DescribeCertificateAuthority");
  if (!ca.ok()) return ca.status();
  return Describe(std::move(*ca));
}

Result<CaList> ListCertificateAuthorities(Store& store, const CallContext& ctx, ResourceOwner owner,
                                          const Page& page) {
  bool others = owner == ResourceOwner::kOtherAccounts;
  auto records = ListCaRecords(store, ctx.region, ctx.account->id, others);
  if (!records.ok()) return records.status();

  std::vector<CaRecord> visible;
  for (CaRecord& ca : *records) {
    if (!others || Authorize(store, ctx, "DescribeCertificateAuthority", ca).ok()) {
      visible.push_back(std::move(ca));
    }
  }

  const std::string listing =
      fmt::format("ListCertificateAuthorities\n{}\n{}", ctx.account->id, others);
  auto window = PageOf(visible.size(), page, kDefaultListPageSize, listing);
  if (!window.ok()) return window.status();
  CaList list;
  for (size_t i = window->begin; i < window->end; ++i) {
    auto description = Describe(std::move(visible[i]));
    if (!description.ok()) return description.status();
    list.authorities.push_back(std::move(*description));
  }
  list.next_token = window->next_token;
  return list;
}

Result<std::string> GetCertificateAuthorityCsr(Store& store, const CallContext& ctx,
                                               std::string_view ca_arn) {
  auto ca = FindCaFor(store, ctx, ca_arn, "GetCertificateAuthorityCsr");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireState(
      *ca, "GetCertificateAuthorityCsr",
      {CaStatus::kPendingCertificate, CaStatus::kActive, CaStatus::kDisabled, CaStatus::kExpired}));
  return ca->csr_pem;
}

Status ImportCertificateAuthorityCertificate(Store& store, const CallContext& ctx,
                                             std::string_view ca_arn,
                                             std::string_view certificate_pem,
                                             std::string_view chain_pem) {
  auto ca = FindCaFor(store, ctx, ca_arn, "ImportCertificateAuthorityCertificate");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireState(
      *ca, "ImportCertificateAuthorityCertificate",
      {CaStatus::kPendingCertificate, CaStatus::kActive, CaStatus::kDisabled, CaStatus::kExpired}));

  auto certificate = pki::Certificate::FromPem(certificate_pem);
  if (!certificate.ok()) return certificate.status();
  std::vector<pki::Certificate> chain;
  if (chain_pem.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    auto parsed = pki::ParseCertificatesPem(chain_pem);
    if (!parsed.ok()) return parsed.status();
    chain = std::move(*parsed);
  }
  CM_RETURN_IF_ERROR(CheckImport(store, *ca, *certificate, chain, ctx.now));

  auto pem = certificate->ToPem();
  auto chain_text =
      chain.empty() ? Result<std::string>(std::string()) : pki::CertificatesToPem(chain);
  if (!pem.ok()) return pem.status();
  if (!chain_text.ok()) return chain_text.status();
  ca->certificate_pem = std::move(*pem);
  ca->chain_pem = std::move(*chain_text);
  ca->serial = certificate->serial_colon_hex();
  ca->not_before = certificate->not_before();
  ca->not_after = certificate->not_after();
  SetStatus(*ca, StatusAfterImport(*ca), ctx.now);
  CM_RETURN_IF_ERROR(SaveCa(store, *ca));
  spdlog::info("ca certificate imported arn={} status={} not_after={}", ca->arn,
               StatusName(ca->status), FormatIso8601(*ca->not_after));
  return Status::Ok();
}

Result<CertificateAndChain> GetCertificateAuthorityCertificate(Store& store, const CallContext& ctx,
                                                               std::string_view ca_arn) {
  auto ca = FindCaFor(store, ctx, ca_arn, "GetCertificateAuthorityCertificate");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireState(
      *ca, "GetCertificateAuthorityCertificate",
      {CaStatus::kActive, CaStatus::kDisabled, CaStatus::kExpired},
      "A CA has a certificate once one is imported with import-certificate-authority-certificate"));
  return CertificateAndChain{ca->certificate_pem, ca->chain_pem};
}

Status UpdateCertificateAuthority(Store& store, const CallContext& ctx,
                                  const UpdateCaInput& input) {
  auto ca = FindCaFor(store, ctx, input.ca_arn, "UpdateCertificateAuthority");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireState(
      *ca, "UpdateCertificateAuthority",
      {CaStatus::kPendingCertificate, CaStatus::kActive, CaStatus::kDisabled, CaStatus::kExpired}));

  if (input.status) {
    if (*input.status != CaStatus::kActive && *input.status != CaStatus::kDisabled) {
      return Error("InvalidArgsException",
                   fmt::format("Status {} cannot be set; UpdateCertificateAuthority sets ACTIVE "
                               "or DISABLED",
                               StatusName(*input.status)));
    }
    CM_RETURN_IF_ERROR(RequireState(
        *ca, fmt::format("setting the status to {}", StatusName(*input.status)),
        {CaStatus::kActive, CaStatus::kDisabled},
        "A PENDING_CERTIFICATE or EXPIRED CA becomes usable by importing a certificate"));
    SetStatus(*ca, *input.status, ctx.now);
  }
  if (input.revocation) {
    CM_RETURN_IF_ERROR(CheckRevocationConfiguration(*input.revocation));
    ca->revocation = input.revocation;
  }
  CM_RETURN_IF_ERROR(SaveCa(store, *ca));
  spdlog::info("ca updated arn={} status={}", ca->arn, StatusName(ca->status));
  return Status::Ok();
}

Status DeleteCertificateAuthority(Store& store, const CallContext& ctx, std::string_view ca_arn,
                                  std::optional<int64_t> days) {
  auto ca = FindCaFor(store, ctx, ca_arn, "DeleteCertificateAuthority");
  if (!ca.ok()) return ca.status();
  int64_t window = days.value_or(kDefaultRestoreDays);
  if (window < 7 || window > 30) {
    return Error(
        "ValidationException",
        fmt::format("PermanentDeletionTimeInDays {} is out of range; give 7 to 30 days", window));
  }
  CM_RETURN_IF_ERROR(RequireState(
      *ca, "DeleteCertificateAuthority",
      {CaStatus::kPendingCertificate, CaStatus::kCreating, CaStatus::kDisabled, CaStatus::kExpired,
       CaStatus::kFailed},
      "Disable an ACTIVE CA first with update-certificate-authority --status DISABLED"));

  ca->status_before = ca->status;
  SetStatus(*ca, CaStatus::kDeleted, ctx.now);
  ca->restorable_until = ctx.now + std::chrono::days(window);
  CM_RETURN_IF_ERROR(SaveCa(store, *ca));
  spdlog::info("ca deleted arn={} restorable_until={}", ca->arn,
               FormatIso8601(*ca->restorable_until));
  return Status::Ok();
}

Status RestoreCertificateAuthority(Store& store, const CallContext& ctx, std::string_view ca_arn) {
  auto ca = FindCaFor(store, ctx, ca_arn, "RestoreCertificateAuthority");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireState(*ca, "RestoreCertificateAuthority", {CaStatus::kDeleted},
                                  "Only a deleted CA inside its restore window can be restored"));

  CaStatus restored = ca->status_before.value_or(CaStatus::kPendingCertificate);
  // A certificate that expired while the CA was deleted leaves it EXPIRED.
  bool expired = ca->not_after && *ca->not_after <= ctx.now;
  if (expired && (restored == CaStatus::kActive || restored == CaStatus::kDisabled)) {
    ca->status_before = restored;
    restored = CaStatus::kExpired;
  }
  SetStatus(*ca, restored, ctx.now);
  ca->restorable_until.reset();
  CM_RETURN_IF_ERROR(SaveCa(store, *ca));
  spdlog::info("ca restored arn={} status={}", ca->arn, StatusName(ca->status));
  return Status::Ok();
}

}  // namespace crossmesh::acmpca
