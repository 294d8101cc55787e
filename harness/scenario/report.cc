#include "harness/scenario/report.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "emulator/core/json_dump.h"
#include "emulator/protocol/protocol.h"

namespace crossmesh::scenario {
namespace {

using nlohmann::json;

Status WriteFile(const std::string& path, const std::string& text) {
  errno = 0;
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.flush();
  if (!out) {
    const int reason = errno;
    return Error("InvalidConfiguration",
                 fmt::format("cannot write report '{}': {}", path,
                             reason != 0 ? std::strerror(reason) : "check that its folder exists"));
  }
  return Status::Ok();
}

// "CN=crossmesh root,O=Example Corp" -> "crossmesh root": the table has little room.
std::string ShortIssuer(const std::string& issuer) {
  size_t cn = issuer.find("CN=");
  if (cn == std::string::npos) return issuer.empty() ? "-" : issuer;
  std::string name = issuer.substr(cn + 3);
  return name.substr(0, name.find(','));
}

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

void PrintHops(const std::vector<HopFacts>& hops) {
  if (hops.empty()) return;
  // "foreign": connections to the tap from other local processes, relayed but not judged.
  fmt::print("  {:<22} {:<22} {:<8} {:<6} {:<8} {:<30} {:<22} {:<7} {}\n", "from", "to", "accounts",
             "proto", "tls", "cipher", "issuer", "foreign", "verdict");
  for (const auto& hop : hops) {
    fmt::print("  {:<22} {:<22} {:<8} {:<6} {:<8} {:<30} {:<22} {:<7} {}\n", hop.from, hop.to,
               hop.crosses_accounts ? "cross" : "same", OrDash(hop.protocol),
               OrDash(hop.tls_version), OrDash(hop.cipher), ShortIssuer(hop.server_issuer),
               hop.foreign_connections, hop.Verdict());
  }
}

json HopJson(const HopFacts& hop) {
  return {{"from", hop.from},
          {"to", hop.to},
          {"from_account", hop.from_account},
          {"to_account", hop.to_account},
          {"crosses_accounts", hop.crosses_accounts},
          {"protocol", hop.protocol},
          {"encrypted", hop.encrypted},
          {"tls_version", hop.tls_version},
          {"cipher", hop.cipher},
          {"server_issuer", hop.server_issuer},
          {"server_serial", hop.server_serial},
          {"client_certificate", hop.client_certificate},
          {"connections", hop.connections},
          {"foreign_connections", hop.foreign_connections},
          {"verdict", hop.Verdict()},
          {"problems", hop.problems}};
}

json TrafficJson(const traffic::LoadResult& t) {
  json statuses = json::object();
  for (const auto& [status, count] : t.statuses) statuses[std::to_string(status)] = count;
  json failures = json::array();
  for (const auto& f : t.first_failures) {
    failures.push_back({{"path", f.path}, {"status", f.status}, {"error", f.error}});
  }
  return {{"journeys", t.journeys},
          {"journeys_completed", t.journeys_completed},
          {"requests", t.requests},
          {"failed", t.failed},
          {"success_rate", t.SuccessRate()},
          {"statuses", statuses},
          {"errors", t.errors},
          {"first_failures", failures},
          {"votes_sent", t.votes_sent},
          {"votes_acknowledged", t.votes_acknowledged},
          {"page_views_sent", t.page_views_sent},
          {"page_views_acknowledged", t.page_views_acknowledged},
          {"seconds", t.seconds},
          {"latency_ms",
           {{"p50", t.latency_p50_ms},
            {"p90", t.latency_p90_ms},
            {"p99", t.latency_p99_ms},
            {"max", t.latency_max_ms}}}};
}

json ScenarioJson(const ScenarioReport& r) {
  json steps = json::array();
  for (const auto& o : r.steps) {
    steps.push_back({{"phase", o.phase},
                     {"name", o.name},
                     {"passed", o.passed},
                     {"detail", o.detail},
                     {"ms", o.ms}});
  }
  json expectations = json::array();
  for (const auto& e : r.expectations) {
    expectations.push_back({{"name", e.name},
                            {"subject", e.subject},
                            {"place", e.place},
                            {"passed", e.passed},
                            {"detail", e.detail}});
  }
  json hops = json::array();
  for (const auto& hop : r.hops) hops.push_back(HopJson(hop));
  json traffic = json::object();
  for (const auto& [name, t] : r.traffic) traffic[name] = TrafficJson(t);
  json phases = json::array();
  for (const auto& p : r.phases) phases.push_back({{"phase", p.phase}, {"ms", p.ms}});
  json out = {{"name", r.name},     {"file", r.file},   {"passed", r.passed},
              {"hops", hops},       {"steps", steps},   {"expectations", expectations},
              {"traffic", traffic}, {"phases", phases}, {"ms", r.ms}};
  if (!r.load_error.empty()) out["error"] = r.load_error;
  return out;
}

std::string TestCase(const std::string& classname, const std::string& name, double seconds,
                     bool passed, const std::string& detail) {
  std::string xml = fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">",
                                XmlEscape(classname), XmlEscape(name), seconds);
  if (!passed) xml += fmt::format("<failure message=\"{}\"/>", XmlEscape(detail));
  return xml + "</testcase>\n";
}

}  // namespace

