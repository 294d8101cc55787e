// Restart with a state file: CAs, keys, certificates and permissions are still there, a
// certificate issued before the restart still verifies, and the CA keeps issuing.
#include <catch2/catch.hpp>

#include "emulator/pki/chain.h"
#include "tests/acmpca/pca_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

TEST_CASE("CAs, keys, certificates and permissions survive a restart with the same state file") {
  TempDir state;
  TempDir dir;
  EmulatorOptions options;
  options.state_path = state.path() + "/state.db";

  std::string ca, sub, before_arn, before_pem, root_pem;
  {
    TestEmulator t(options);
    ca = CreateActiveRoot(t, "frontend", {"RSA_2048", "SHA256WITHRSA"});
    sub = CreateActiveSubordinate(t, "frontend", ca, {}, 0);
    AllowAcmRenewals(t, "frontend", ca);
    PcaOk(t, "frontend", "UpdateCertificateAuthority",
          {{"CertificateAuthorityArn", ca}, {"Status", "DISABLED"}});
    Issued before = IssueAndGet(
        t, "frontend", sub,
        {{"Csr", Base64(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "before.example.com"))},
         {"SigningAlgorithm", "SHA256WITHECDSA"},
         {"Validity", {{"Value", 30}, {"Type", "DAYS"}}}});
    before_arn = before.arn;
    before_pem = before.certificate + before.chain;
    root_pem = CaCertificate(t, "frontend", ca);
  }

  TestEmulator t(options);
  CHECK(CaStatusOf(t, "frontend", ca) == "DISABLED");
  CHECK(CaStatusOf(t, "frontend", sub) == "ACTIVE");
  CHECK(CaCertificate(t, "frontend", ca) == root_pem);
  json permissions = PcaOk(t, "frontend", "ListPermissions", {{"CertificateAuthorityArn", ca}});
  CHECK(permissions["Permissions"].size() == 1);

  Issued again = IssueAndGet(t, "frontend", sub,
                             {{"Csr", Base64(NewCsrPem(pki::KeyAlgorithm::kRsa2048, "after"))},
                              {"SigningAlgorithm", "SHA256WITHECDSA"},
                              {"Validity", {{"Value", 30}, {"Type", "DAYS"}}}});
  json old = PcaOk(t, "frontend", "GetCertificate",
                   {{"CertificateAuthorityArn", sub}, {"CertificateArn", before_arn}});
  CHECK(old["Certificate"].get<std::string>() + old["CertificateChain"].get<std::string>() ==
        before_pem);
  // Both verify against the root kept across the restart: the CA signs with the same key.
  CHECK(OpensslVerifyFails(dir, root_pem, old["CertificateChain"], old["Certificate"]) == "");
  CHECK(OpensslVerifyFails(dir, root_pem, again.chain, again.certificate) == "");

  // The root, re-enabled, issues again too.
  PcaOk(t, "frontend", "UpdateCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"Status", "ACTIVE"}});
  Issued from_root =
      IssueAndGet(t, "frontend", ca,
                  {{"Csr", Base64(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "root-leaf"))},
                   {"SigningAlgorithm", "SHA256WITHRSA"},
                   {"Validity", {{"Value", 1}, {"Type", "YEARS"}}}});
  CHECK(OpensslVerifyFails(dir, root_pem, from_root.chain, from_root.certificate) == "");
}

TEST_CASE("A CA's expiry falls due on the virtual clock after a restart") {
  TempDir state;
  EmulatorOptions options;
  options.state_path = state.path() + "/state.db";
  std::string ca;
  {
    TestEmulator t(options);
    ca = CreateActiveRoot(t, "frontend", {}, 1);
    REQUIRE(t.emulator().AdvanceClock(std::chrono::days(300)).ok());
  }
  TestEmulator t(options);
  CHECK(CaStatusOf(t, "frontend", ca) == "ACTIVE");
  REQUIRE(t.emulator().AdvanceClock(std::chrono::days(70)).ok());
  CHECK(CaStatusOf(t, "frontend", ca) == "EXPIRED");
}
