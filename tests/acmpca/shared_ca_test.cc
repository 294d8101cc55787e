// A CA shared through RAM: what the receiving account may do with it once it accepts, through the
// one Authorize seam, over the wire and through the in-process interface ACM uses.
#include <catch2/catch.hpp>

#include <functional>

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

constexpr char kBackendAccount[] = "222222222222";

// Where the frontend's share of its CA with the backend account stands.
enum class ShareState { kNoShare, kPending, kAssociated, kRejected, kDisassociated, kDeleted };

struct ShareStateCase {
  ShareState state;
  const char* name;
  const char* reason;  // what a denial in this state must say (the state-specific part)
};
const std::vector<ShareStateCase> kShareStates = {
    {ShareState::kNoShare, "no share", "no resource share gives it access"},
    {ShareState::kPending, "PENDING invitation", "is not accepted yet"},
    {ShareState::kAssociated, "ASSOCIATED", ""},
    {ShareState::kRejected, "rejected", "the invitation was rejected"},
    {ShareState::kDisassociated, "disassociated", "disassociated by the owner"},
    {ShareState::kDeleted, "share deleted", "was deleted"},
};

// A frontend CA whose share with the backend is in one state, with a certificate of each
// account. The backend issues its own while the share is ASSOCIATED (so only in states that
// passed through it); in the others it never could, and its "own" ARN names a certificate that
// does not exist, which the CA-level denial must refuse before any look-up.
struct CaUnderShare {
  std::string ca;
  std::string backend_certificate;
  std::string frontend_certificate;
};

CaUnderShare BringShareTo(TestEmulator& t, ShareState state) {
  CaUnderShare out;
  out.ca = CreateActiveRoot(t, "frontend", {});
  out.frontend_certificate = IssueAndGet(t, "frontend", out.ca, LeafRequest(out.ca)).arn;
  out.backend_certificate = out.ca + "/certificate/" + std::string(32, '0');
  if (state == ShareState::kNoShare) return out;

  std::string share = ShareWithBackend(t, out.ca);
  std::string invitation = InvitationFor(t, share);
  if (state == ShareState::kPending) return out;
  if (state == ShareState::kRejected) {
    Ram(t, "backend", "/rejectresourceshareinvitation",
        {{"resourceShareInvitationArn", invitation}});
    return out;
  }

  Ram(t, "backend", "/acceptresourceshareinvitation", {{"resourceShareInvitationArn", invitation}});
  out.backend_certificate = IssueAndGet(t, "backend", out.ca, LeafRequest(out.ca)).arn;
  if (state == ShareState::kDisassociated) {
    Ram(t, "frontend", "/disassociateresourceshare",
        {{"resourceShareArn", share}, {"principals", {kBackendAccount}}});
  }
  if (state == ShareState::kDeleted) {
    WireResponse deleted = t.RestCall("frontend", "ram", "DELETE", "/deleteresourceshare", nullptr,
                                      "resourceShareArn=" + PercentEncode(share));
    REQUIRE(deleted.status == 200);
  }
  return out;
}

// What one backend action did: allowed, or the error code and message it was refused with.
struct CellOutcome {
  bool allowed = false;
  std::string code;
  std::string message;
};

CellOutcome FromPca(const PcaAnswer& answer) {
  return {answer.status == 200, answer.code(), answer.body.value("message", "")};
}

// One row of the table: an action the backend tries on the frontend's CA, and whether a share
// in the ASSOCIATED state lets it (every other state must deny it).
struct ShareAction {
  std::string name;
  std::string denied_action;  // "acm-pca:<Operation>" the denial names; "" if not a PCA error
  bool allowed_when_associated = false;
  std::function<CellOutcome(TestEmulator&, const CaUnderShare&)> run;
};

CellOutcome BackendPca(TestEmulator& t, const std::string& operation, const json& input) {
  return FromPca(Pca(t, "backend", operation, input));
}

