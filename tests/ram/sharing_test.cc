// Sharing through RAM: invitations, acceptance, and access that follows the share's state.
#include <catch2/catch.hpp>

#include "tests/ram/ram_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;

TEST_CASE("Sharing a CA sends a PENDING invitation that only the receiver sees") {
  TestEmulator t;
  std::string ca = CreateActiveRootCa(t, "frontend");
  std::string share = ShareWithBackend(t, ca);

  auto invitations = Ram(t, "backend", "/getresourceshareinvitations", nlohmann::json::object());
  REQUIRE(invitations["resourceShareInvitations"].size() == 1);
  auto invitation = invitations["resourceShareInvitations"][0];
  CHECK(invitation["status"] == "PENDING");
  CHECK(invitation["senderAccountId"] == "111111111111");
  CHECK(invitation["receiverAccountId"] == "222222222222");
  CHECK(invitation["resourceShareName"] == "Shared_Private_CA_MESH");

  auto frontend_view = Ram(t, "frontend", "/getresourceshareinvitations", nlohmann::json::object());
  CHECK(frontend_view["resourceShareInvitations"].empty());

  auto principals =
      Ram(t, "frontend", "/getresourceshareassociations", {{"associationType", "PRINCIPAL"}});
  REQUIRE(principals["resourceShareAssociations"].size() == 1);
  CHECK(principals["resourceShareAssociations"][0]["status"] == "ASSOCIATING");

  Status denied = BackendMay(t, ca, "acm-pca:IssueCertificate");
  CHECK(denied.code() == "AccessDeniedException");
  CHECK_THAT(denied.message(), Catch::Contains("not accepted yet"));
  CHECK_THAT(denied.message(), Catch::Contains("222222222222"));
  CHECK_THAT(denied.message(), Catch::Contains(ca));
}

TEST_CASE("Accepting the invitation associates the backend and opens the share's actions") {
  TestEmulator t;
  std::string ca = CreateActiveRootCa(t, "frontend");
  std::string share = ShareWithBackend(t, ca);
  auto accepted = Ram(t, "backend", "/acceptresourceshareinvitation",
                      {{"resourceShareInvitationArn", InvitationFor(t, share)}});
  CHECK(accepted["resourceShareInvitation"]["status"] == "ACCEPTED");

  CHECK(BackendMay(t, ca, "acm-pca:IssueCertificate").ok());
  CHECK(BackendMay(t, ca, "acm-pca:GetCertificateAuthorityCertificate").ok());
  Status import = BackendMay(t, ca, "acm-pca:ImportCertificateAuthorityCertificate");
  CHECK(import.code() == "AccessDeniedException");
  CHECK_THAT(import.message(), Catch::Contains("does not grant"));

  auto shares = Ram(t, "backend", "/getresourceshares", {{"resourceOwner", "OTHER-ACCOUNTS"}});
  REQUIRE(shares["resourceShares"].size() == 1);
  CHECK(shares["resourceShares"][0]["owningAccountId"] == "111111111111");
  auto resources = Ram(t, "backend", "/listresources", {{"resourceOwner", "OTHER-ACCOUNTS"}});
  REQUIRE(resources["resources"].size() == 1);
  CHECK(resources["resources"][0]["arn"] == ca);
  CHECK(resources["resources"][0]["type"] == "acm-pca:CertificateAuthority");
  auto own = Ram(t, "backend", "/getresourceshares", {{"resourceOwner", "SELF"}});
  CHECK(own["resourceShares"].empty());
  auto principals = Ram(t, "frontend", "/listprincipals", {{"resourceOwner", "SELF"}});
  REQUIRE(principals["principals"].size() == 1);
  CHECK(principals["principals"][0]["id"] == "222222222222");
}

