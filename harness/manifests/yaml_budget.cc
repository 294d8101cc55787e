#include "harness/manifests/yaml_budget.h"

#include <fmt/format.h>

namespace crossmesh::manifests {
namespace {

enum class Over { kNone, kNodes, kDepth };

// Counts `node` and what it holds into `*visited`, aliases each time they occur, and stops at
// the first bound passed.
Over Count(const YAML::Node& node, int depth, int64_t* visited) {
  if (++*visited > kMaxExpandedNodes) return Over::kNodes;
  if (depth > kMaxExpandedDepth) return Over::kDepth;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (Over over = Count(it->first, depth + 1, visited); over != Over::kNone) return over;
      if (Over over = Count(it->second, depth + 1, visited); over != Over::kNone) return over;
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (Over over = Count(item, depth + 1, visited); over != Over::kNone) return over;
    }
  }
  return Over::kNone;
}

}  // namespace

std::optional<std::string> ExpandedTreeProblem(const YAML::Node& root) {
  int64_t visited = 0;
  switch (Count(root, 0, &visited)) {
    case Over::kNone:
      return std::nullopt;
    case Over::kNodes:
      return fmt::format(
          "too many nodes (more than {} keys, values and list items, each alias counted as the "
          "whole value its anchor names, so aliases of aliases multiply); {}",
          kMaxExpandedNodes, kExpandedTreeFix);
    case Over::kDepth:
      return fmt::format(
          "nested deeper than {} levels after expanding aliases (an alias inside the value its "
          "own anchor names repeats it without end); {}",
          kMaxExpandedDepth, kExpandedTreeFix);
  }
  return std::nullopt;
}

}  // namespace crossmesh::manifests
