#include "harness/walkthrough/reports.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "emulator/protocol/protocol.h"

namespace crossmesh::walkthrough {
namespace {

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) return Error("InvalidConfiguration", fmt::format("cannot write report '{}'", path));
  return Status::Ok();
}

}  // namespace

void PrintSummary(const std::string& scenario, const StepRunner& runner) {
  fmt::print("\n{}: {}\n", scenario, runner.passed() ? "PASSED" : "FAILED");
  double total = 0;
  for (const auto& t : runner.Timings()) {
    fmt::print("  {:<40} {:>8.0f} ms\n", t.phase, t.ms);
    total += t.ms;
  }
  fmt::print("  {:<40} {:>8.0f} ms\n", "total", total);
  int passed = 0;
  int failed = 0;
  for (const auto& o : runner.outcomes()) (o.passed ? passed : failed)++;
  fmt::print("{} passed, {} failed\n", passed, failed);
}

Status WriteJsonReport(const std::string& path, const std::string& scenario,
                       const StepRunner& runner) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& o : runner.outcomes()) {
    steps.push_back({{"phase", o.phase},
                     {"name", o.name},
                     {"passed", o.passed},
                     {"detail", o.detail},
                     {"ms", o.ms}});
  }
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& t : runner.Timings()) phases.push_back({{"phase", t.phase}, {"ms", t.ms}});
  nlohmann::json report = {{"passed", runner.passed()},
                           {"scenarios",
                            {{{"name", scenario},
                              {"passed", runner.passed()},
                              {"steps", steps},
                              {"phases", phases},
                              {"hops", nlohmann::json::array()}}}}};
  return WriteFile(path, report.dump(2) + "\n");
}

Status WriteJunitReport(const std::string& path, const std::string& scenario,
                        const StepRunner& runner) {
  int failures = 0;
  std::string cases;
  for (const auto& o : runner.outcomes()) {
    cases += fmt::format("    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3f}\">",
                         XmlEscape(scenario), XmlEscape(o.phase), XmlEscape(o.name), o.ms / 1000);
    if (!o.passed) {
      ++failures;
      cases += fmt::format("<failure message=\"{}\"/>", XmlEscape(o.detail));
    }
    cases += "</testcase>\n";
  }
  std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"{}\" "
      "tests=\"{}\" failures=\"{}\">\n{}  </testsuite>\n</testsuites>\n",
      XmlEscape(scenario), runner.outcomes().size(), failures, cases);
  return WriteFile(path, xml);
}

}  // namespace crossmesh::walkthrough
