// The CA lifecycle on the virtual clock and what is attached to a CA: expiry, disable, delete
// and restore, listing, permissions, tags, policy, revocation.
#include <catch2/catch.hpp>

#include "tests/acmpca/pca_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

constexpr std::chrono::hours kDay{24};

json IssueRequest(const std::string& ca, int days = 30) {
  return {{"CertificateAuthorityArn", ca},
          {"Csr", Base64(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "leaf.example.com"))},
          {"SigningAlgorithm", "SHA256WITHECDSA"},
          {"Validity", {{"Value", days}, {"Type", "DAYS"}}}};
}

json CaArnInput(const std::string& ca) { return {{"CertificateAuthorityArn", ca}}; }

}  // namespace

TEST_CASE("A CA whose certificate passes its notAfter becomes EXPIRED and stops issuing") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {}, 1);
  json describe = PcaOk(t, "frontend", "DescribeCertificateAuthority", CaArnInput(ca));
  double not_after = describe["CertificateAuthority"]["NotAfter"];
  CHECK(describe["CertificateAuthority"]["Status"] == "ACTIVE");

  REQUIRE(t.emulator().AdvanceClock(std::chrono::days(364)).ok());
  CHECK(CaStatusOf(t, "frontend", ca) == "ACTIVE");
  REQUIRE(t.emulator().AdvanceClock(std::chrono::days(2)).ok());
  json expired = PcaOk(t, "frontend", "DescribeCertificateAuthority", CaArnInput(ca));
  CHECK(expired["CertificateAuthority"]["Status"] == "EXPIRED");
  // The state changed at the certificate's notAfter, not at the time of the next call.
  CHECK(expired["CertificateAuthority"]["LastStateChangeAt"].get<double>() ==
        Approx(not_after).margin(1));

  PcaAnswer issue = Pca(t, "frontend", "IssueCertificate", IssueRequest(ca, 1));
  CHECK(issue.code() == "InvalidStateException");
  CHECK_THAT(issue.body.value("message", ""), Catch::Contains("is in state EXPIRED"));
  CHECK_THAT(issue.body.value("message", ""), Catch::Contains("import a new CA certificate"));
  // An EXPIRED CA cannot be switched back on; it needs a new certificate.
  CHECK(Pca(t, "frontend", "UpdateCertificateAuthority",
            {{"CertificateAuthorityArn", ca}, {"Status", "ACTIVE"}})
            .code() == "InvalidStateException");
}

TEST_CASE(
    "An EXPIRED root CA signs a new certificate for itself and is ACTIVE once it is "
    "imported") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {}, 1);
  REQUIRE(t.emulator().AdvanceClock(std::chrono::days(400)).ok());
  REQUIRE(CaStatusOf(t, "frontend", ca) == "EXPIRED");

  // Only its own CSR with RootCACertificate/V1, as while PENDING_CERTIFICATE.
  std::string csr = PcaOk(t, "frontend", "GetCertificateAuthorityCsr", CaArnInput(ca))["Csr"];
  Issued renewed = IssueAndGet(t, "frontend", ca,
                               {{"Csr", Base64(csr)},
                                {"SigningAlgorithm", "SHA256WITHECDSA"},
                                {"TemplateArn", kRootTemplate},
                                {"Validity", {{"Value", 5}, {"Type", "YEARS"}}}});
  PcaOk(t, "frontend", "ImportCertificateAuthorityCertificate",
        {{"CertificateAuthorityArn", ca}, {"Certificate", Base64(renewed.certificate)}});
  CHECK(CaStatusOf(t, "frontend", ca) == "ACTIVE");
  TempDir dir;
  Issued leaf = IssueAndGet(t, "frontend", ca, IssueRequest(ca));
  CHECK(ParsePem(leaf.certificate).issuer_string() ==
        ParsePem(renewed.certificate).subject_string());
}

