#include "harness/manifests/finding.h"

#include <fmt/format.h>

#include <algorithm>

#include "emulator/core/json_dump.h"

namespace crossmesh::manifests {

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

std::string Finding::ToText() const {
  std::string text =
      fmt::format("{}:{}:{}: {}: {}", file, pos.line, pos.column, SeverityName(severity), message);
  if (!hint.empty()) text += "; " + hint;
  return text;
}

nlohmann::ordered_json Finding::ToJson() const {
  return {{"file", file},         {"line", pos.line},
          {"column", pos.column}, {"severity", SeverityName(severity)},
          {"rule", rule},         {"message", message},
          {"hint", hint}};
}

void SortFindings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    return a.pos.column < b.pos.column;
  });
}

bool HasErrors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::kError; });
}

std::string RenderText(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& finding : findings) out += finding.ToText() + "\n";
  return out;
}

std::string RenderJson(const std::vector<Finding>& findings) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& finding : findings) out.push_back(finding.ToJson());
  return DumpJson(out, 2) + "\n";
}

}  // namespace crossmesh::manifests
