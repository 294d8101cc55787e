// The real Debian AWS CLI (/usr/bin/aws, CLI 2.9) against the emulator.
#include <catch2/catch.hpp>

#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::testing;

TEST_CASE("aws sts get-caller-identity returns each profile's own account") {
  TestEmulator t;
  for (auto [profile, id] : {std::pair{"frontend", "111111111111"}, {"backend", "222222222222"}}) {
    INFO(profile);
    auto result = t.Aws(profile, {"sts", "get-caller-identity"});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.Json()["Account"] == id);
    CHECK(result.Json()["Arn"] == std::string("arn:aws:iam::") + id + ":root");
  }
}

TEST_CASE("aws with a wrong secret fails and shows SignatureDoesNotMatch") {
  TestEmulator t;
  const Account* frontend = t.emulator().accounts().FindByName("frontend");
  auto result = RunCommand(
      {"/usr/bin/aws", "--endpoint-url", t.url(), "--region", "us-west-2", "sts",
       "get-caller-identity"},
      {"AWS_ACCESS_KEY_ID=" + frontend->access_key_id, "AWS_SECRET_ACCESS_KEY=wrong-secret",
       "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1"});
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.err, Catch::Contains("SignatureDoesNotMatch"));
}

TEST_CASE("aws with an unknown access key fails with InvalidClientTokenId") {
  TestEmulator t;
  auto result = RunCommand(
      {"/usr/bin/aws", "--endpoint-url", t.url(), "--region", "us-west-2", "sts",
       "get-caller-identity"},
      {"AWS_ACCESS_KEY_ID=AKIANOTKNOWNANYWHERE", "AWS_SECRET_ACCESS_KEY=x",
       "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1"});
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.err, Catch::Contains("InvalidClientTokenId"));
  CHECK_THAT(result.err, Catch::Contains("not known to this emulator"));
}

TEST_CASE("crossmesh aws adds the endpoint from CROSSMESH_ENDPOINT") {
  TestEmulator t;
  auto result = RunCommand(
      {std::string(CROSSMESH_BINARY_DIR) + "/cli/crossmesh", "aws", "--profile", "backend", "sts",
       "get-caller-identity"},
      {"CROSSMESH_ENDPOINT=" + t.url(), "AWS_CONFIG_FILE=" + t.profile_dir() + "/config",
       "AWS_SHARED_CREDENTIALS_FILE=" + t.profile_dir() + "/credentials", "AWS_MAX_ATTEMPTS=1"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.Json()["Account"] == "222222222222");
}

TEST_CASE("crossmesh clock advance moves the emulator's virtual time") {
  TestEmulator t;
  std::string crossmesh = std::string(CROSSMESH_BINARY_DIR) + "/cli/crossmesh";
  auto advanced = RunCommand({crossmesh, "clock", "advance", "340d", "--endpoint-url", t.url()});
  INFO(advanced.err);
  REQUIRE(advanced.exit_code == 0);
  CHECK_THAT(advanced.out, Catch::Contains("offset 2937"));
  auto bad = RunCommand({crossmesh, "clock", "advance", "soon", "--endpoint-url", t.url()});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("invalid duration 'soon'"));
  auto down = RunCommand({crossmesh, "clock", "--endpoint-url", "http://127.0.0.1:1"});
  CHECK(down.exit_code == 1);
  CHECK_THAT(down.err, Catch::Contains("is `crossmesh serve` running there?"));
}