TEST_CASE("A DISABLED CA refuses IssueCertificate with InvalidStateException until enabled") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  PcaOk(t, "frontend", "UpdateCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"Status", "DISABLED"}});
  CHECK(CaStatusOf(t, "frontend", ca) == "DISABLED");

  PcaAnswer refused = Pca(t, "frontend", "IssueCertificate", IssueRequest(ca));
  CHECK(refused.code() == "InvalidStateException");
  CHECK_THAT(refused.body.value("message", ""), Catch::Contains("is in state DISABLED"));
  CHECK_THAT(refused.body.value("message", ""), Catch::Contains("--status ACTIVE"));
  // A disabled CA's certificate is still published (for trust) and its certificates still read.
  CHECK_FALSE(CaCertificate(t, "frontend", ca).empty());

  PcaOk(t, "frontend", "UpdateCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"Status", "ACTIVE"}});
  PcaOk(t, "frontend", "IssueCertificate", IssueRequest(ca));
}

TEST_CASE(
    "DeleteCertificateAuthority needs a disabled CA, and a deleted CA can be restored "
    "until its window ends") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  PcaAnswer active = Pca(t, "frontend", "DeleteCertificateAuthority", CaArnInput(ca));
  CHECK(active.code() == "InvalidStateException");
  CHECK_THAT(active.body.value("message", ""), Catch::Contains("Disable an ACTIVE CA first"));

  PcaOk(t, "frontend", "UpdateCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"Status", "DISABLED"}});
  PcaOk(t, "frontend", "DeleteCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"PermanentDeletionTimeInDays", 7}});
  json deleted = PcaOk(t, "frontend", "DescribeCertificateAuthority", CaArnInput(ca));
  CHECK(deleted["CertificateAuthority"]["Status"] == "DELETED");
  double restorable = deleted["CertificateAuthority"]["RestorableUntil"];
  CHECK(restorable == Approx(EpochSeconds(t.emulator().clock().Now() + 7 * kDay)).margin(5));
  CHECK(Pca(t, "frontend", "IssueCertificate", IssueRequest(ca)).code() == "InvalidStateException");

  // Restored to its state before deletion.
  PcaOk(t, "frontend", "RestoreCertificateAuthority", CaArnInput(ca));
  json restored = PcaOk(t, "frontend", "DescribeCertificateAuthority", CaArnInput(ca));
  CHECK(restored["CertificateAuthority"]["Status"] == "DISABLED");
  CHECK_FALSE(restored["CertificateAuthority"].contains("RestorableUntil"));
  CHECK(Pca(t, "frontend", "RestoreCertificateAuthority", CaArnInput(ca)).code() ==
        "InvalidStateException");

  // Deleted again with the default 30 days: gone once the window passes.
  PcaOk(t, "frontend", "DeleteCertificateAuthority", CaArnInput(ca));
  REQUIRE(t.emulator().AdvanceClock(std::chrono::days(29)).ok());
  CHECK(CaStatusOf(t, "frontend", ca) == "DELETED");
  REQUIRE(t.emulator().AdvanceClock(std::chrono::days(2)).ok());
  CHECK(Pca(t, "frontend", "DescribeCertificateAuthority", CaArnInput(ca)).code() ==
        "ResourceNotFoundException");
  CHECK(Pca(t, "frontend", "RestoreCertificateAuthority", CaArnInput(ca)).code() ==
        "ResourceNotFoundException");
}

TEST_CASE("A PENDING_CERTIFICATE CA can be deleted and restored to PENDING_CERTIFICATE") {
  TestEmulator t;
  std::string ca = CreateCa(t, "frontend", {});
  PcaOk(t, "frontend", "DeleteCertificateAuthority", CaArnInput(ca));
  PcaOk(t, "frontend", "RestoreCertificateAuthority", CaArnInput(ca));
  CHECK(CaStatusOf(t, "frontend", ca) == "PENDING_CERTIFICATE");
}

TEST_CASE(
    "ListCertificateAuthorities pages with MaxResults and NextToken and keeps accounts "
    "apart") {
  TestEmulator t;
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) {
    created.push_back(CreateCa(t, "frontend", {.common_name = "ca " + std::to_string(i)}));
  }
  CreateCa(t, "backend", {});

  std::vector<std::string> listed;
  json request = {{"MaxResults", 2}};
  int pages = 0;
  for (;; ++pages) {
    json page = PcaOk(t, "frontend", "ListCertificateAuthorities", request);
    for (const auto& ca : page["CertificateAuthorities"]) {
      listed.push_back(ca["Arn"]);
      CHECK(ca["OwnerAccount"] == "111111111111");
      CHECK(ca["Status"] == "PENDING_CERTIFICATE");
    }
    if (!page.contains("NextToken")) break;
    request["NextToken"] = page["NextToken"];
  }
  CHECK(pages == 2);
  CHECK(listed == created);

  // No CA is shared with the frontend account, so OTHER_ACCOUNTS lists none.
  json others =
      PcaOk(t, "frontend", "ListCertificateAuthorities", {{"ResourceOwner", "OTHER_ACCOUNTS"}});
  CHECK(others["CertificateAuthorities"].empty());
  CHECK(PcaOk(t, "backend", "ListCertificateAuthorities", json::object())["CertificateAuthorities"]
            .size() == 1);
}

TEST_CASE("DescribeCertificateAuthority reports the configuration the CA was created with") {
  TestEmulator t;
  json subject = {
      {"Country", "US"}, {"Organization", "Example Corp"}, {"OrganizationalUnit", "Sales"},
      {"State", "WA"},   {"Locality", "Seattle"},          {"CommonName", "www.example.com"}};
  std::string ca = PcaOk(t, "frontend", "CreateCertificateAuthority",
                         {{"CertificateAuthorityConfiguration",
                           {{"KeyAlgorithm", "EC_secp384r1"},
                            {"SigningAlgorithm", "SHA384WITHECDSA"},
                            {"Subject", subject}}},
                          {"CertificateAuthorityType", "ROOT"},
                          {"UsageMode", "SHORT_LIVED_CERTIFICATE"}})["CertificateAuthorityArn"];
  json described =
      PcaOk(t, "frontend", "DescribeCertificateAuthority", CaArnInput(ca))["CertificateAuthority"];
  CHECK(described["Arn"] == ca);
  CHECK_THAT(ca,
             Catch::StartsWith("arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"));
  CHECK(described["Type"] == "ROOT");
  CHECK(described["CertificateAuthorityConfiguration"]["KeyAlgorithm"] == "EC_secp384r1");
  CHECK(described["CertificateAuthorityConfiguration"]["SigningAlgorithm"] == "SHA384WITHECDSA");
  CHECK(described["CertificateAuthorityConfiguration"]["Subject"] == subject);
  CHECK(described["UsageMode"] == "SHORT_LIVED_CERTIFICATE");
  CHECK(described["CreatedAt"].is_number());
  CHECK_FALSE(described.contains("NotAfter"));
  // The private key never appears in any answer.
  CHECK(described.dump().find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("Permissions, tags and the resource policy are created, listed and deleted") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  json permission = {{"CertificateAuthorityArn", ca},
                     {"Principal", "acm.amazonaws.com"},
                     {"Actions", {"IssueCertificate", "GetCertificate", "ListPermissions"}}};
  PcaOk(t, "frontend", "CreatePermission", permission);
  CHECK(Pca(t, "frontend", "CreatePermission", permission).code() ==
        "PermissionAlreadyExistsException");
  json listed = PcaOk(t, "frontend", "ListPermissions", CaArnInput(ca))["Permissions"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["Principal"] == "acm.amazonaws.com");
  CHECK(listed[0]["Actions"] == json({"IssueCertificate", "GetCertificate", "ListPermissions"}));
  json remove = {{"CertificateAuthorityArn", ca}, {"Principal", "acm.amazonaws.com"}};
  PcaOk(t, "frontend", "DeletePermission", remove);
  CHECK(Pca(t, "frontend", "DeletePermission", remove).code() == "ResourceNotFoundException");

  PcaOk(t, "frontend", "TagCertificateAuthority",
        {{"CertificateAuthorityArn", ca},
         {"Tags", {{{"Key", "Name"}, {"Value", "MyAppMeshPCA"}}, {{"Key", "team"}}}}});
  PcaOk(t, "frontend", "UntagCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"Tags", {{{"Key", "Name"}, {"Value", "other"}}}}});
  json tags = PcaOk(t, "frontend", "ListTags", CaArnInput(ca))["Tags"];
  CHECK(tags == json({{{"Key", "Name"}, {"Value", "MyAppMeshPCA"}}, {{"Key", "team"}}}));
  PcaOk(t, "frontend", "UntagCertificateAuthority",
        {{"CertificateAuthorityArn", ca}, {"Tags", {{{"Key", "Name"}}}}});
  CHECK(PcaOk(t, "frontend", "ListTags", CaArnInput(ca))["Tags"].size() == 1);
  PcaAnswer twice = Pca(t, "frontend", "TagCertificateAuthority",
                        {{"CertificateAuthorityArn", ca},
                         {"Tags", {{{"Key", "env"}, {"Value", "a"}}, {{"Key", "env"}}}}});
  CHECK(twice.code() == "InvalidTagException");
  CHECK(twice.body["message"] == "Tag key 'env' appears twice in this request; give each key once");
  CHECK(PcaOk(t, "frontend", "ListTags", CaArnInput(ca))["Tags"].size() == 1);

  std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  CHECK(Pca(t, "frontend", "GetPolicy", {{"ResourceArn", ca}}).code() ==
        "ResourceNotFoundException");
  PcaOk(t, "frontend", "PutPolicy", {{"ResourceArn", ca}, {"Policy", policy}});
  CHECK(PcaOk(t, "frontend", "GetPolicy", {{"ResourceArn", ca}})["Policy"] == policy);
  PcaOk(t, "frontend", "DeletePolicy", {{"ResourceArn", ca}});
  CHECK(Pca(t, "frontend", "DeletePolicy", {{"ResourceArn", ca}}).code() ==
        "ResourceNotFoundException");
}

TEST_CASE("RevokeCertificate records the revocation once and refuses it twice") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  Issued leaf = IssueAndGet(t, "frontend", ca, IssueRequest(ca));
  std::string serial = ParsePem(leaf.certificate).serial_colon_hex();
  json revoke = {{"CertificateAuthorityArn", ca},
                 {"CertificateSerial", serial},
                 {"RevocationReason", "KEY_COMPROMISE"}};
  PcaOk(t, "frontend", "RevokeCertificate", revoke);
  CHECK(Pca(t, "frontend", "RevokeCertificate", revoke).code() ==
        "RequestAlreadyProcessedException");
}