TEST_CASE("Rejecting, expiry, disassociation and deletion each take access away") {
  TestEmulator t;
  std::string ca = CreateActiveRootCa(t, "frontend");

  SECTION("rejected") {
    std::string share = ShareWithBackend(t, ca);
    std::string invitation = InvitationFor(t, share);
    Ram(t, "backend", "/rejectresourceshareinvitation",
        {{"resourceShareInvitationArn", invitation}});
    CHECK_THAT(BackendMay(t, ca, "acm-pca:IssueCertificate").message(),
               Catch::Contains("rejected"));
    auto again = Ram(t, "backend", "/acceptresourceshareinvitation",
                     {{"resourceShareInvitationArn", invitation}}, 400);
    CHECK(again["__type"] == "ResourceShareInvitationAlreadyRejectedException");
  }
  SECTION("expired after 7 days") {
    std::string share = ShareWithBackend(t, ca);
    std::string invitation = InvitationFor(t, share);
    REQUIRE(t.emulator().AdvanceClock(std::chrono::hours(24 * 8)).ok());
    auto late = Ram(t, "backend", "/acceptresourceshareinvitation",
                    {{"resourceShareInvitationArn", invitation}}, 400);
    CHECK(late["__type"] == "ResourceShareInvitationExpiredException");
    CHECK_THAT(BackendMay(t, ca, "acm-pca:IssueCertificate").message(), Catch::Contains("expired"));
  }
  SECTION("share deleted") {
    std::string share = ShareWithBackend(t, ca);
    Ram(t, "backend", "/acceptresourceshareinvitation",
        {{"resourceShareInvitationArn", InvitationFor(t, share)}});
    REQUIRE(BackendMay(t, ca, "acm-pca:IssueCertificate").ok());
    WireResponse deleted = t.RestCall("frontend", "ram", "DELETE", "/deleteresourceshare", nullptr,
                                      "resourceShareArn=" + PercentEncode(share));
    REQUIRE(deleted.status == 200);
    CHECK(BodyJson(deleted)["returnValue"] == true);
    CHECK_THAT(BackendMay(t, ca, "acm-pca:IssueCertificate").message(),
               Catch::Contains("was deleted"));
    auto shares = Ram(t, "frontend", "/getresourceshares", {{"resourceOwner", "SELF"}});
    CHECK(shares["resourceShares"][0]["status"] == "DELETED");
  }
  SECTION("principal disassociated") {
    std::string share = ShareWithBackend(t, ca);
    Ram(t, "backend", "/acceptresourceshareinvitation",
        {{"resourceShareInvitationArn", InvitationFor(t, share)}});
    auto dropped = Ram(t, "frontend", "/disassociateresourceshare",
                       {{"resourceShareArn", share}, {"principals", {"222222222222"}}});
    CHECK(dropped["resourceShareAssociations"][0]["status"] == "DISASSOCIATED");
    CHECK(BackendMay(t, ca, "acm-pca:IssueCertificate").code() == "AccessDeniedException");
  }
}

TEST_CASE("Only the owner can change a share, and a share can be re-associated") {
  TestEmulator t;
  std::string ca = CreateActiveRootCa(t, "frontend");
  auto created = Ram(t, "frontend", "/createresourceshare", {{"name", "empty"}});
  std::string share = created["resourceShare"]["resourceShareArn"];

  auto foreign = Ram(t, "backend", "/updateresourceshare",
                     {{"resourceShareArn", share}, {"name", "mine"}}, 400);
  CHECK(foreign["__type"] == "OperationNotPermittedException");

  auto renamed = Ram(t, "frontend", "/updateresourceshare",
                     {{"resourceShareArn", share}, {"name", "renamed"}});
  CHECK(renamed["resourceShare"]["name"] == "renamed");
  auto associated =
      Ram(t, "frontend", "/associateresourceshare",
          {{"resourceShareArn", share}, {"resourceArns", {ca}}, {"principals", {"222222222222"}}});
  CHECK(associated["resourceShareAssociations"].size() == 2);
  CHECK_FALSE(InvitationFor(t, share).empty());
}

TEST_CASE("A clientToken makes CreateResourceShare idempotent") {
  TestEmulator t;
  nlohmann::json body = {{"name", "once"}, {"clientToken", "token-1"}};
  auto first = Ram(t, "frontend", "/createresourceshare", body);
  auto second = Ram(t, "frontend", "/createresourceshare", body);
  CHECK(first["resourceShare"]["resourceShareArn"] == second["resourceShare"]["resourceShareArn"]);
  auto mismatch = Ram(t, "frontend", "/createresourceshare",
                      {{"name", "other"}, {"clientToken", "token-1"}}, 400);
  CHECK(mismatch["__type"] == "IdempotentParameterMismatchException");
}

