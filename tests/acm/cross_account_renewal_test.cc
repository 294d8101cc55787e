// Cross-account managed renewal: the backend's certificate from the frontend's shared CA renews
// only while the share is ASSOCIATED and the backend has ACM's service-linked role
// (appmesh-tls-semantics.md 4.2 and 4.7); otherwise RenewalSummary says why it failed.
#include <catch2/catch.hpp>

#include "emulator/iam/model/iam_model.h"
#include "tests/acm/acm_test_support.h"
#include "tests/ram/ram_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

struct SharedCaCertificate {
  RootCa ca;
  std::string share;
  std::string arn;  // the backend's ACM certificate
  json issued;      // as DescribeCertificate showed it once ISSUED
};

// The walkthrough's cross-account set-up: the frontend's CA shared with and accepted by the
// backend, which requests `*.example.com` from it and exports it (so it is renewal-eligible).
SharedCaCertificate BackendCertificateFromSharedCa(TestEmulator& t) {
  SharedCaCertificate out;
  out.ca = CreateRootCa(t, "frontend");
  out.share = ShareWithBackend(t, out.ca.arn);
  Ram(t, "backend", "/acceptresourceshareinvitation",
      {{"resourceShareInvitationArn", InvitationFor(t, out.share)}});
  out.arn = RequestPrivate(t, "backend", out.ca.arn, "*.example.com");
  out.issued = Settle(t, "backend", out.arn);
  REQUIRE(out.issued["Status"] == "ISSUED");
  Acm(t, "backend", "ExportCertificate",
      {{"CertificateArn", out.arn}, {"Passphrase", Base64("secret-pass")}});
  return out;
}

Status DeleteAcmRole(TestEmulator& t, const std::string& account) {
  auto task = t.emulator().Call(account, "", [&](const CallContext& ctx) {
    return iam::DeleteServiceLinkedRole(t.emulator().store(), ctx, iam::kAcmServiceLinkedRole);
  });
  return task.status();
}

}  // namespace

TEST_CASE("A backend certificate from the shared CA renews with the share and ACM's role") {
  TestEmulator t(FrozenWall());
  SharedCaCertificate c = BackendCertificateFromSharedCa(t);

  Advance(t, 340 * kDays);
  json renewed = Describe(t, "backend", c.arn);
  CHECK(renewed["Status"] == "ISSUED");
  CHECK(renewed["Serial"] != c.issued["Serial"]);
  CHECK(renewed["RenewalSummary"]["RenewalStatus"] == "SUCCESS");
  json got = Acm(t, "backend", "GetCertificate", {{"CertificateArn", c.arn}});
  auto verified =
      OpensslVerify(t, c.ca.certificate_pem, got["CertificateChain"], got["Certificate"]);
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
}

TEST_CASE(
    "Without ACM's service-linked role the renewal fails with SLR_NOT_FOUND until it "
    "is created again") {
  TestEmulator t(FrozenWall());
  SharedCaCertificate c = BackendCertificateFromSharedCa(t);
  REQUIRE(DeleteAcmRole(t, "backend").ok());

  Advance(t, 340 * kDays);
  json failed = Describe(t, "backend", c.arn);
  CHECK(failed["Status"] == "ISSUED");  // the old certificate keeps working until it expires
  CHECK(failed["Serial"] == c.issued["Serial"]);
  CHECK(failed["RenewalSummary"]["RenewalStatus"] == "FAILED");
  CHECK(failed["RenewalSummary"]["RenewalStatusReason"] == "SLR_NOT_FOUND");

  // ACM retries daily; once the role is back the next attempt renews.
  auto created = t.emulator().Call("backend", "", [&](const CallContext& ctx) {
    return iam::CreateServiceLinkedRole(t.emulator().store(), ctx, iam::kAcmServicePrincipal, "",
                                        "");
  });
  REQUIRE(created.ok());
  Advance(t, 2 * kDays);
  json renewed = Describe(t, "backend", c.arn);
  CHECK(renewed["RenewalSummary"]["RenewalStatus"] == "SUCCESS");
  CHECK(renewed["Serial"] != c.issued["Serial"]);
}

TEST_CASE(
    "After the share is deleted the renewal fails with PCA_ACCESS_DENIED and the "
    "certificate expires") {
  TestEmulator t(FrozenWall());
  SharedCaCertificate c = BackendCertificateFromSharedCa(t);
  WireResponse deleted = t.RestCall("frontend", "ram", "DELETE", "/deleteresourceshare", nullptr,
                                    "resourceShareArn=" + PercentEncode(c.share));
  REQUIRE(deleted.status == 200);

  Advance(t, 340 * kDays);
  json failed = Describe(t, "backend", c.arn);
  CHECK(failed["Status"] == "ISSUED");
  CHECK(failed["RenewalSummary"]["RenewalStatus"] == "FAILED");
  CHECK(failed["RenewalSummary"]["RenewalStatusReason"] == "PCA_ACCESS_DENIED");

  Advance(t, 56 * kDays);  // past day 395
  CHECK(Describe(t, "backend", c.arn)["Status"] == "EXPIRED");
}

TEST_CASE("A certificate from the account's own CA renews without ACM's service-linked role") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");  // grants acm.amazonaws.com, as same-account needs
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "*.example.com");
  json before = Settle(t, "frontend", arn);
  Acm(t, "frontend", "ExportCertificate",
      {{"CertificateArn", arn}, {"Passphrase", Base64("secret-pass")}});
  REQUIRE(DeleteAcmRole(t, "frontend").ok());

  Advance(t, 340 * kDays);
  json renewed = Describe(t, "frontend", arn);
  CHECK(renewed["RenewalSummary"]["RenewalStatus"] == "SUCCESS");
  CHECK(renewed["Serial"] != before["Serial"]);
}