void PrintScenarioSummary(const ScenarioReport& report) {
  fmt::print("\n{}: {}\n", report.name, report.passed ? "PASSED" : "FAILED");
  if (!report.load_error.empty()) {
    fmt::print("  not run: {}\n", report.load_error);
    return;
  }
  for (const auto& p : report.phases) fmt::print("  {:<40} {:>8.0f} ms\n", p.phase, p.ms);
  fmt::print("  {:<40} {:>8.0f} ms\n", "total", report.ms);
  for (const auto& [name, t] : report.traffic) fmt::print("  traffic {}: {}\n", name, t.Summary());
  PrintHops(report.hops);
  for (const auto& o : report.steps) {
    if (!o.passed) fmt::print("  FAIL step {}: {}\n", o.name, o.detail);
  }
  int passed = 0;
  for (const auto& e : report.expectations) {
    passed += e.passed ? 1 : 0;
    fmt::print("  {} {}: {}\n", e.passed ? "ok  " : "FAIL", e.name, e.detail);
  }
  fmt::print("{} of {} expectation(s) met\n", passed, report.expectations.size());
}

Status WriteJsonReport(const std::string& path, const std::vector<ScenarioReport>& reports) {
  json scenarios = json::array();
  bool passed = !reports.empty();
  for (const auto& r : reports) {
    scenarios.push_back(ScenarioJson(r));
    passed = passed && r.passed;
  }
  return WriteFile(path, DumpJson(json({{"passed", passed}, {"scenarios", scenarios}}), 2) + "\n");
}

Status WriteJunitReport(const std::string& path, const std::vector<ScenarioReport>& reports) {
  std::string suites;
  for (const auto& r : reports) {
    std::string cases;
    int tests = 0, failures = 0;
    auto add = [&](const std::string& classname, const std::string& name, double ms, bool ok,
                   const std::string& detail) {
      cases += TestCase(classname, name, ms / 1000, ok, detail);
      ++tests;
      failures += ok ? 0 : 1;
    };
    if (!r.load_error.empty()) add(r.name, "load " + r.file, 0, false, r.load_error);
    for (const auto& o : r.steps) add(r.name + ".steps", o.name, o.ms, o.passed, o.detail);
    for (const auto& e : r.expectations) {
      add(r.name + ".expect", e.name, 0, e.passed, e.place + ": " + e.detail);
    }
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n"
        "{}  </testsuite>\n",
        XmlEscape(r.name), tests, failures, r.ms / 1000, cases);
  }
  return WriteFile(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n" + suites +
                             "</testsuites>\n");
}

}  // namespace crossmesh::scenario
