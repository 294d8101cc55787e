// The load generator against real Yelb (no mesh): bounded by count and by time, counting what
// it sent so the databases can be checked, and recording failures with their answer's text.
#include <catch2/catch.hpp>

#include "harness/scenario/app_runtime.h"
#include "harness/traffic/load_generator.h"
#include "harness/yelb/yelb_ui.h"

using namespace crossmesh;
using namespace crossmesh::traffic;

TEST_CASE("The load generator stops at its count and the databases hold exactly its votes") {
  auto yelb = scenario::StartPlainYelb();
  INFO(yelb.status().ToString());
  REQUIRE(yelb.ok());
  LoadOptions options;
  options.host = (*yelb)->ui_host();
  options.port = (*yelb)->ui_port();
  options.journeys = {{Journey::kVote, 2}, {Journey::kPageViews, 1}};
  options.restaurants = {"ihop", "chipotle"};
  options.count = 30;
  options.concurrency = 3;
  auto result = RunLoad(options);
  REQUIRE(result.ok());
  INFO(result->Summary());
  CHECK(result->journeys == 30);
  CHECK(result->failed == 0);
  CHECK(result->SuccessRate() == 1.0);
  CHECK(result->votes_acknowledged.at("ihop") == 10);
  CHECK(result->votes_acknowledged.at("chipotle") == 10);
  CHECK(result->page_views_acknowledged == 10);
  CHECK(result->requests == 20 * 2 + 10);
  CHECK(result->statuses.at(200) == result->requests);

  yelb::YelbStore store((*yelb)->databases());
  auto votes = store.ReadVotes();
  REQUIRE(votes.ok());
  CHECK(votes->at("ihop") == 10);
  CHECK(votes->at("chipotle") == 10);
  CHECK(votes->at("outback") == 0);
  CHECK(*store.ReadPageViews() == 10);
}

TEST_CASE("A run bounded by duration ends on time at a slow rate") {
  auto yelb = scenario::StartPlainYelb();
  REQUIRE(yelb.ok());
  LoadOptions options;
  options.host = (*yelb)->ui_host();
  options.port = (*yelb)->ui_port();
  options.journeys = {{Journey::kGetVotes, 1}};
  options.rate = 10;
  options.duration = std::chrono::milliseconds(600);
  options.concurrency = 6;  // a user is free for each journey due, however slow the host
  auto started = std::chrono::steady_clock::now();
  auto result = RunLoad(options);
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(result.ok());
  // The duration and the journeys under way, not a 3 s request timeout or a wait for more.
  CHECK(took < std::chrono::milliseconds(2500));
  // 10/s for 0.6 s: journeys due at 0, 0.1, ... 0.5 s.
  CHECK(result->journeys >= 5);
  CHECK(result->journeys <= 7);
}

TEST_CASE("Failed requests are recorded with their status and the first line of the answer") {
  // A UI whose app server is gone answers every /api call with a gateway error.
  yelb::UiOptions ui_options;
  ui_options.address = "127.0.1.2";
  ui_options.appserver = {"127.0.2.2", 1};  // nothing listens on port 1
  yelb::YelbUi ui(ui_options);
  auto port = ui.Start();
  REQUIRE(port.ok());
  LoadOptions options;
  options.host = "127.0.1.2";
  options.port = *port;
  options.journeys = {{Journey::kVote, 1}};
  options.count = 4;
  auto result = RunLoad(options);
  REQUIRE(result.ok());
  CHECK(result->failed == 4);
  CHECK(result->journeys_completed == 0);
  CHECK(result->votes_sent.at("outback") == 1);
  CHECK(result->votes_acknowledged.empty());
  REQUIRE_FALSE(result->first_failures.empty());
  CHECK(result->first_failures[0].status >= 500);
  CHECK(result->first_failures[0].path.rfind("/api/", 0) == 0);
  CHECK_FALSE(result->errors.empty());
  CHECK_FALSE(result->first_failures[0].error.empty());
}

TEST_CASE("The load generator refuses unbounded runs and addresses off loopback") {
  LoadOptions options;
  options.port = 80;
  options.count = 0;
  CHECK(LoadRun::Start(options).status().code() == "InvalidConfiguration");
  options.count = 1;
  options.host = "10.0.0.1";
  auto refused = LoadRun::Start(options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("loopback") != std::string::npos);
}
