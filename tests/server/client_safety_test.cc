// What crossmesh's own clients and `serve` refuse to touch: endpoints off this machine, and AWS
// files it did not write.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/profile_files.h"
#include "emulator/client/http_client.h"
#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::testing;

namespace {

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

AccountRegistry TwoAccounts() { return AccountRegistry::Defaults(); }

}  // namespace

TEST_CASE("Endpoint URLs must name this machine's loopback") {
  for (const char* url : {"http://127.0.0.1:4580", "http://127.9.8.7:1", "http://localhost:4580",
                          "http://[::1]:4580/"}) {
    INFO(url);
    CHECK(ParseEndpointUrl(url).ok());
  }
  for (const char* url : {"http://10.1.2.3:4580", "http://169.254.169.254/", "http://example.com",
                          "http://[::2]:80", "http://128.0.0.1:80"}) {
    INFO(url);
    Result<Endpoint> parsed = ParseEndpointUrl(url);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == "InvalidParameterValue");
    CHECK_THAT(parsed.status().message(), Catch::Contains("not loopback"));
  }
}

TEST_CASE("serve's profile files never replace AWS files crossmesh did not write") {
  TempDir dir;
  const std::filesystem::path base(dir.path());
  {
    std::ofstream real(base / "credentials");
    real << "[myreal]\naws_access_key_id = AKIAREAL\naws_secret_access_key = secret\n";
  }

  Status refused = cli::WriteProfileFiles(dir.path(), TwoAccounts(), "http://127.0.0.1:4580");
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.message(), Catch::Contains("not written by crossmesh"));
  CHECK_THAT(Slurp(base / "credentials"), Catch::Contains("AKIAREAL"));
  CHECK_FALSE(std::filesystem::exists(base / "config"));

  // Its own files, from an earlier start, are replaced.
  std::filesystem::remove(base / "credentials");
  REQUIRE(cli::WriteProfileFiles(dir.path(), TwoAccounts(), "http://127.0.0.1:4580").ok());
  REQUIRE(cli::WriteProfileFiles(dir.path(), TwoAccounts(), "http://127.0.0.1:4581").ok());
  CHECK_THAT(Slurp(base / "credentials"), Catch::Contains("[frontend]"));
  CHECK(Slurp(base / "endpoint") == "http://127.0.0.1:4581\n");
}

TEST_CASE("serve's profile folder may be new, but not a new tree") {
  TempDir dir;
  const std::string fresh = dir.path() + "/profiles";
  REQUIRE(cli::WriteProfileFiles(fresh, TwoAccounts(), "http://127.0.0.1:4580").ok());
  CHECK(std::filesystem::exists(fresh + "/config"));

  const std::string deep = dir.path() + "/missing/a/b";
  Status refused = cli::WriteProfileFiles(deep, TwoAccounts(), "http://127.0.0.1:4580");
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.message(), Catch::Contains("does not exist"));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/missing"));
}
