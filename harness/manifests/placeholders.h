// Template placeholders left in a file: "<...>" values and upper-case tokens naming an
// identifier ("CA_ARN", "FRONTEND_ACCOUNT"). The scan reads the raw text line by line, so it
// finds them even in a file that does not parse.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/manifests/finding.h"

namespace crossmesh::manifests {

// True when a whole scalar value reads as a placeholder, not a value.
bool LooksLikePlaceholder(std::string_view value);

std::vector<Finding> FindPlaceholders(const std::string& file, std::string_view text);

}  // namespace crossmesh::manifests
