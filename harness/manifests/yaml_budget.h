// Bounds on walks over a yaml-cpp tree. yaml-cpp shares the node an alias names instead of
// copying it, so a 1 KB file can describe an enormous tree: nine levels of anchors, each a list
// of nine aliases to the level before, expand to 9^9 nodes (the "billion laughs" alias bomb),
// and an alias inside the value its own anchor names expands forever. Every walk that follows
// aliases (manifests and scenario files alike) checks the tree here first.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crossmesh::manifests {

// Far above any real file: the largest shipped manifest or scenario has a few thousand nodes.
inline constexpr int64_t kMaxExpandedNodes = 100000;
// Nothing legitimate nests this deep; only an alias loop does.
inline constexpr int kMaxExpandedDepth = 200;

// How to fix a tree over the bounds; every message below ends with it.
inline constexpr std::string_view kExpandedTreeFix =
    "use fewer aliases, or split the file into smaller ones";

// Why the tree under `root`, with every alias expanded, is too big to walk (more than
// kMaxExpandedNodes nodes, or nested deeper than kMaxExpandedDepth), with how to fix it; nullopt
// when it fits. The caller adds where (the document's position). Stops counting at the first
// bound it passes, so it costs at most kMaxExpandedNodes steps whatever the file holds.
std::optional<std::string> ExpandedTreeProblem(const YAML::Node& root);

}  // namespace crossmesh::manifests
