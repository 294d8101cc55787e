// Managed renewal on the virtual clock, RenewCertificate, expiry, InUseBy and the change log the
// data path reads.
#include <catch2/catch.hpp>

#include "emulator/acm/model/certificate_usage.h"
#include "emulator/pki/pkcs8.h"
#include "tests/acm/acm_test_support.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

constexpr char kUser[] =
    "arn:aws:appmesh:us-west-2:111111111111:mesh/am-multi-account-mesh/virtualNode/yelb-ui";

std::string ExportedKeyPem(TestEmulator& t, const std::string& arn) {
  json exported = Acm(t, "frontend", "ExportCertificate",
                      {{"CertificateArn", arn}, {"Passphrase", Base64("secret-pass")}});
  auto key = pki::ImportEncryptedPkcs8Pem(exported["PrivateKey"].get<std::string>(), "secret-pass");
  REQUIRE(key.ok());
  auto pem = key->public_key().ToPem();
  REQUIRE(pem.ok());
  return *pem;
}

std::vector<acm::CertificateChange> Changes(TestEmulator& t) {
  auto changes = t.emulator().Call("frontend", "", [&](const CallContext&) {
    return acm::CertificateChangesSince(t.emulator().store(), 0);
  });
  REQUIRE(changes.ok());
  return *changes;
}

std::vector<std::string> KindsFor(TestEmulator& t, const std::string& arn) {
  std::vector<std::string> kinds;
  for (const auto& change : Changes(t)) {
    if (change.certificate_arn == arn) kinds.emplace_back(acm::ChangeKindName(change.kind));
  }
  return kinds;
}

Status UseCertificate(TestEmulator& t, const std::string& arn, bool use) {
  return t.emulator().Call("frontend", "", [&](const CallContext&) {
    return use ? acm::AddCertificateUser(t.emulator().store(), arn, kUser)
               : acm::RemoveCertificateUser(t.emulator().store(), arn, kUser);
  });
}

}  // namespace

TEST_CASE("An exported certificate is renewed 60 days before expiry under the same ARN") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "*.example.com");
  json before = Settle(t, "frontend", arn);
  std::string old_key = ExportedKeyPem(t, arn);

  Advance(t, 340 * kDays);  // past day 335, before day 395
  json after = Describe(t, "frontend", arn);
  CHECK(after["CertificateArn"] == arn);
  CHECK(after["Status"] == "ISSUED");
  CHECK(after["Serial"] != before["Serial"]);
  CHECK(after["NotAfter"].get<double>() > before["NotAfter"].get<double>() + 300 * 86400.0);
  CHECK(after["RenewalSummary"]["RenewalStatus"] == "SUCCESS");
  CHECK_FALSE(after["RenewalSummary"].contains("RenewalStatusReason"));
  // Renewed on day 335, when it fell due (both NotBefores are backdated by the same hour).
  double renewed_on = after["NotBefore"].get<double>() - before["NotBefore"].get<double>();
  CHECK(renewed_on == Approx(335 * 86400.0).margin(5));
  // Eligibility needs a new export after a renewal; the renewal brought a new key.
  CHECK(after["RenewalEligibility"] == "INELIGIBLE");
  CHECK(ExportedKeyPem(t, arn) != old_key);

  json got = Acm(t, "frontend", "GetCertificate", {{"CertificateArn", arn}});
  auto verified = OpensslVerify(t, ca.certificate_pem, got["CertificateChain"], got["Certificate"]);
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(KindsFor(t, arn) == std::vector<std::string>{"ISSUED", "RENEWED"});

  Advance(t, 400 * kDays);  // exported again on day 340, so renewed again on day 670
  json third = Describe(t, "frontend", arn);
  CHECK(third["Status"] == "ISSUED");
  CHECK(KindsFor(t, arn) == std::vector<std::string>{"ISSUED", "RENEWED", "RENEWED"});
}

