// Reading a file a user named: what goes wrong is said with the path and the reason.
#include "emulator/core/text_file.h"

#include <catch2/catch.hpp>

using namespace crossmesh;

TEST_CASE("An endless file such as /dev/zero is refused at the size bound, not read forever") {
  auto read = ReadTextFile("/dev/zero", "scenario file", "InvalidScenario");

  REQUIRE_FALSE(read.ok());
  CHECK(read.status().code() == "InvalidScenario");
  CHECK_THAT(read.status().message(),
             Catch::Contains("cannot read scenario file '/dev/zero': it is over 64 MiB"));
}

TEST_CASE("A folder and a missing file are refused with the reason") {
  auto folder = ReadTextFile("/tmp", "manifest", "InvalidInput");
  REQUIRE_FALSE(folder.ok());
  CHECK_THAT(folder.status().message(), Catch::Contains("it is a folder"));

  auto missing = ReadTextFile("/nonexistent/file.yaml", "manifest", "InvalidInput");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("No such file or directory"));
}
