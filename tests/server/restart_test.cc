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