TEST_CASE("Without the acm.amazonaws.com permission renewal fails and the certificate expires") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend", {"RSA_2048", "SHA256WITHRSA", 10, false});
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "*.example.com");
  json before = Settle(t, "frontend", arn);
  REQUIRE(before["Status"] == "ISSUED");  // issuance needs no permission, only renewal does
  ExportedKeyPem(t, arn);

  Advance(t, 340 * kDays);
  json failed = Describe(t, "frontend", arn);
  CHECK(failed["Status"] == "ISSUED");
  CHECK(failed["Serial"] == before["Serial"]);
  CHECK(failed["RenewalSummary"]["RenewalStatus"] == "FAILED");
  CHECK(failed["RenewalSummary"]["RenewalStatusReason"] == "PCA_ACCESS_DENIED");
  CHECK(failed["RenewalSummary"]["UpdatedAt"].get<double>() >
        before["NotBefore"].get<double>() + 339 * 86400.0);

  Advance(t, 56 * kDays);  // day 396
  json expired = Describe(t, "frontend", arn);
  CHECK(expired["Status"] == "EXPIRED");
  CHECK(expired["RenewalEligibility"] == "INELIGIBLE");
  auto kinds = KindsFor(t, arn);
  CHECK(kinds.front() == "ISSUED");
  CHECK(kinds.back() == "EXPIRED");
  CHECK(std::count(kinds.begin(), kinds.end(), "RENEWAL_FAILED") >= 2);  // retried daily
  CHECK(std::count(kinds.begin(), kinds.end(), "RENEWED") == 0);

  // Expired certificates are never renewed, whatever happens next.
  AcmPca(t, "frontend", "CreatePermission",
         {{"CertificateAuthorityArn", ca.arn},
          {"Principal", "acm.amazonaws.com"},
          {"Actions", {"IssueCertificate", "GetCertificate", "ListPermissions"}}});
  Advance(t, 30 * kDays);
  CHECK(Describe(t, "frontend", arn)["Status"] == "EXPIRED");
  CHECK(AcmError(t, "frontend", "RenewCertificate", {{"CertificateArn", arn}}).code ==
        "ValidationException");
}

TEST_CASE("A failed renewal is retried daily and succeeds once the CA grants ACM") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend", {"RSA_2048", "SHA256WITHRSA", 10, false});
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "api.example.com");
  json before = Settle(t, "frontend", arn);
  ExportedKeyPem(t, arn);
  Advance(t, 336 * kDays);
  REQUIRE(Describe(t, "frontend", arn)["RenewalSummary"]["RenewalStatus"] == "FAILED");

  AcmPca(t, "frontend", "CreatePermission",
         {{"CertificateAuthorityArn", ca.arn},
          {"Principal", "acm.amazonaws.com"},
          {"Actions", {"IssueCertificate", "GetCertificate", "ListPermissions"}}});
  Advance(t, 2 * kDays);
  json after = Describe(t, "frontend", arn);
  CHECK(after["RenewalSummary"]["RenewalStatus"] == "SUCCESS");
  CHECK(after["Serial"] != before["Serial"]);
}

TEST_CASE("A renewal from a DISABLED CA fails with PCA_INVALID_STATE") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "api.example.com");
  Settle(t, "frontend", arn);
  ExportedKeyPem(t, arn);
  AcmPca(t, "frontend", "UpdateCertificateAuthority",
         {{"CertificateAuthorityArn", ca.arn}, {"Status", "DISABLED"}});
  Advance(t, 340 * kDays);
  json d = Describe(t, "frontend", arn);
  CHECK(d["RenewalSummary"]["RenewalStatus"] == "FAILED");
  CHECK(d["RenewalSummary"]["RenewalStatusReason"] == "PCA_INVALID_STATE");
}

TEST_CASE("A never-exported, unused certificate stays INELIGIBLE and expires unrenewed") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "api.example.com");
  json before = Settle(t, "frontend", arn);

  Advance(t, 340 * kDays);
  json d = Describe(t, "frontend", arn);
  CHECK(d["Status"] == "ISSUED");
  CHECK(d["RenewalEligibility"] == "INELIGIBLE");
  CHECK_FALSE(d.contains("RenewalSummary"));
  CHECK(d["Serial"] == before["Serial"]);

  Advance(t, 56 * kDays);
  CHECK(Describe(t, "frontend", arn)["Status"] == "EXPIRED");
  CHECK(KindsFor(t, arn) == std::vector<std::string>{"ISSUED", "EXPIRED"});
}

