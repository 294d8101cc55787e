#include "emulator/acm/model/certificate_issuance.h"

#include <spdlog/spdlog.h>

#include <map>

#include "emulator/acmpca/model/acm_issuance.h"
#include "emulator/pki/certificate.h"
#include "emulator/pki/csr.h"

namespace crossmesh::acm::internal {
namespace {

// ACM asks the CA for a signature of the certificate key's own family, so a CA whose key is of
// the other family refuses with InvalidArgsException: "the signing algorithm family (RSA or
// ECDSA) must match the algorithm family of the CA's secret key" (RequestCertificate,
// KeyAlgorithm).
pki::SigningAlgorithm SigningFor(pki::KeyAlgorithm key) {
  switch (key) {
    case pki::KeyAlgorithm::kEcPrime256v1:
      return pki::SigningAlgorithm::kSha256WithEcdsa;
    case pki::KeyAlgorithm::kEcSecp384r1:
    case pki::KeyAlgorithm::kEcSecp521r1:
      return pki::SigningAlgorithm::kSha384WithEcdsa;
    default:
      return pki::SigningAlgorithm::kSha256WithRsa;
  }
}

std::string KeyUsageName(const std::string& rfc5280_name) {
  static const std::map<std::string, std::string> kNames = {
      {"digitalSignature", "DIGITAL_SIGNATURE"},
      {"nonRepudiation", "NON_REPUDIATION"},
      {"keyEncipherment", "KEY_ENCIPHERMENT"},
      {"dataEncipherment", "DATA_ENCIPHERMENT"},
      {"keyAgreement", "KEY_AGREEMENT"},
      {"keyCertSign", "CERTIFICATE_SIGNING"},
      {"cRLSign", "CRL_SIGNING"},
      {"encipherOnly", "ENCIPHER_ONLY"},
      {"decipherOnly", "DECIPHER_ONLY"},
  };
  auto found = kNames.find(rfc5280_name);
  return found == kNames.end() ? "CUSTOM" : found->second;
}

std::string ExtendedKeyUsageName(const std::string& openssl_short_name) {
  static const std::map<std::string, std::string> kNames = {
      {"serverAuth", "TLS_WEB_SERVER_AUTHENTICATION"},
      {"clientAuth", "TLS_WEB_CLIENT_AUTHENTICATION"},
      {"codeSigning", "CODE_SIGNING"},
      {"emailProtection", "EMAIL_PROTECTION"},
      {"timeStamping", "TIME_STAMPING"},
      {"OCSPSigning", "OCSP_SIGNING"},
      {"ipsecEndSystem", "IPSEC_END_SYSTEM"},
      {"ipsecTunnel", "IPSEC_TUNNEL"},
      {"ipsecUser", "IPSEC_USER"},
      {"anyExtendedKeyUsage", "ANY"},
  };
  auto found = kNames.find(openssl_short_name);
  return found == kNames.end() ? "CUSTOM" : found->second;
}

// ACM's Issuer is a display name (AWS shows "Amazon" for its own CA): the issuer's common name,
// else its organization, else the whole distinguished name.
std::string IssuerDisplayName(const pki::Certificate& certificate) {
  pki::Subject issuer = certificate.issuer();
  if (!issuer.common_name.empty()) return issuer.common_name;
  if (!issuer.organization.empty()) return issuer.organization;
  return certificate.issuer_string();
}

Status FillFromCertificate(CertificateRecord& record, const std::string& certificate_pem) {
  auto certificate = pki::Certificate::FromPem(certificate_pem);
  if (!certificate.ok()) return certificate.status();
  auto signing = certificate->signing_algorithm();
  record.serial = certificate->serial_colon_hex();
  record.subject = certificate->subject_string();
  record.issuer = IssuerDisplayName(*certificate);
  record.signature_algorithm = signing.ok() ? std::string(pki::SigningAlgorithmName(*signing))
                                            : certificate->signature_algorithm_name();
  record.not_before = certificate->not_before();
  record.not_after = certificate->not_after();
  record.key_usages.clear();
  if (auto usage = certificate->key_usage()) {
    for (const auto& name : usage->usages) record.key_usages.push_back(KeyUsageName(name));
  }
  record.extended_key_usages.clear();
  for (const auto& name : certificate->extended_key_usages()) {
    record.extended_key_usages.push_back(ExtendedKeyUsageName(name));
  }
  return Status::Ok();
}

Result<std::string> CsrPem(const CertificateRecord& record, const pki::PrivateKey& key) {
  pki::Subject subject;
  subject.common_name = record.domain_name;
  auto csr = pki::Csr::Create(key, subject, SigningFor(key.algorithm()), record.names);
  if (!csr.ok()) return csr.status();
  return csr->ToPem();
}

// Asks the CA inside a savepoint, so that a refusal leaves nothing of the attempt behind in the
// caller's transaction (which still commits the FAILED status). The CA caps an ACM certificate at
// its own NotAfter; ACM instead refuses one that would outlive the CA (PCA_INVALID_DURATION,
// ACM User Guide, "Handling exceptions"), so a capped certificate is rolled back too.
Result<IssueAttempt> IssueInSavepoint(Store& store, const CallContext& ctx, std::string_view ca_arn,
                                      std::string_view csr_pem, TimePoint not_after,
                                      pki::SigningAlgorithm signing,
                                      acmpca::IssuedForAcm* issued_out) {
  CM_RETURN_IF_ERROR(store.Exec("SAVEPOINT acm_issue"));
  auto issued = acmpca::IssueForAcm(store, ctx, ca_arn, csr_pem, not_after,
                                    pki::SigningAlgorithmName(signing));
  IssueAttempt attempt{true, "", ""};
  if (!issued.ok()) {
    attempt = {false, FailureReasonFor(issued.status().code()), issued.status().ToString()};
  } else if (issued->not_after + std::chrono::seconds(1) < not_after) {
    attempt = {false, "PCA_INVALID_DURATION",
               "the CA's certificate expires before the 395 days an ACM certificate lasts"};
  }
  if (!attempt.issued) CM_RETURN_IF_ERROR(store.Exec("ROLLBACK TO acm_issue"));
  CM_RETURN_IF_ERROR(store.Exec("RELEASE acm_issue"));
  // The store failing under the CA is the emulator's fault, not a refusal to record.
  if (!issued.ok() && issued.status().code() == "InternalFailure") return issued.status();
  if (attempt.issued) *issued_out = std::move(*issued);
  return attempt;
}

}  // namespace

std::string FailureReasonFor(std::string_view pca_error_code) {
  static const std::map<std::string, std::string, std::less<>> kReasons = {
      {"AccessDeniedException", "PCA_ACCESS_DENIED"},
      {"InvalidStateException", "PCA_INVALID_STATE"},
      {"ResourceNotFoundException", "PCA_RESOURCE_NOT_FOUND"},
      {"InvalidArgsException", "PCA_INVALID_ARGS"},
      {"InvalidArnException", "PCA_INVALID_ARN"},
      {"LimitExceededException", "PCA_LIMIT_EXCEEDED"},
      {"RequestFailedException", "PCA_REQUEST_FAILED"},
      {"MalformedCSRException", "PCA_INVALID_ARGS"},
  };
  auto found = kReasons.find(pca_error_code);
  return found == kReasons.end() ? "OTHER" : found->second;
}

Result<IssueAttempt> IssueForRecord(Store& store, const CallContext& ctx, CertificateRecord& record,
                                    const pki::PrivateKey& key) {
  auto csr_pem = CsrPem(record, key);
  if (!csr_pem.ok()) return IssueAttempt{false, "OTHER", csr_pem.status().ToString()};

  acmpca::IssuedForAcm issued;
  auto attempt = IssueInSavepoint(store, ctx, record.ca_arn, *csr_pem, ctx.now + kValidity,
                                  SigningFor(key.algorithm()), &issued);
  if (!attempt.ok() || !attempt->issued) return attempt;

  auto key_pem = key.ToPem();
  if (!key_pem.ok()) return key_pem.status();
  CM_RETURN_IF_ERROR(FillFromCertificate(record, issued.certificate_pem));
  record.certificate_pem = std::move(issued.certificate_pem);
  record.chain_pem = std::move(issued.chain_pem);
  record.private_key_pem = std::move(*key_pem);
  return attempt;
}

}  // namespace crossmesh::acm::internal
