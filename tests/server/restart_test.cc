// Restart with a state file: what was committed before is there after.
#include <catch2/catch.hpp>

#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::testing;

TEST_CASE("The clock's offset survives a restart with the same state file") {
  TempDir dir;
  EmulatorOptions options;
  options.state_path = dir.path() + "/state.db";
  {
    auto emulator = Emulator::Create(options);
    REQUIRE(emulator.ok());
    REQUIRE((*emulator)->AdvanceClock(std::chrono::hours(24 * 340)).ok());
  }
  auto restarted = Emulator::Create(options);
  REQUIRE(restarted.ok());
  CHECK((*restarted)->clock().Offset() >= std::chrono::hours(24 * 340));
  CHECK((*restarted)->clock().Offset() < std::chrono::hours(24 * 341));
}

TEST_CASE("Without a state file every start is fresh") {
  auto first = Emulator::Create({});
  REQUIRE(first.ok());
  REQUIRE((*first)->AdvanceClock(std::chrono::hours(24)).ok());
  auto second = Emulator::Create({});
  REQUIRE(second.ok());
  CHECK((*second)->clock().Offset().count() == 0);
}

TEST_CASE("A restart without an account that made state names that account and keeps its data") {
  TempDir dir;
  EmulatorOptions options;
  options.state_path = dir.path() + "/state.db";
  { REQUIRE(Emulator::Create(options).ok()); }  // frontend and backend served

  EmulatorOptions backend_only = options;
  backend_only.accounts = AccountRegistry();
  Account backend;
  backend.name = "backend";
  backend.id = "222222222222";
  REQUIRE(backend_only.accounts.Add(backend).ok());
  auto without_frontend = Emulator::Create(backend_only);
  REQUIRE(without_frontend.ok());
  CHECK((*without_frontend)->absent_accounts() ==
        std::vector<std::string>{"frontend (111111111111)"});
  without_frontend->reset();

  auto both_again = Emulator::Create(options);
  REQUIRE(both_again.ok());
  CHECK((*both_again)->absent_accounts().empty());
}
