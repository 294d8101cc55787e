// Bad input to RAM: each refused with RAM's own error code and a message that says what to fix.
#include <catch2/catch.hpp>

#include "tests/ram/ram_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;

TEST_CASE("RAM refuses bad share requests with its own error codes") {
  TestEmulator t;
  std::string ca = CreateActiveRootCa(t, "frontend");
  std::string backend_ca = CreateActiveRootCa(t, "backend");
  std::string missing_ca =
      "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"
      "00000000-0000-0000-0000-000000000000";
  struct Case {
    std::string name;
    nlohmann::json body;
    std::string code;
    std::string says;
  };
  const Case cases[] = {
      {"no name", {{"resourceArns", {ca}}}, "MissingRequiredParameterException", "'name'"},
      {"name of the wrong type", {{"name", 5}}, "InvalidParameterException", "must be a string"},
      {"unknown member",
       {{"name", "x"}, {"resourceArn", ca}},
       "InvalidParameterException",
       "unknown member 'resourceArn'"},
      {"malformed ARN",
       {{"name", "x"}, {"resourceArns", {"CA_ARN"}}},
       "MalformedArnException",
       "'CA_ARN'"},
      {"missing CA",
       {{"name", "x"}, {"resourceArns", {missing_ca}}},
       "UnknownResourceException",
       "does not exist"},
      {"another account's CA",
       {{"name", "x"}, {"resourceArns", {backend_ca}}},
       "UnknownResourceException",
       "belongs to account 222222222222"},
      {"unsharable type",
       {{"name", "x"}, {"resourceArns", {"arn:aws:acm:us-west-2:111111111111:certificate/abc"}}},
       "InvalidParameterException",
       "acm-pca:CertificateAuthority and appmesh:Mesh"},
      {"principal not an account",
       {{"name", "x"}, {"principals", {"FRONTEND_ACCOUNT"}}},
       "InvalidParameterException",
       "12-digit"},
      {"sharing with itself",
       {{"name", "x"}, {"principals", {"111111111111"}}},
       "InvalidParameterException",
       "cannot be its principal"},
      {"external principals not allowed",
       {{"name", "x"}, {"principals", {"222222222222"}}, {"allowExternalPrincipals", false}},
       "OperationNotPermittedException",
       "allowExternalPrincipals"},
      {"an empty tag key",
       {{"name", "x"}, {"tags", {{{"key", ""}, {"value", "v"}}}}},
       "InvalidParameterException",
       "tags[0].key is 0 characters long"},
      {"a tag key given twice",
       {{"name", "x"}, {"tags", {{{"key", "team"}, {"value", "a"}}, {{"key", "team"}}}}},
       "InvalidParameterException",
       "the key 'team' appears twice"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto out = Ram(t, "frontend", "/createresourceshare", c.body, 400);
    CHECK(out["__type"] == c.code);
    CHECK_THAT(out["message"].get<std::string>(), Catch::Contains(c.says));
  }
  auto shares = Ram(t, "frontend", "/getresourceshares", {{"resourceOwner", "SELF"}});
  CHECK(shares["resourceShares"].empty());  // no failed call left a share behind
}

TEST_CASE("RAM list calls require resourceOwner and validate enums and tokens") {
  TestEmulator t;
  auto missing = Ram(t, "frontend", "/getresourceshares", nlohmann::json::object(), 400);
  CHECK(missing["__type"] == "MissingRequiredParameterException");
  auto wrong = Ram(t, "frontend", "/listresources", {{"resourceOwner", "OTHER_ACCOUNTS"}}, 400);
  CHECK(wrong["__type"] == "InvalidParameterException");
  CHECK_THAT(wrong["message"].get<std::string>(), Catch::Contains("SELF, OTHER-ACCOUNTS"));
  auto token = Ram(t, "frontend", "/getresourceshares",
                   {{"resourceOwner", "SELF"}, {"nextToken", "garbage"}}, 400);
  CHECK(token["__type"] == "InvalidNextTokenException");
  auto no_type = Ram(t, "frontend", "/getresourceshareassociations", nlohmann::json::object(), 400);
  CHECK(no_type["__type"] == "MissingRequiredParameterException");
  auto bad_invitation = Ram(t, "backend", "/acceptresourceshareinvitation",
                            {{"resourceShareInvitationArn", "not-an-arn"}}, 400);
  CHECK(bad_invitation["__type"] == "MalformedArnException");
  auto no_invitation = Ram(t, "backend", "/acceptresourceshareinvitation",
                           {{"resourceShareInvitationArn",
                             "arn:aws:ram:us-west-2:111111111111:resource-share-invitation/nope"}},
                           400);
  CHECK(no_invitation["__type"] == "ResourceShareInvitationArnNotFoundException");
  WireResponse no_arn = t.RestCall("frontend", "ram", "DELETE", "/deleteresourceshare");
  CHECK(no_arn.status == 400);
  CHECK(BodyJson(no_arn)["__type"] == "MissingRequiredParameterException");
  WireResponse unknown =
      t.RestCall("frontend", "ram", "POST", "/createresourcesharez", nlohmann::json::object());
  CHECK(BodyJson(unknown)["__type"] == "UnknownOperationException");
}

// A filter that names something that is not an ARN is a mistake to report, not a filter that
// quietly matches nothing.
TEST_CASE("RAM list calls refuse a filter ARN that is not an ARN, naming it and its place") {
  TestEmulator t;
  struct Case {
    const char* path;
    nlohmann::json body;
    const char* says;
  };
  const Case cases[] = {
      {"/getresourceshares",
       {{"resourceOwner", "SELF"}, {"resourceShareArns", {"arn:aws:ram:::"}}},
       "resourceShareArns[0] 'arn:aws:ram:::' is not a valid ARN"},
      {"/getresourceshareassociations",
       {{"associationType", "PRINCIPAL"}, {"resourceShareArns", {"share-1"}}},
       "resourceShareArns[0] 'share-1'"},
      {"/getresourceshareinvitations",
       {{"resourceShareInvitationArns", {"invitation"}}},
       "resourceShareInvitationArns[0] 'invitation'"},
      {"/listresources",
       {{"resourceOwner", "SELF"}, {"resourceArns", {"CA_ARN"}}},
       "resourceArns[0] 'CA_ARN'"},
      {"/listprincipals",
       {{"resourceOwner", "SELF"},
        {"resourceShareArns",
         {"arn:aws:ram:us-west-2:111111111111:resource-share/a", "arn:aws:acm:x"}}},
       "resourceShareArns[1]"},
  };
  for (const auto& c : cases) {
    INFO(c.path << " " << c.body.dump());
    auto out = Ram(t, "frontend", c.path, c.body, 400);
    CHECK(out["__type"] == "MalformedArnException");
    CHECK_THAT(out["message"].get<std::string>(), Catch::Contains(c.says));
  }
}
