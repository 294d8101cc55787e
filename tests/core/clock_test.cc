#include "emulator/core/clock.h"

#include <catch2/catch.hpp>

using namespace crossmesh;
using std::chrono::hours;
using std::chrono::seconds;

TEST_CASE("ParseDuration reads short and long units, decimals and combined terms") {
  struct Case {
    const char* text;
    long long seconds;
  };
  const Case cases[] = {
      {"30", 30},
      {"30s", 30},
      {"90m", 5400},
      {"12h", 43200},
      {"340d", 29376000},
      {"2w", 1209600},
      {"13mo", 33696000},
      {"1y", 31536000},
      {"1d12h", 129600},
      {"12 months", 31104000},
      {"1.5d", 129600},
      {"2 years", 63072000},
      {"90 seconds", 90},
      {"1h 30m", 5400},
      {"2000 milliseconds", 2},
      {"3000ms", 3},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto parsed = ParseDuration(c.text);
    REQUIRE(parsed.ok());
    CHECK(parsed->count() == c.seconds);
  }
}

TEST_CASE(
    "ParseDuration rejects malformed durations, and a unitless number inside a combined one, "
    "with a hint") {
  for (const char* bad :
       {"", "d", "10x", "-5d", "1..5d", ".5d", "9999999999999d", "12 fortnights", "1y2", "2 1d"}) {
    INFO(bad);
    auto parsed = ParseDuration(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == "InvalidParameterValue");
    CHECK_THAT(parsed.status().message(), Catch::Contains("340d"));
  }
  CHECK_THAT(ParseDuration(" -5d").status().message(), Catch::Contains("only moves forward"));
}

TEST_CASE("VirtualClock follows the wall clock plus an offset that only grows") {
  TimePoint wall = Clock::from_time_t(1'800'000'000);
  VirtualClock clock([&] { return wall; });
  CHECK(clock.Now() == wall);

  clock.MoveTo(wall + hours(24));
  CHECK(clock.Offset() == hours(24));
  wall += seconds(10);
  CHECK(clock.Now() == Clock::from_time_t(1'800'000'000) + hours(24) + seconds(10));

  clock.MoveTo(wall);  // earlier than virtual now: ignored
  CHECK(clock.Offset() == hours(24));
}

TEST_CASE("FormatIso8601 renders UTC with a Z suffix") {
  CHECK(FormatIso8601(Clock::from_time_t(0)) == "1970-01-01T00:00:00Z");
  CHECK(EpochSeconds(Clock::from_time_t(1'733'325'600)) == 1'733'325'600.0);
}
