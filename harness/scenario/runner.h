// `crossmesh run`: runs scenario files one after the other. Each scenario gets a fresh emulator
// on a free loopback port, a throwaway folder (AWS CLI files, rewritten manifests) and, when it
// asks for Yelb, the servers and sidecars; all of it is stopped and removed when the scenario
// ends, whether it passed, failed or stopped half-way (RAII: ScenarioRun's destructor).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/scenario/app_runtime.h"
#include "harness/scenario/scenario.h"
#include "harness/traffic/load_generator.h"
#include "harness/walkthrough/step_runner.h"

namespace crossmesh::scenario {

struct RunOptions {
  std::string fixtures_dir;  // what ${fixtures} means
  std::string aws_cli = "/usr/bin/aws";
  bool quiet = false;                                                         // only the summary
  std::string temp_parent = std::filesystem::temp_directory_path().string();  // $TMPDIR
};

struct ExpectationOutcome {
  std::string name;
  std::string subject;
  std::string place;  // file:line:column of the expectation
  bool passed = false;
  std::string detail;  // what was found
};

struct ScenarioReport {
  std::string name;
  std::string file;
  bool passed = false;
  std::string load_error;  // the scenario file could not be read; nothing ran
  std::vector<walkthrough::StepOutcome> steps;
  std::vector<walkthrough::PhaseTiming> phases;
  std::vector<ExpectationOutcome> expectations;
  std::vector<HopFacts> hops;
  std::map<std::string, traffic::LoadResult> traffic;
  double ms = 0;
  // What the run made, all gone by the time the report is returned (tests check that).
  std::string workspace;
  std::vector<int> pids;
  std::vector<std::string> folders;
};

ScenarioReport RunScenario(const Scenario& scenario, const RunOptions& options);

struct RunFilesOptions {
  RunOptions run;
  std::string json_path;                  // --json FILE
  std::string junit_path;                 // --junit FILE
  std::string command = "crossmesh run";  // what error messages start with
};

// Loads and runs each file, prints progress and a summary per scenario, writes the reports.
// 0 when every expectation of every scenario passed, 1 when one failed (or a file did not
// load), 2 when a report could not be written.
int RunScenarioFiles(const std::vector<std::string>& files, const RunFilesOptions& options);

}  // namespace crossmesh::scenario
