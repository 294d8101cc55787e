// The in-process interface ACM codes against (acm_issuance.h), driven through Emulator::Call as
// ACM's model will be.
#include <catch2/catch.hpp>

#include "emulator/acmpca/model/acm_issuance.h"
#include "tests/acmpca/pca_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

Result<acmpca::IssuedForAcm> IssueAs(TestEmulator& t, const std::string& account,
                                     const std::string& ca, const std::string& csr,
                                     std::chrono::hours lifetime, const std::string& signing = "") {
  return t.emulator().Call(account, "us-west-2", [&](const CallContext& ctx) {
    return acmpca::IssueForAcm(t.emulator().store(), ctx, ca, csr, ctx.now + lifetime, signing);
  });
}

Status MayRenew(TestEmulator& t, const std::string& ca, const std::string& account) {
  return t.emulator().Call("frontend", "", [&](const CallContext&) {
    return acmpca::AcmMayRenew(t.emulator().store(), ca, account);
  });
}

constexpr std::chrono::hours k395Days{24 * 395};

}  // namespace

TEST_CASE("IssueForAcm issues an end-entity certificate backdated an hour that chains to the CA") {
  TestEmulator t;
  TempDir dir;
  std::string ca = CreateActiveRoot(t, "frontend", {"RSA_2048", "SHA256WITHRSA"});
  std::string csr = NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "*.example.com", {"*.example.com"});
  TimePoint now = t.emulator().clock().Now();

  auto issued = IssueAs(t, "frontend", ca, csr, k395Days);
  INFO(issued.status().ToString());
  REQUIRE(issued.ok());
  pki::Certificate certificate = ParsePem(issued->certificate_pem);
  CHECK(certificate.serial_colon_hex() == issued->serial);
  CHECK(certificate.not_before() == issued->not_before);
  CHECK(certificate.not_after() == issued->not_after);
  CHECK(std::abs(std::chrono::duration_cast<std::chrono::seconds>(issued->not_before -
                                                                  (now - std::chrono::minutes(60)))
                     .count()) <= 2);
  CHECK(certificate.dns_names() == std::vector<std::string>{"*.example.com"});
  CHECK(certificate.signature_algorithm_name() == "SHA256WITHRSA");
  CHECK(certificate.extended_key_usages() == std::vector<std::string>{"serverAuth", "clientAuth"});
  CHECK(OpensslVerifyFails(dir, CaCertificate(t, "frontend", ca), issued->chain_pem,
                           issued->certificate_pem) == "");

  auto trust = t.emulator().Call("frontend", "", [&](const CallContext&) {
    return acmpca::CaCertificatePem(t.emulator().store(), ca);
  });
  REQUIRE(trust.ok());
  CHECK(*trust == issued->chain_pem);
}

TEST_CASE("IssueForAcm never outlives the CA and fails the way ACM reports failures") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {}, 1);
  std::string csr = NewCsrPem(pki::KeyAlgorithm::kRsa2048, "short.example.com");

  auto capped = IssueAs(t, "frontend", ca, csr, k395Days);
  REQUIRE(capped.ok());
  json described =
      PcaOk(t, "frontend", "DescribeCertificateAuthority", {{"CertificateAuthorityArn", ca}});
  CHECK(EpochSeconds(capped->not_after) ==
        Approx(described["CertificateAuthority"]["NotAfter"].get<double>()));

  CHECK(IssueAs(t, "backend", ca, csr, k395Days).status().code() == "AccessDeniedException");
  CHECK(IssueAs(t, "frontend", ca, csr, k395Days, "SHA256WITHRSA").status().code() ==
        "InvalidArgsException");
  CHECK(IssueAs(t, "frontend", ca, "not a csr", k395Days).status().code() ==
        "MalformedCSRException");
  std::string missing = ca.substr(0, ca.size() - 4) + "0000";
  CHECK(IssueAs(t, "frontend", missing, csr, k395Days).status().code() ==
        "ResourceNotFoundException");

  PcaOk(t, "frontend", "UpdateCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"Status", "DISABLED"}});
  auto disabled = IssueAs(t, "frontend", ca, csr, k395Days);
  CHECK(disabled.status().code() == "InvalidStateException");
  CHECK_THAT(disabled.status().message(), Catch::Contains("DISABLED"));
}

TEST_CASE("AcmMayRenew needs the acm.amazonaws.com permission with all three actions") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});

  Status none = MayRenew(t, ca, "111111111111");
  CHECK(none.code() == "AccessDeniedException");
  CHECK_THAT(none.message(), Catch::Contains("IssueCertificate, GetCertificate, ListPermissions"));
  CHECK_THAT(none.message(), Catch::Contains("create-permission"));

  PcaOk(t, "frontend", "CreatePermission",
        {{"CertificateAuthorityArn", ca},
         {"Principal", "acm.amazonaws.com"},
         {"Actions", {"IssueCertificate", "GetCertificate"}}});
  Status partial = MayRenew(t, ca, "111111111111");
  CHECK(partial.code() == "AccessDeniedException");
  CHECK_THAT(partial.message(), Catch::Contains("action(s) ListPermissions"));

  PcaOk(t, "frontend", "DeletePermission",
        {{"CertificateAuthorityArn", ca}, {"Principal", "acm.amazonaws.com"}});
  AllowAcmRenewals(t, "frontend", ca);
  CHECK(MayRenew(t, ca, "111111111111").ok());

  // Another account needs the CA shared (RAM) before ACM may renew for it.
  Status other = MayRenew(t, ca, "222222222222");
  CHECK(other.code() == "AccessDeniedException");
  CHECK_THAT(other.message(), Catch::Contains("222222222222"));
}

TEST_CASE("CaCertificatePem refuses a CA without a certificate") {
  TestEmulator t;
  std::string ca = CreateCa(t, "frontend", {});
  auto pem = t.emulator().Call("frontend", "", [&](const CallContext&) {
    return acmpca::CaCertificatePem(t.emulator().store(), ca);
  });
  CHECK(pem.status().code() == "InvalidStateException");
  CHECK_THAT(pem.status().message(), Catch::Contains("PENDING_CERTIFICATE"));
}
