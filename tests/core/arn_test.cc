#include "emulator/core/arn.h"

#include <catch2/catch.hpp>

using namespace crossmesh;

TEST_CASE("ParseArn splits a CA ARN into its parts") {
  auto arn = ParseArn(
      "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"
      "11111111-2222-3333-4444-555555555555",
      "acm-pca");
  REQUIRE(arn.ok());
  CHECK(arn->service == "acm-pca");
  CHECK(arn->region == "us-west-2");
  CHECK(arn->account == "111111111111");
  CHECK(arn->resource == "certificate-authority/11111111-2222-3333-4444-555555555555");
  CHECK(arn->ToString().rfind("arn:aws:acm-pca:us-west-2:111111111111:", 0) == 0);
}

TEST_CASE("ParseArn keeps colons inside the resource part and allows empty region and account") {
  auto arn = ParseArn("arn:aws:acm-pca:::template/EndEntityCertificate/V1");
  REQUIRE(arn.ok());
  CHECK(arn->resource == "template/EndEntityCertificate/V1");
  auto nested = ParseArn("arn:aws:appmesh:us-west-2:111111111111:mesh/m/virtualNode/a:b");
  REQUIRE(nested.ok());
  CHECK(nested->resource == "mesh/m/virtualNode/a:b");
}

TEST_CASE("ParseArn rejects malformed ARNs with InvalidArnException saying which part is wrong") {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"", "fewer than six"},
      {"CA_ARN", "fewer than six"},
      {"arx:aws:acm-pca:us-west-2:111111111111:certificate-authority/x", "does not start"},
      {"arn:aws-cn:acm-pca:us-west-2:111111111111:certificate-authority/x", "partition"},
      {"arn:aws:acm-pca:us-west-2:1111:certificate-authority/x", "12-digit account"},
      {"arn:aws:acm-pca:Oregon:111111111111:certificate-authority/x", "region name"},
      {"arn:aws:acm:us-west-2:111111111111:certificate/x", "names service 'acm'"},
      {"arn:aws:acm-pca:us-west-2:111111111111:", "resource part is empty"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto arn = ParseArn(c.text, "acm-pca");
    REQUIRE_FALSE(arn.ok());
    CHECK(arn.status().code() == "InvalidArnException");
    CHECK_THAT(arn.status().message(), Catch::Contains(c.why));
  }
}
