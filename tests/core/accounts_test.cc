#include "emulator/core/accounts.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace crossmesh;

TEST_CASE("The default accounts are frontend and backend with stable distinct keys") {
  auto a = AccountRegistry::Defaults();
  auto b = AccountRegistry::Defaults();
  REQUIRE(a.all().size() == 2);
  const Account* frontend = a.FindByName("frontend");
  const Account* backend = a.FindByName("backend");
  REQUIRE(frontend);
  REQUIRE(backend);
  CHECK(frontend->id == "111111111111");
  CHECK(backend->id == "222222222222");
  CHECK(frontend->default_region == "us-west-2");
  CHECK(frontend->access_key_id.size() == 20);
  CHECK(frontend->access_key_id.rfind("AKIA", 0) == 0);
  CHECK(frontend->access_key_id != backend->access_key_id);
  CHECK(frontend->secret_access_key != backend->secret_access_key);
  CHECK(b.FindByName("frontend")->secret_access_key == frontend->secret_access_key);
  CHECK(a.FindByAccessKey(backend->access_key_id) == backend);
  CHECK(a.FindById("111111111111") == frontend);
}

TEST_CASE("An accounts YAML file configures any number of accounts") {
  auto registry = AccountRegistry::LoadYaml(R"(accounts:
  - {name: a, id: "333333333333"}
  - {name: b, id: "444444444444", region: eu-west-1}
  - {name: c, id: "555555555555", access_key_id: AKIAEXAMPLEACCOUNTC3, secret_access_key: s3}
)",
                                            "accounts.yaml");
  REQUIRE(registry.ok());
  CHECK(registry->all().size() == 3);
  CHECK(registry->FindByName("b")->default_region == "eu-west-1");
  CHECK(registry->FindByAccessKey("AKIAEXAMPLEACCOUNTC3")->secret_access_key == "s3");
}

TEST_CASE("Bad accounts files name the file, line and column and say how to fix it") {
  struct Case {
    const char* yaml;
    const char* expect;
  };
  const Case cases[] = {
      {"accounts: [ {name: a, id: 1", "accounts.yaml:1:"},
      {"accounts:\n  - {name: a, id: \"333333333333\", colour: red}\n",
       "accounts.yaml:2:35: unknown field 'colour'"},
      {"accounts:\n  - {name: a, id: \"12345\"}\n", "is not 12 digits"},
      {"accounts:\n  - {name: a, id: [1]}\n", "'id' must be a string"},
      {"accounts:\n  - {name: a, id: \"333333333333\"}\n  - {name: a, id: \"444444444444\"}\n",
       "clashes with account 'a'"},
      {"accounts:\n  - {name: a, id: \"333333333333\", region: Mars}\n", "not a region name"},
      {"users: []\n", "expected a top-level 'accounts:' list"},
      {"accounts: []\n", "list is empty"},
      {"accounts:\n  - {name: has space, id: \"333333333333\"}\n", "may hold only letters, digits"},
      {"accounts:\n  - {name: a, id: \"333333333333\", secret_access_key: \"\"}\n",
       "'secret_access_key' is empty; give a value, or leave the line out"},
      {"accounts:\n  - {name: a, id: \"333333333333\"}\n---\naccounts:\n  - {name: b, id: "
       "\"444444444444\"}\n",
       "accounts.yaml:4:1: an accounts file holds one document"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto registry = AccountRegistry::LoadYaml(c.yaml, "accounts.yaml");
    REQUIRE_FALSE(registry.ok());
    CHECK(registry.status().code() == "InvalidConfiguration");
    CHECK_THAT(registry.status().message(), Catch::Contains(c.expect));
  }
}

TEST_CASE("An --account flag reads NAME=ID[:REGION]") {
  auto plain = AccountRegistry::ParseFlag("ops=333333333333");
  REQUIRE(plain.ok());
  CHECK(plain->name == "ops");
  CHECK(plain->id == "333333333333");
  auto regional = AccountRegistry::ParseFlag("ops=333333333333:eu-west-1");
  REQUIRE(regional.ok());
  CHECK(regional->default_region == "eu-west-1");
  CHECK_FALSE(AccountRegistry::ParseFlag("333333333333").ok());
}

TEST_CASE("An accounts file that is missing, unreadable or empty says why") {
  auto missing = AccountRegistry::LoadFile("/nonexistent/accounts.yaml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() ==
        "cannot read accounts file '/nonexistent/accounts.yaml': No such file or directory");

  auto folder = AccountRegistry::LoadFile("/");
  REQUIRE_FALSE(folder.ok());
  CHECK_THAT(folder.status().message(), Catch::StartsWith("cannot read accounts file '/': "));

  const std::string empty = std::filesystem::temp_directory_path() /
                            ("crossmesh-empty-accounts-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(empty) << "\n";
  auto blank = AccountRegistry::LoadFile(empty);
  std::filesystem::remove(empty);
  REQUIRE_FALSE(blank.ok());
  CHECK_THAT(blank.status().message(),
             Catch::EndsWith("the file is empty; give a top-level 'accounts:' list "
                             "of {name, id, region}"));
}
