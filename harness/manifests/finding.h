// Finding: one thing `crossmesh lint` (and `apply`, which refuses files with errors) reports,
// at a file position, with what is wrong and how to fix it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/manifests/yaml_tree.h"

namespace crossmesh::manifests {

enum class Severity { kError, kWarning };

struct Finding {
  std::string file;
  Position pos;
  Severity severity = Severity::kError;
  std::string rule;     // stable id for tools: "wrong-type", "placeholder", ...
  std::string message;  // what is wrong
  std::string hint;     // how to fix it

  // "FILE:LINE:COLUMN: error: MESSAGE; HINT"
  std::string ToText() const;
  nlohmann::ordered_json ToJson() const;
};

std::string_view SeverityName(Severity severity);

// File order, then line, then column; findings at one place keep the order they were made in.
void SortFindings(std::vector<Finding>& findings);
bool HasErrors(const std::vector<Finding>& findings);

// One finding per line, or a JSON array of {file,line,column,severity,rule,message,hint}.
std::string RenderText(const std::vector<Finding>& findings);
std::string RenderJson(const std::vector<Finding>& findings);

}  // namespace crossmesh::manifests
