// Answers of the query-protocol services (STS, IAM) read into JSON for captures.
#include "harness/scenario/xml_leaves.h"

#include <catch2/catch.hpp>

using crossmesh::scenario::XmlLeaves;

TEST_CASE("An STS answer's leaf elements become a JSON object, entities read back") {
  const auto leaves = XmlLeaves(
      "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
      "<GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/a&amp;b</Arn>"
      "<UserId>AIDA&lt;1&gt;</UserId><Account>111111111111</Account></GetCallerIdentityResult>"
      "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
      "</GetCallerIdentityResponse>");

  CHECK(leaves == nlohmann::json{{"Arn", "arn:aws:iam::111111111111:user/a&b"},
                                 {"UserId", "AIDA<1>"},
                                 {"Account", "111111111111"},
                                 {"RequestId", "r-1"}});
}

TEST_CASE("The first leaf of a name wins and elements holding elements are not leaves") {
  const auto leaves = XmlLeaves(
      "<Roles><member><RoleName>a</RoleName></member><member><RoleName>b</RoleName>"
      "</member></Roles><Empty></Empty><Broken>x</Other><Open>y");

  CHECK(leaves == nlohmann::json{{"RoleName", "a"}, {"Empty", ""}});
}

TEST_CASE("A leaf of megabytes is read whole without recursion") {
  const std::string value(4 * 1024 * 1024, 'v');

  const auto leaves = XmlLeaves("<R><Document>" + value + "</Document></R>");

  CHECK(leaves.at("Document").get<std::string>().size() == value.size());
}
