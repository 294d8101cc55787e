// Explains a YAML syntax error from the raw lines around it. The parser says where it gave up
// ("illegal map value" at 11:21); these rules name the usual causes in words a reader can act
// on: a stray ',' after a block scalar, a key indented deeper than its siblings, a tab in the
// indentation, an unquoted value that holds ": ".
#pragma once

#include <string>
#include <string_view>

#include "harness/manifests/yaml_tree.h"

namespace crossmesh::manifests {

// "YAML syntax error: illegal map value (YAML found 'key:' where no key can start)".
std::string DescribeSyntaxError(const SyntaxError& error);

// The likely causes and their fixes, joined with "; ".
std::string ExplainSyntaxError(std::string_view text, const SyntaxError& error);

}  // namespace crossmesh::manifests
