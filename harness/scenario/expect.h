// Checking a scenario's expectations against what its run produced.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "harness/scenario/app_runtime.h"
#include "harness/scenario/runner.h"
#include "harness/scenario/variables.h"

namespace crossmesh::scenario {

// How a step ended, for `step:` expectations.
struct StepRecord {
  bool passed = false;
  std::string error_code;  // the error the call answered with ("" when it succeeded)
  std::string message;
  std::string output;
  TimePoint ended{};  // wall clock, when it ended: a hop expectation's `since`
};

struct RunFacts {
  std::map<std::string, StepRecord> steps;
  Variables variables;
  std::map<std::string, traffic::LoadResult> traffic;
  std::vector<HopFacts> hops;
  AppRuntime* app = nullptr;  // null when the scenario has no Yelb (or it did not start)
  std::string setup_failure;  // set when a step before the checks failed
};

std::vector<ExpectationOutcome> CheckExpectations(const Scenario& scenario, const RunFacts& facts);

// Adds `more` into `total` (a traffic block that ran more than once).
void MergeTraffic(traffic::LoadResult& total, const traffic::LoadResult& more);

}  // namespace crossmesh::scenario
