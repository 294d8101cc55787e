// How far apart two names are, for "did you mean" hints on misspelt keys and operation names.
#pragma once

#include <cstddef>
#include <string_view>

namespace crossmesh {

// Levenshtein distance (insertions, deletions, substitutions, each 1). Names are short, so the
// quadratic table is fine.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace crossmesh
