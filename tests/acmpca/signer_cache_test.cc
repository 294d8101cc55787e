// The per-CA signing material the model caches (parsed key and certificate, authority key id,
// signing contexts) must follow the CA: a re-imported certificate is what later certificates
// name as issuer, and a deleted then restored CA signs as before.
#include <openssl/x509v3.h>
#include <catch2/catch.hpp>

#include "emulator/pki/issuer.h"
#include "emulator/pki/openssl_handles.h"
#include "tests/acmpca/pca_test_util.h"

namespace crossmesh::testing {
namespace {

using nlohmann::json;

// A root CA held by the test, so that it can sign the emulator's subordinate CSR twice with
// different subjectKeyIdentifiers.
struct ExternalRoot {
  pki::PrivateKey key;
  pki::Certificate certificate;
};

ExternalRoot MakeExternalRoot(TimePoint now) {
  auto key = pki::PrivateKey::Generate(pki::KeyAlgorithm::kEcPrime256v1);
  REQUIRE(key.ok());
  pki::Subject subject;
  subject.common_name = "external root";
  pki::IssueOptions options{
      pki::CertificateTemplate::kRootCaV1,
      pki::SigningAlgorithm::kSha256WithEcdsa,
      std::chrono::time_point_cast<std::chrono::seconds>(now),
      std::chrono::time_point_cast<std::chrono::seconds>(now) + std::chrono::days(3650),
      std::nullopt,
      {}};
  auto certificate = pki::IssueForPublicKey(key->public_key(), subject, {&*key, nullptr}, options);
  REQUIRE(certificate.ok());
  return {std::move(*key), std::move(*certificate)};
}

// The subordinate's certificate signed by `root`; a non-empty `key_id` replaces the
// subjectKeyIdentifier the template computes.
std::string SignSubordinate(const ExternalRoot& root, const std::string& csr_pem, TimePoint now,
                            const std::string& key_id) {
  auto csr = pki::Csr::FromPem(csr_pem);
  REQUIRE(csr.ok());
  pki::IssueOptions options{
      pki::CertificateTemplate::kSubordinateCaPathLen0V1,
      pki::SigningAlgorithm::kSha256WithEcdsa,
      std::chrono::time_point_cast<std::chrono::seconds>(now),
      std::chrono::time_point_cast<std::chrono::seconds>(now) + std::chrono::days(365 * 5),
      std::nullopt,
      {}};
  auto issued = pki::IssueFromCsr(*csr, {&root.key, &root.certificate}, options);
  REQUIRE(issued.ok());
  if (key_id.empty()) return *issued->ToPem();

  pki::X509Ptr copy(X509_dup(issued->get()));
  REQUIRE(copy != nullptr);
  // X509_delete_ext hands the removed extension to the caller.
  pki::X509ExtensionPtr removed(
      X509_delete_ext(copy.get(), X509_get_ext_by_NID(copy.get(), NID_subject_key_identifier, -1)));
  pki::X509ExtensionPtr extension(
      X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_key_identifier, key_id.c_str()));
  REQUIRE(extension != nullptr);
  REQUIRE(X509_add_ext(copy.get(), extension.get(), -1) == 1);
  REQUIRE(X509_sign(copy.get(), root.key.get(), EVP_sha256()) > 0);
  return *pki::Certificate::Share(copy.get()).ToPem();
}

void Import(TestEmulator& t, const std::string& ca, const std::string& certificate,
            const ExternalRoot& root) {
  PcaOk(t, "frontend", "ImportCertificateAuthorityCertificate",
        {{"CertificateAuthorityArn", ca},
         {"Certificate", Base64(certificate)},
         {"CertificateChain", Base64(*root.certificate.ToPem())}});
}

std::string KeyIdOf(const ASN1_OCTET_STRING* id) {
  REQUIRE(id != nullptr);
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(id)),
          static_cast<size_t>(ASN1_STRING_length(id))};
}

// Issues a leaf from `ca` and checks that `ca_pem` is its issuer, key id included.
void RequireIssuedUnder(TestEmulator& t, const std::string& ca, const std::string& ca_pem) {
  Issued leaf = IssueAndGet(t, "frontend", ca,
                            {{"Csr", Base64(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "leaf"))},
                             {"SigningAlgorithm", "SHA256WITHECDSA"},
                             {"Validity", {{"Value", 30}, {"Type", "DAYS"}}}});
  auto certificate = pki::Certificate::FromPem(leaf.certificate);
  auto issuer = pki::Certificate::FromPem(ca_pem);
  REQUIRE(certificate.ok());
  REQUIRE(issuer.ok());
  CHECK(KeyIdOf(X509_get0_authority_key_id(certificate->get())) ==
        KeyIdOf(X509_get0_subject_key_id(issuer->get())));
  CHECK(X509_check_issued(issuer->get(), certificate->get()) == X509_V_OK);
  CHECK(X509_verify(certificate->get(), X509_get0_pubkey(issuer->get())) == 1);
}

}  // namespace

TEST_CASE("A re-imported CA certificate is the issuer of every certificate signed after it") {
  TestEmulator t;
  const TimePoint now = t.emulator().clock().Now() - std::chrono::hours(2);
  ExternalRoot root = MakeExternalRoot(now);
  std::string ca = CreateCa(t, "frontend", {.type = "SUBORDINATE"});
  std::string csr =
      PcaOk(t, "frontend", "GetCertificateAuthorityCsr", {{"CertificateAuthorityArn", ca}})["Csr"];

  const std::string first = SignSubordinate(root, csr, now, "");
  Import(t, ca, first, root);
  RequireIssuedUnder(t, ca, first);

  // Same key and subject, another key id: a stale authorityKeyIdentifier would not match it.
  const std::string second = SignSubordinate(root, csr, now, "0102030405060708090a0b0c0d0e0f1011");
  Import(t, ca, second, root);
  RequireIssuedUnder(t, ca, second);
}

TEST_CASE("A deleted and restored CA signs with its key and certificate as before") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  const std::string ca_pem = CaCertificate(t, "frontend", ca);
  RequireIssuedUnder(t, ca, ca_pem);

  PcaOk(t, "frontend", "UpdateCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"Status", "DISABLED"}});
  PcaOk(t, "frontend", "DeleteCertificateAuthority", {{"CertificateAuthorityArn", ca}});
  PcaOk(t, "frontend", "RestoreCertificateAuthority", {{"CertificateAuthorityArn", ca}});
  PcaOk(t, "frontend", "UpdateCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"Status", "ACTIVE"}});
  RequireIssuedUnder(t, ca, ca_pem);
}

}  // namespace crossmesh::testing
