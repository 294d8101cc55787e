// Isolation between the two accounts when nothing is shared: neither sees, lists or uses the
// other's CA, certificates, shares or mesh, and every refusal says who was refused what, on
// which resource, and how to get access.
#include <catch2/catch.hpp>

#include "tests/ram/ram_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

struct AccountSide {
  std::string name;
  std::string id;
};

// What one account owns: a CA, an ACM certificate from it, a mesh, and a share with no one.
struct Holdings {
  std::string ca;
  std::string certificate;
  std::string mesh;
  std::string share;
};

json JsonOk(TestEmulator& t, const std::string& account, const std::string& service,
            const std::string& target, const json& input) {
  WireResponse r = t.JsonCall(account, service, target, input);
  INFO(target << " -> " << r.body);
  REQUIRE(r.status == 200);
  return BodyJson(r);
}

Holdings CreateHoldings(TestEmulator& t, const AccountSide& owner) {
  Holdings h;
  h.ca = CreateActiveRootCa(t, owner.name);
  h.certificate = JsonOk(
      t, owner.name, "acm", "CertificateManager.RequestCertificate",
      {{"DomainName", "*.example.com"}, {"CertificateAuthorityArn", h.ca}})["CertificateArn"];
  h.mesh = "isolated-" + owner.name;
  WireResponse mesh =
      t.RestCall(owner.name, "appmesh", "PUT", "/v20190125/meshes", {{"meshName", h.mesh}});
  REQUIRE(mesh.status == 200);
  h.share = Ram(t, owner.name, "/createresourceshare",
                {{"name", "kept-" + owner.name}})["resourceShare"]["resourceShareArn"];
  return h;
}

// A refusal names the refused account, the action and the resource, and says how to get in.
void CheckActionable(const std::string& message, const AccountSide& caller,
                     const std::string& action, const std::string& resource) {
  CHECK_THAT(message, Catch::Contains(caller.id));
  CHECK_THAT(message, Catch::Contains(action));
  CHECK_THAT(message, Catch::Contains(resource));
  CHECK_THAT(message, Catch::Contains("share it through RAM") ||
                          Catch::Contains("aws acm request-certificate"));
}

void CheckPcaDenied(TestEmulator& t, const AccountSide& caller, const std::string& operation,
                    const json& input, const std::string& ca) {
  WireResponse r = t.JsonCall(caller.name, "acm-pca", "ACMPrivateCA." + operation, input);
  INFO(operation << " -> " << r.body);
  CHECK(BodyJson(r).value("__type", "") == "AccessDeniedException");
  CheckActionable(BodyJson(r).value("message", ""), caller, "acm-pca:" + operation, ca);
}

void CheckAcmDenied(TestEmulator& t, const AccountSide& caller, const std::string& operation,
                    const json& input, const std::string& certificate) {
  WireResponse r = t.JsonCall(caller.name, "acm", "CertificateManager." + operation, input);
  INFO(operation << " -> " << r.body);
  CHECK(BodyJson(r).value("__type", "") == "AccessDeniedException");
  CheckActionable(BodyJson(r).value("message", ""), caller, "acm:" + operation, certificate);
}

bool Contains(const json& list, const std::string& member, const std::string& value) {
  for (const auto& item : list) {
    if (item.value(member, "") == value) return true;
  }
  return false;
}

