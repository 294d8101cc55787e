// The walkthrough's and scenarios' reports: a readable summary on stdout, a JSON report with a
// top-level `passed`, and a JUnit XML file with one test case per step.
#pragma once

#include <string>

#include "emulator/core/status.h"
#include "harness/walkthrough/step_runner.h"

namespace crossmesh::walkthrough {

void PrintSummary(const std::string& scenario, const StepRunner& runner);
Status WriteJsonReport(const std::string& path, const std::string& scenario,
                       const StepRunner& runner);
Status WriteJunitReport(const std::string& path, const std::string& scenario,
                        const StepRunner& runner);

}  // namespace crossmesh::walkthrough
