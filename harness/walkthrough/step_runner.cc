#include "harness/walkthrough/step_runner.h"

#include <fmt/format.h>

namespace crossmesh::walkthrough {

void StepRunner::BeginPhase(std::string phase) {
  phase_ = std::move(phase);
  if (!quiet_) fmt::print("== {}\n", phase_);
}

bool StepRunner::Run(const std::string& name, const std::function<Result<std::string>()>& step) {
  StepOutcome outcome{phase_, name, false, "", 0};
  if (failed_ > 0) {
    outcome.detail = "skipped: an earlier step failed";
    outcomes_.push_back(outcome);
    if (!quiet_) fmt::print("   skip {}\n", name);
    return false;
  }

  auto started = std::chrono::steady_clock::now();
  Result<std::string> result = step();
  outcome.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  outcome.passed = result.ok();
  outcome.detail = result.ok() ? *result : result.status().ToString();
  if (!outcome.passed) ++failed_;
  if (!quiet_) {
    fmt::print("   {} {} ({:.0f} ms){}{}\n", outcome.passed ? "ok  " : "FAIL", name, outcome.ms,
               outcome.detail.empty() ? "" : ": ", outcome.detail);
  }
  outcomes_.push_back(std::move(outcome));
  return outcomes_.back().passed;
}

std::vector<PhaseTiming> StepRunner::Timings() const {
  std::vector<PhaseTiming> timings;
  for (const auto& o : outcomes_) {
    if (timings.empty() || timings.back().phase != o.phase) timings.push_back({o.phase, 0});
    timings.back().ms += o.ms;
  }
  return timings;
}

}  // namespace crossmesh::walkthrough