// Everything `caller` may try on `owner`'s holdings, each checked refused or absent.
void CheckIsolated(TestEmulator& t, const AccountSide& caller, const AccountSide& owner,
                   const Holdings& h) {
  // ACM Private CA: not listed, not usable.
  for (const char* who : {"SELF", "OTHER_ACCOUNTS"}) {
    json listed = JsonOk(t, caller.name, "acm-pca", "ACMPrivateCA.ListCertificateAuthorities",
                         {{"ResourceOwner", who}});
    CHECK_FALSE(Contains(listed["CertificateAuthorities"], "Arn", h.ca));
  }
  json by_ca = {{"CertificateAuthorityArn", h.ca}};
  CheckPcaDenied(t, caller, "DescribeCertificateAuthority", by_ca, h.ca);
  CheckPcaDenied(t, caller, "GetCertificateAuthorityCertificate", by_ca, h.ca);
  CheckPcaDenied(t, caller, "ListPermissions", by_ca, h.ca);
  CheckPcaDenied(t, caller, "ListTags", by_ca, h.ca);

  // ACM: the certificate is neither listed nor readable, and the CA refuses to issue.
  json certificates =
      JsonOk(t, caller.name, "acm", "CertificateManager.ListCertificates", json::object());
  CHECK_FALSE(Contains(certificates["CertificateSummaryList"], "CertificateArn", h.certificate));
  json by_certificate = {{"CertificateArn", h.certificate}};
  CheckAcmDenied(t, caller, "DescribeCertificate", by_certificate, h.certificate);
  CheckAcmDenied(t, caller, "GetCertificate", by_certificate, h.certificate);
  CheckAcmDenied(t, caller, "ExportCertificate",
                 {{"CertificateArn", h.certificate}, {"Passphrase", Base64("secret-pass")}},
                 h.certificate);
  std::string requested = JsonOk(
      t, caller.name, "acm", "CertificateManager.RequestCertificate",
      {{"DomainName", "*.example.com"}, {"CertificateAuthorityArn", h.ca}})["CertificateArn"];
  REQUIRE(t.emulator().AdvanceClock(std::chrono::seconds(1)).ok());
  json failed = JsonOk(t, caller.name, "acm", "CertificateManager.DescribeCertificate",
                       {{"CertificateArn", requested}})["Certificate"];
  CHECK(failed["Status"] == "FAILED");
  CHECK(failed["FailureReason"] == "PCA_ACCESS_DENIED");

  // RAM: no invitation, no share, no resource from the owner; its CA cannot be re-shared.
  json invitations = Ram(t, caller.name, "/getresourceshareinvitations", json::object());
  CHECK_FALSE(Contains(invitations["resourceShareInvitations"], "senderAccountId", owner.id));
  json shares = Ram(t, caller.name, "/getresourceshares", {{"resourceOwner", "OTHER-ACCOUNTS"}});
  CHECK_FALSE(Contains(shares["resourceShares"], "resourceShareArn", h.share));
  json resources = Ram(t, caller.name, "/listresources", {{"resourceOwner", "OTHER-ACCOUNTS"}});
  CHECK(resources["resources"].empty());
  WireResponse reshared =
      t.RestCall(caller.name, "ram", "POST", "/createresourceshare",
                 {{"name", "not-mine"}, {"resourceArns", {h.ca}}, {"principals", {caller.id}}});
  CHECK(reshared.status == 400);
  CHECK(BodyJson(reshared).value("__type", "") == "UnknownResourceException");
  CHECK_THAT(BodyJson(reshared).value("message", ""), Catch::Contains(owner.id));

  // App Mesh: the mesh is not listed, and naming it with its owner is refused.
  WireResponse meshes = t.RestCall(caller.name, "appmesh", "GET", "/v20190125/meshes");
  REQUIRE(meshes.status == 200);
  CHECK_FALSE(Contains(BodyJson(meshes)["meshes"], "meshName", h.mesh));
  std::string mesh_arn = "arn:aws:appmesh:us-west-2:" + owner.id + ":mesh/" + h.mesh;
  WireResponse described = t.RestCall(caller.name, "appmesh", "GET", "/v20190125/meshes/" + h.mesh,
                                      nullptr, "meshOwner=" + owner.id);
  CHECK(described.status == 403);
  CheckActionable(BodyJson(described).value("message", ""), caller, "appmesh:DescribeMesh",
                  mesh_arn);
  WireResponse node = t.RestCall(
      caller.name, "appmesh", "PUT", "/v20190125/meshes/" + h.mesh + "/virtualNodes",
      {{"virtualNodeName", "intruder"},
       {"spec", {{"listeners", {{{"portMapping", {{"port", 80}, {"protocol", "http"}}}}}}}}},
      "meshOwner=" + owner.id);
  CHECK(node.status == 403);
  CheckActionable(BodyJson(node).value("message", ""), caller, "appmesh:CreateVirtualNode",
                  mesh_arn);
}

}  // namespace

TEST_CASE("With nothing shared neither account can see, list or use the other's resources") {
  TestEmulator t;
  AccountSide frontend{"frontend", "111111111111"};
  AccountSide backend{"backend", "222222222222"};
  Holdings front = CreateHoldings(t, frontend);
  Holdings back = CreateHoldings(t, backend);
  REQUIRE(t.emulator().AdvanceClock(std::chrono::seconds(1)).ok());  // both certificates issue

  SECTION("the backend and the frontend's resources") {
    CheckIsolated(t, backend, frontend, front);
  }
  SECTION("the frontend and the backend's resources") { CheckIsolated(t, frontend, backend, back); }
}