const std::vector<ShareAction>& ShareActions() {
  static const std::vector<ShareAction> kActions = {
      {"DescribeCertificateAuthority", "acm-pca:DescribeCertificateAuthority", true,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(t, "DescribeCertificateAuthority", {{"CertificateAuthorityArn", c.ca}});
       }},
      {"GetCertificateAuthorityCertificate", "acm-pca:GetCertificateAuthorityCertificate", true,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(t, "GetCertificateAuthorityCertificate",
                           {{"CertificateAuthorityArn", c.ca}});
       }},
      {"GetCertificateAuthorityCsr", "acm-pca:GetCertificateAuthorityCsr", false,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(t, "GetCertificateAuthorityCsr", {{"CertificateAuthorityArn", c.ca}});
       }},
      {"IssueCertificate with the end-entity template", "acm-pca:IssueCertificate", true,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(t, "IssueCertificate", LeafRequest(c.ca, kEndEntityTemplate));
       }},
      {"IssueCertificate with a CA template", "acm-pca:IssueCertificate", false,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(t, "IssueCertificate", LeafRequest(c.ca, SubordinateTemplate(0)));
       }},
      {"GetCertificate of its own certificate", "acm-pca:GetCertificate", true,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(
             t, "GetCertificate",
             {{"CertificateAuthorityArn", c.ca}, {"CertificateArn", c.backend_certificate}});
       }},
      {"GetCertificate of the owner's certificate", "acm-pca:GetCertificate", false,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(
             t, "GetCertificate",
             {{"CertificateAuthorityArn", c.ca}, {"CertificateArn", c.frontend_certificate}});
       }},
      {"ListCertificateAuthorities OTHER_ACCOUNTS shows the CA", "", true,
       [](TestEmulator& t, const CaUnderShare& c) {
         json others = PcaOk(t, "backend", "ListCertificateAuthorities",
                             {{"ResourceOwner", "OTHER_ACCOUNTS"}});
         json own = PcaOk(t, "backend", "ListCertificateAuthorities", json::object());
         CHECK(own["CertificateAuthorities"].empty());  // never among the backend's own
         CellOutcome outcome;
         for (const auto& listed : others["CertificateAuthorities"]) {
           if (listed["Arn"] == c.ca) outcome.allowed = listed["OwnerAccount"] == "111111111111";
         }
         return outcome;
       }},
      {"ImportCertificateAuthorityCertificate", "acm-pca:ImportCertificateAuthorityCertificate",
       false,
       [](TestEmulator& t, const CaUnderShare& c) {
         std::string pem = CaCertificate(t, "frontend", c.ca);
         return BackendPca(t, "ImportCertificateAuthorityCertificate",
                           {{"CertificateAuthorityArn", c.ca}, {"Certificate", Base64(pem)}});
       }},
      {"UpdateCertificateAuthority", "acm-pca:UpdateCertificateAuthority", false,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(t, "UpdateCertificateAuthority",
                           {{"CertificateAuthorityArn", c.ca}, {"Status", "DISABLED"}});
       }},
      {"DeleteCertificateAuthority", "acm-pca:DeleteCertificateAuthority", false,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(t, "DeleteCertificateAuthority",
                           {{"CertificateAuthorityArn", c.ca}, {"PermanentDeletionTimeInDays", 7}});
       }},
      {"TagCertificateAuthority", "acm-pca:TagCertificateAuthority", false,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(t, "TagCertificateAuthority",
                           {{"CertificateAuthorityArn", c.ca},
                            {"Tags", {{{"Key", "team"}, {"Value", "backend"}}}}});
       }},
      {"CreatePermission", "acm-pca:CreatePermission", false,
       [](TestEmulator& t, const CaUnderShare& c) {
         return BackendPca(
             t, "CreatePermission",
             {{"CertificateAuthorityArn", c.ca},
              {"Principal", "acm.amazonaws.com"},
              {"Actions", {"IssueCertificate", "GetCertificate", "ListPermissions"}}});
       }},
      // ACM answers with an ARN either way; the CA's refusal shows as FailureReason.
      {"ACM RequestCertificate", "", true,
       [](TestEmulator& t, const CaUnderShare& c) {
         WireResponse requested =
             t.JsonCall("backend", "acm", "CertificateManager.RequestCertificate",
                        {{"DomainName", "*.example.com"},
                         {"CertificateAuthorityArn", c.ca},
                         {"KeyAlgorithm", "EC_prime256v1"}});
         INFO(requested.body);
         REQUIRE(requested.status == 200);
         std::string arn = BodyJson(requested)["CertificateArn"];
         CHECK_THAT(arn, Catch::StartsWith("arn:aws:acm:us-west-2:222222222222:certificate/"));
         REQUIRE(t.emulator().AdvanceClock(std::chrono::seconds(1)).ok());
         json described =
             BodyJson(t.JsonCall("backend", "acm", "CertificateManager.DescribeCertificate",
                                 {{"CertificateArn", arn}}))["Certificate"];
         CellOutcome outcome;
         outcome.allowed = described["Status"] == "ISSUED";
         if (!outcome.allowed) {
           CHECK(described["Status"] == "FAILED");
           outcome.code = described.value("FailureReason", "");
         }
         return outcome;
       }},
  };
  return kActions;
}

// A refusal names the account, the action, the resource, why (the share state) and how to get
// access; ACM's refusal is the certificate's FailureReason.
void CheckDenied(const ShareStateCase& state, const ShareAction& action, const CaUnderShare& c,
                 const CellOutcome& outcome) {
  if (action.name == "ACM RequestCertificate") {
    CHECK(outcome.code == "PCA_ACCESS_DENIED");
    return;
  }
  if (action.denied_action.empty()) return;  // a list leaves the CA out, it does not refuse

  CHECK(outcome.code == "AccessDeniedException");
  CHECK_THAT(outcome.message, Catch::Contains(kBackendAccount));
  CHECK_THAT(outcome.message, Catch::Contains(action.denied_action));
  CHECK_THAT(outcome.message, Catch::Contains(c.ca));
  CHECK_THAT(outcome.message, Catch::Contains(state.reason));
  CHECK_THAT(outcome.message, Catch::Contains("share it through RAM") ||
                                  Catch::Contains("ask the CA's owner") ||
                                  Catch::Contains("ask that account") ||
                                  Catch::Contains("ask account 111111111111"));
}

}  // namespace

// Issue 4's (action x share state) table for a shared CA: one section per cell, named
// "<share state> / <action>". Each cell builds its own CA and share, so no cell sees another's
// side effects.
TEST_CASE("Each share state decides which actions the backend may take on the frontend's CA") {
  for (const ShareStateCase& state : kShareStates) {
    for (const ShareAction& action : ShareActions()) {
      DYNAMIC_SECTION(state.name << " / " << action.name) {
        TestEmulator t;
        CaUnderShare c = BringShareTo(t, state.state);
        CellOutcome outcome = action.run(t, c);
        INFO(outcome.code << ": " << outcome.message);

        bool expected = state.state == ShareState::kAssociated && action.allowed_when_associated;
        CHECK(outcome.allowed == expected);
        if (!expected) CheckDenied(state, action, c, outcome);
      }
    }
  }
}

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