TEST_CASE("A clientToken reused with other principals is refused, naming what differs") {
  TestEmulator t;
  nlohmann::json body = {
      {"name", "ca-share"}, {"principals", {"222222222222"}}, {"clientToken", "ct1"}};
  Ram(t, "frontend", "/createresourceshare", body);
  body["principals"] = {"333333333333"};

  auto mismatch = Ram(t, "frontend", "/createresourceshare", body, 400);

  CHECK(mismatch["__type"] == "IdempotentParameterMismatchException");
  CHECK_THAT(mismatch["message"].get<std::string>(),
             Catch::Contains("with other parameter (principals)"));
}

TEST_CASE("Associating an accepted principal again keeps its access and sends no invitation") {
  TestEmulator t;
  std::string ca = CreateActiveRootCa(t, "frontend");
  std::string share = ShareWithBackend(t, ca);
  Ram(t, "backend", "/acceptresourceshareinvitation",
      {{"resourceShareInvitationArn", InvitationFor(t, share)}});

  auto again = Ram(t, "frontend", "/associateresourceshare",
                   {{"resourceShareArn", share}, {"principals", {"222222222222"}}});

  CHECK(again["resourceShareAssociations"][0]["status"] == "ASSOCIATED");
  CHECK(BackendMay(t, ca, "acm-pca:IssueCertificate").ok());
  auto invitations = Ram(t, "backend", "/getresourceshareinvitations", nlohmann::json::object());
  CHECK(invitations["resourceShareInvitations"].size() == 1);
}

TEST_CASE("A principal named twice gets one invitation, so no spare one can be rejected") {
  TestEmulator t;
  std::string ca = CreateActiveRootCa(t, "frontend");
  auto created = Ram(
      t, "frontend", "/createresourceshare",
      {{"name", "dup"}, {"resourceArns", {ca}}, {"principals", {"222222222222", "222222222222"}}});
  const std::string share = created["resourceShare"]["resourceShareArn"];

  auto invitations = Ram(t, "backend", "/getresourceshareinvitations", nlohmann::json::object());
  auto associated =
      Ram(t, "frontend", "/associateresourceshare",
          {{"resourceShareArn", share}, {"principals", {"333333333333", "333333333333"}}});

  CHECK(invitations["resourceShareInvitations"].size() == 1);
  CHECK(associated["resourceShareAssociations"].size() == 1);  // one per principal named
  Ram(t, "backend", "/acceptresourceshareinvitation",
      {{"resourceShareInvitationArn", InvitationFor(t, share)}});
  CHECK(BackendMay(t, ca, "acm-pca:IssueCertificate").ok());
}

TEST_CASE("Accepting again with the same clientToken replays the answer; another token fails") {
  TestEmulator t;
  std::string ca = CreateActiveRootCa(t, "frontend");
  const std::string invitation = InvitationFor(t, ShareWithBackend(t, ca));
  nlohmann::json accept = {{"resourceShareInvitationArn", invitation}, {"clientToken", "a1"}};
  Ram(t, "backend", "/acceptresourceshareinvitation", accept);

  auto replay = Ram(t, "backend", "/acceptresourceshareinvitation", accept);
  accept["clientToken"] = "a2";
  auto other = Ram(t, "backend", "/acceptresourceshareinvitation", accept, 400);

  CHECK(replay["resourceShareInvitation"]["status"] == "ACCEPTED");
  CHECK(replay["clientToken"] == "a1");
  CHECK(other["__type"] == "ResourceShareInvitationAlreadyAcceptedException");
}

