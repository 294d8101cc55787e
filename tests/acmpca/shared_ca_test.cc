// A CA shared through RAM: what the receiving account may do with it once it accepts, through the
// one Authorize seam, over the wire and through the in-process interface ACM uses.
#include <catch2/catch.hpp>

#include "emulator/acmpca/model/acm_issuance.h"
#include "emulator/protocol/protocol.h"
#include "tests/acmpca/pca_test_util.h"
#include "tests/ram/ram_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

json LeafRequest(const std::string& ca, const std::string& template_arn = "") {
  json request = {{"CertificateAuthorityArn", ca},
                  {"Csr", Base64(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "be.example.com"))},
                  {"SigningAlgorithm", "SHA256WITHECDSA"},
                  {"Validity", {{"Value", 30}, {"Type", "DAYS"}}}};
  if (!template_arn.empty()) request["TemplateArn"] = template_arn;
  return request;
}

}  // namespace

TEST_CASE("Through an accepted RAM share another account issues end-entity certificates only") {
  TestEmulator t;
  TempDir dir;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  json by_arn = {{"CertificateAuthorityArn", ca}};
  CHECK(Pca(t, "backend", "DescribeCertificateAuthority", by_arn).code() ==
        "AccessDeniedException");

  std::string share = ShareWithBackend(t, ca);
  Ram(t, "backend", "/acceptresourceshareinvitation",
      {{"resourceShareInvitationArn", InvitationFor(t, share)}});

  json described = PcaOk(t, "backend", "DescribeCertificateAuthority", by_arn);
  CHECK(described["CertificateAuthority"]["OwnerAccount"] == "111111111111");
  json others =
      PcaOk(t, "backend", "ListCertificateAuthorities", {{"ResourceOwner", "OTHER_ACCOUNTS"}});
  REQUIRE(others["CertificateAuthorities"].size() == 1);
  CHECK(others["CertificateAuthorities"][0]["Arn"] == ca);
  CHECK(PcaOk(t, "backend", "ListCertificateAuthorities", json::object())["CertificateAuthorities"]
            .empty());

  Issued leaf = IssueAndGet(t, "backend", ca, LeafRequest(ca));
  std::string root = CaCertificate(t, "backend", ca);
  CHECK(OpensslVerifyFails(dir, root, leaf.chain, leaf.certificate) == "");

  // CA certificates and changes to the CA stay with the owner.
  CHECK(Pca(t, "backend", "IssueCertificate", LeafRequest(ca, SubordinateTemplate(0))).code() ==
        "AccessDeniedException");
  for (const auto& [operation, input] : std::vector<std::pair<std::string, json>>{
           {"UpdateCertificateAuthority",
            {{"CertificateAuthorityArn", ca}, {"Status", "DISABLED"}}},
           {"CreatePermission",
            {{"CertificateAuthorityArn", ca},
             {"Principal", "acm.amazonaws.com"},
             {"Actions", {"IssueCertificate"}}}},
           {"DeleteCertificateAuthority", by_arn}}) {
    INFO(operation);
    PcaAnswer answer = Pca(t, "backend", operation, input);
    CHECK(answer.code() == "AccessDeniedException");
    CHECK_THAT(answer.body.value("message", ""), Catch::Contains("acm-pca:" + operation));
  }

  // The in-process interface ACM uses follows the same share.
  auto for_acm = t.emulator().Call("backend", "", [&](const CallContext& ctx) {
    return acmpca::IssueForAcm(t.emulator().store(), ctx, ca,
                               NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "*.example.com"),
                               ctx.now + std::chrono::hours(24 * 395));
  });
  CHECK(for_acm.ok());
  Status renew = t.emulator().Call("backend", "", [&](const CallContext&) {
    return acmpca::AcmMayRenew(t.emulator().store(), ca, "222222222222");
  });
  CHECK(renew.ok());

  // Deleting the share takes the access away at once.
  WireResponse deleted = t.RestCall("frontend", "ram", "DELETE", "/deleteresourceshare", nullptr,
                                    "resourceShareArn=" + PercentEncode(share));
  REQUIRE(deleted.status == 200);
  CHECK(Pca(t, "backend", "IssueCertificate", LeafRequest(ca)).code() == "AccessDeniedException");
  CHECK(PcaOk(t, "backend", "ListCertificateAuthorities",
              {{"ResourceOwner", "OTHER_ACCOUNTS"}})["CertificateAuthorities"]
            .empty());
}
