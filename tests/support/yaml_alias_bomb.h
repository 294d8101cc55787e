// The "billion laughs" YAML alias bomb, shared by the tests of the expanded-node budget
// (harness/manifests/yaml_budget.h) in the YAML tree, the manifest linter and scenario files.
#pragma once

#include <string>

namespace crossmesh::testing {

// Mapping entries a0 to a8: a0 is a list of nine scalars and each further entry a list of nine
// aliases to the one before, so a8 expands to 9^9 scalars from about 1 KB of text. Every line
// starts with `indent`, so the entries can sit under a key of the caller's document.
std::string AliasBombEntries(const std::string& indent = "");

}  // namespace crossmesh::testing