TEST_CASE("A certificate in use is renewal-eligible and cannot be deleted until released") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "yelb-ui.example.com");
  json before = Settle(t, "frontend", arn);

  REQUIRE(UseCertificate(t, arn, true).ok());
  REQUIRE(UseCertificate(t, arn, true).ok());  // twice is once
  json used = Describe(t, "frontend", arn);
  CHECK(used["InUseBy"] == json({kUser}));
  CHECK(used["RenewalEligibility"] == "ELIGIBLE");
  json summary = Acm(t, "frontend", "ListCertificates", json::object())["CertificateSummaryList"];
  CHECK(summary[0]["InUse"] == true);

  auto refused = AcmError(t, "frontend", "DeleteCertificate", {{"CertificateArn", arn}});
  CHECK(refused.code == "ResourceInUseException");
  CHECK_THAT(refused.message, Catch::Contains(kUser));

  Advance(t, 340 * kDays);  // in use, never exported: renewed all the same
  json renewed = Describe(t, "frontend", arn);
  CHECK(renewed["Serial"] != before["Serial"]);
  CHECK(renewed["RenewalEligibility"] == "ELIGIBLE");

  auto material = t.emulator().Call("frontend", "", [&](const CallContext&) {
    return acm::GetCertificateMaterial(t.emulator().store(), arn);
  });
  REQUIRE(material.ok());
  CHECK(material->serial == renewed["Serial"]);
  CHECK_THAT(material->private_key_pem, Catch::StartsWith("-----BEGIN PRIVATE KEY-----"));

  REQUIRE(UseCertificate(t, arn, false).ok());
  CHECK(Describe(t, "frontend", arn)["InUseBy"] == json::array());
  Acm(t, "frontend", "DeleteCertificate", {{"CertificateArn", arn}});
  CHECK(AcmError(t, "frontend", "DescribeCertificate", {{"CertificateArn", arn}}).code ==
        "ResourceNotFoundException");
  CHECK(KindsFor(t, arn) == std::vector<std::string>{"ISSUED", "RENEWED", "DELETED"});
  CHECK(UseCertificate(t, arn, true).code() == "ResourceNotFoundException");
}

TEST_CASE("RenewCertificate renews an exported certificate now and refuses others") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "api.example.com");
  CHECK(AcmError(t, "frontend", "RenewCertificate", {{"CertificateArn", arn}}).code ==
        "RequestInProgressException");
  json before = Settle(t, "frontend", arn);

  auto ineligible = AcmError(t, "frontend", "RenewCertificate", {{"CertificateArn", arn}});
  CHECK(ineligible.code == "ValidationException");
  CHECK_THAT(ineligible.message, Catch::Contains("not eligible for renewal"));

  ExportedKeyPem(t, arn);
  Acm(t, "frontend", "RenewCertificate", {{"CertificateArn", arn}});
  json pending = Describe(t, "frontend", arn);
  CHECK(pending["RenewalSummary"]["RenewalStatus"] == "PENDING_AUTO_RENEWAL");
  CHECK(AcmError(t, "frontend", "RenewCertificate", {{"CertificateArn", arn}}).code ==
        "RequestInProgressException");

  json renewed = Settle(t, "frontend", arn);
  CHECK(renewed["RenewalSummary"]["RenewalStatus"] == "SUCCESS");
  CHECK(renewed["Serial"] != before["Serial"]);
  CHECK(renewed["Status"] == "ISSUED");
}

TEST_CASE("The change log gives each change once, after the sequence a reader last saw") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string first = RequestPrivate(t, "frontend", ca.arn, "a.example.com");
  Settle(t, "frontend", first);
  auto seen = Changes(t);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].kind == acm::ChangeKind::kIssued);
  CHECK(seen[0].account == "111111111111");
  CHECK(seen[0].serial == Describe(t, "frontend", first)["Serial"]);

  std::string second = RequestPrivate(t, "frontend", ca.arn, "b.example.com");
  Settle(t, "frontend", second);
  auto next = t.emulator().Call("frontend", "", [&](const CallContext&) {
    return acm::CertificateChangesSince(t.emulator().store(), seen.back().sequence);
  });
  REQUIRE(next.ok());
  REQUIRE(next->size() == 1);
  CHECK((*next)[0].certificate_arn == second);
  CHECK((*next)[0].sequence > seen.back().sequence);
}
