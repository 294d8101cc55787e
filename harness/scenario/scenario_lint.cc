#include "harness/scenario/scenario_lint.h"

#include <set>

#include "emulator/core/text_file.h"
#include "harness/manifests/lint.h"
#include "harness/manifests/source_file.h"
#include "harness/scenario/scenario.h"

namespace crossmesh::scenario {
namespace {

// The keys only a scenario has at its top level (`name` and `description` are not enough).
const std::set<std::string, std::less<>> kScenarioSections = {"extends", "accounts",  "variables",
                                                              "steps",   "manifests", "yelb",
                                                              "traffic", "timeline",  "expect"};

// The key a top-level line starts ("steps:" -> "steps"), or empty for any other line.
std::string_view TopLevelKey(std::string_view line) {
  if (line.empty() || line[0] == ' ' || line[0] == '\t' || line[0] == '#' || line[0] == '-') {
    return {};
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view key = line.substr(0, colon);
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') && key.back() == key[0]) {
    key = key.substr(1, key.size() - 2);
  }
  return key;
}

std::vector<manifests::Finding> AsFindings(const std::vector<ScenarioProblem>& problems) {
  std::vector<manifests::Finding> findings;
  for (const ScenarioProblem& problem : problems) {
    manifests::Finding finding;
    finding.file = problem.place.file;
    finding.pos = {problem.place.line, problem.place.column};
    finding.rule = "scenario";
    // The reader's messages say what is wrong, then how to fix it, after the first "; ".
    const size_t split = problem.message.find("; ");
    finding.message = problem.message.substr(0, split);
    if (split != std::string::npos) finding.hint = problem.message.substr(split + 2);
    findings.push_back(std::move(finding));
  }
  return findings;
}

}  // namespace

bool LooksLikeScenario(std::string_view text) {
  bool section = false;
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    const std::string_view key = TopLevelKey(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    if (key == "apiVersion" || key == "kind") return false;
    if (kScenarioSections.count(key) > 0) section = true;
  }
  return section;
}

std::vector<manifests::Finding> LintScenarioFile(const std::string& path,
                                                 const std::string& fixtures_dir) {
  return AsFindings(ScenarioFileProblems(path, fixtures_dir));
}

std::vector<manifests::Finding> LintFiles(const std::vector<std::string>& paths,
                                          const std::string& fixtures_dir) {
  std::vector<manifests::SourceFile> manifest_files;
  std::vector<manifests::Finding> findings;
  for (const std::string& path : paths) {
    // Not refused here: lint's own rules point at the byte (an encoding finding).
    auto text = ReadTextFile(path, "file", "InvalidInput", kMaxTextFileBytes, false);
    if (!text.ok()) {
      findings.push_back(manifests::UnreadableFinding(path, text.status()));
      continue;
    }
    if (LooksLikeScenario(*text)) {
      auto found = AsFindings(ScenarioTextProblems(*text, path, fixtures_dir));
      findings.insert(findings.end(), found.begin(), found.end());
      continue;
    }
    manifest_files.push_back(manifests::ParseSource(path, std::move(*text)));
  }
  auto found = manifests::LintSources(manifest_files);
  findings.insert(findings.end(), found.begin(), found.end());
  manifests::SortFindings(findings);
  return findings;
}

}  // namespace crossmesh::scenario
