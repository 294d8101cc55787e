// The AWS CLI profile files as `apply` reads them, and the errors it gives when they are wrong.
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "harness/manifests/aws_profiles.h"
#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::manifests;
using crossmesh::testing::TempDir;

namespace {

// Sets an environment variable for the life of a test, then puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedEnv() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("The INI reader takes sections, key = value lines, comments and nested blocks") {
  auto sections = ParseIni(
      "# comment\n[default]\nregion=eu-west-1\n\n[profile backend]\n"
      "region = us-west-2\n; another comment\ns3 =\n  max_concurrent_requests = 10\n"
      "output = json\n",
      "config");
  REQUIRE(sections.ok());
  CHECK(sections->at("default").at("region") == "eu-west-1");
  CHECK(sections->at("profile backend").at("region") == "us-west-2");
  CHECK(sections->at("profile backend").at("output") == "json");
  CHECK(sections->at("profile backend").count("max_concurrent_requests") == 0);
}

TEST_CASE("The INI reader names the file and line of what it cannot read") {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"[profile a\nregion = x\n", "config:1: section header '[profile a' has no closing ']'"},
      {"region = x\n", "config:1: 'key = value' before any [section]"},
      {"[a]\nregion x\n", "config:2: 'region x' is neither '[section]' nor 'key = value'"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseIni(c.text, "config");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message() == c.error);
  }
}

TEST_CASE("A profile takes its region from the config file and its keys from credentials") {
  ScopedEnv region("AWS_REGION", nullptr);
  ScopedEnv default_region("AWS_DEFAULT_REGION", nullptr);
  TempDir dir;
  ProfileFiles files{dir.Write("config", "[profile backend]\nregion = us-west-2\n"),
                     dir.Write("credentials",
                               "[backend]\naws_access_key_id = AKIAEXAMPLE\n"
                               "aws_secret_access_key = secret\n")};
  auto profile = LoadAwsProfile("backend", files);
  REQUIRE(profile.ok());
  CHECK(profile->region == "us-west-2");
  CHECK(profile->access_key_id == "AKIAEXAMPLE");
  CHECK(profile->secret_access_key == "secret");

  ScopedEnv override_region("AWS_REGION", "eu-central-1");
  CHECK(LoadAwsProfile("backend", files)->region == "eu-central-1");
}

TEST_CASE("A missing profile or key is named together with the files that were read") {
  ScopedEnv region("AWS_REGION", nullptr);
  ScopedEnv default_region("AWS_DEFAULT_REGION", nullptr);
  TempDir dir;
  ProfileFiles files{dir.Write("config", "[profile a]\nregion = us-west-2\n[default]\n"),
                     dir.Write("credentials", "[a]\naws_access_key_id = AKIA\n")};
  auto missing = LoadAwsProfile("b", files);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("profile 'b' is in neither") &&
                                             Catch::Contains(files.config_path) &&
                                             Catch::Contains("sections: a"));
  auto no_secret = LoadAwsProfile("a", files);
  REQUIRE_FALSE(no_secret.ok());
  CHECK_THAT(no_secret.status().message(),
             Catch::Contains("profile 'a' has no aws_secret_access_key"));
}