TEST_CASE("Deleting again with the clientToken that deleted a share answers again; others fail") {
  TestEmulator t;
  const std::string share = ShareWithBackend(t, CreateActiveRootCa(t, "frontend"));
  const auto remove = [&t, &share](const std::string& account, const std::string& token) {
    std::string query = "resourceShareArn=" + PercentEncode(share);
    if (!token.empty()) query += "&clientToken=" + token;
    return t.RestCall(account, "ram", "DELETE", "/deleteresourceshare", nullptr, query);
  };

  WireResponse first = remove("frontend", "d1");
  WireResponse retry = remove("frontend", "d1");
  WireResponse other_token = remove("frontend", "d2");
  WireResponse no_token = remove("frontend", "");
  WireResponse other_account = remove("backend", "d1");

  CHECK(first.status == 200);
  CHECK(retry.status == 200);
  CHECK(BodyJson(retry)["returnValue"] == true);
  CHECK(BodyJson(retry)["clientToken"] == "d1");
  for (const WireResponse& refused : {other_token, no_token}) {
    CHECK(refused.status == 400);
    CHECK(BodyJson(refused)["__type"] == "UnknownResourceException");
  }
  CHECK(other_account.status != 200);  // the token is the owner's
}

TEST_CASE("ListPermissions names the default permission for CAs and meshes") {
  TestEmulator t;
  auto all = Ram(t, "frontend", "/listpermissions", nlohmann::json::object());
  CHECK(all["permissions"].size() == 2);
  auto ca =
      Ram(t, "frontend", "/listpermissions", {{"resourceType", "acm-pca:CertificateAuthority"}});
  REQUIRE(ca["permissions"].size() == 1);
  CHECK(ca["permissions"][0]["name"] == "AWSRAMDefaultPermissionCertificateAuthority");
}

TEST_CASE("Paging returns maxResults items and a nextToken for the rest") {
  TestEmulator t;
  for (int i = 0; i < 3; ++i) {
    Ram(t, "frontend", "/createresourceshare", {{"name", "share-" + std::to_string(i)}});
  }
  auto first =
      Ram(t, "frontend", "/getresourceshares", {{"resourceOwner", "SELF"}, {"maxResults", 2}});
  CHECK(first["resourceShares"].size() == 2);
  REQUIRE(first.contains("nextToken"));
  auto rest =
      Ram(t, "frontend", "/getresourceshares",
          {{"resourceOwner", "SELF"}, {"maxResults", 2}, {"nextToken", first["nextToken"]}});
  CHECK(rest["resourceShares"].size() == 1);
  CHECK_FALSE(rest.contains("nextToken"));
}

TEST_CASE("A RAM nextToken fits only the list, account and filters it was issued for") {
  TestEmulator t;
  for (int i = 0; i < 3; ++i) {
    Ram(t, "frontend", "/createresourceshare", {{"name", "share-" + std::to_string(i)}});
  }
  auto first =
      Ram(t, "frontend", "/getresourceshares", {{"resourceOwner", "SELF"}, {"maxResults", 1}});
  const nlohmann::json token = first["nextToken"];

  auto other_account = Ram(t, "backend", "/getresourceshares",
                           {{"resourceOwner", "SELF"}, {"nextToken", token}}, 400);
  auto other_list =
      Ram(t, "frontend", "/listresources", {{"resourceOwner", "SELF"}, {"nextToken", token}}, 400);
  auto other_owner = Ram(t, "frontend", "/getresourceshares",
                         {{"resourceOwner", "OTHER-ACCOUNTS"}, {"nextToken", token}}, 400);
  auto other_name =
      Ram(t, "frontend", "/getresourceshares",
          {{"resourceOwner", "SELF"}, {"name", "share-2"}, {"nextToken", token}}, 400);
  auto same = Ram(t, "frontend", "/getresourceshares",
                  {{"resourceOwner", "SELF"}, {"maxResults", 1}, {"nextToken", token}});

  CHECK(other_account["__type"] == "InvalidNextTokenException");
  CHECK(other_list["__type"] == "InvalidNextTokenException");
  CHECK(other_owner["__type"] == "InvalidNextTokenException");
  CHECK(other_name["__type"] == "InvalidNextTokenException");
  CHECK_THAT(other_list["message"].get<std::string>(),
             Catch::Contains("was not issued for this list, account and filters"));
  CHECK(same["resourceShares"].size() == 1);  // maxResults may differ from page to page
}
