// crossmesh lint FILE... [--format text|json] [--fixtures DIR]: checks manifests, App Mesh
// input documents and scenario files without touching any state. Exit status 1 when any error
// is found, 0 otherwise.
#include <fmt/format.h>

#include "cli/commands.h"
#include "harness/manifests/finding.h"
#include "harness/scenario/scenario_lint.h"

namespace crossmesh::cli {
namespace {

int RunLint(const std::vector<std::string>& files, const std::string& format,
            const std::string& fixtures_dir) {
  auto findings = scenario::LintFiles(files, fixtures_dir);
  if (format == "json") {
    fmt::print("{}", manifests::RenderJson(findings));
  } else {
    fmt::print("{}", manifests::RenderText(findings));
    size_t errors = 0;
    for (const auto& f : findings) errors += f.severity == manifests::Severity::kError ? 1 : 0;
    // The count goes to stderr so that stdout holds only findings.
    fmt::print(stderr, "{} error{}, {} warning{} in {} file{}\n", errors, errors == 1 ? "" : "s",
               findings.size() - errors, findings.size() - errors == 1 ? "" : "s", files.size(),
               files.size() == 1 ? "" : "s");
  }
  return manifests::HasErrors(findings) ? 1 : 0;
}

}  // namespace

void AddLintCommand(CLI::App& app, RunFn* run) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("text");
  auto fixtures = std::make_shared<std::string>(CROSSMESH_FIXTURES_DIR);
  CLI::App* cmd = app.add_subcommand(
      "lint",
      "Check Kubernetes manifests, App Mesh --cli-input-json documents and scenario files "
      "(no state)");
  cmd->add_option("files", *files, "Files to check")->required();
  cmd->add_option("--format", *format, "text (FILE:LINE:COLUMN: ...) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--fixtures", *fixtures, "What ${fixtures} means in scenario files")
      ->capture_default_str();
  cmd->callback([run, files, format, fixtures] {
    *run = [files, format, fixtures] { return RunLint(*files, *format, *fixtures); };
  });
}

}  // namespace crossmesh::cli
