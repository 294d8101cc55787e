// Scenario reports: the readable summary (phase times, the table of hops, the expectations),
// the JSON report (`passed`, `scenarios`: name, passed, hops, steps, expectations, traffic,
// phases) and JUnit XML (a test suite per scenario, a test case per step and per expectation).
#pragma once

#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/scenario/runner.h"

namespace crossmesh::scenario {

void PrintScenarioSummary(const ScenarioReport& report);
Status WriteJsonReport(const std::string& path, const std::vector<ScenarioReport>& reports);
Status WriteJunitReport(const std::string& path, const std::vector<ScenarioReport>& reports);

}  // namespace crossmesh::scenario
