// StepRunner: runs named steps in phases, prints progress as it goes, times each phase, and
// keeps the outcome of every step for the summary and the reports.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::walkthrough {

struct StepOutcome {
  std::string phase;
  std::string name;
  bool passed = false;
  std::string detail;  // what was checked, or why it failed
  double ms = 0;
};

struct PhaseTiming {
  std::string phase;
  double ms = 0;
};

class StepRunner {
 public:
  explicit StepRunner(bool quiet = false) : quiet_(quiet) {}

  void BeginPhase(std::string phase);
  // Runs `step` unless an earlier step failed (later steps depend on earlier ones); returns
  // whether it passed. `step` returns a detail line on success.
  bool Run(const std::string& name, const std::function<Result<std::string>()>& step);

  bool passed() const { return failed_ == 0; }
  const std::vector<StepOutcome>& outcomes() const { return outcomes_; }
  std::vector<PhaseTiming> Timings() const;

 private:
  bool quiet_;
  std::string phase_;
  int failed_ = 0;
  std::vector<StepOutcome> outcomes_;
};

}  // namespace crossmesh::walkthrough
