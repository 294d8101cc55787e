// The first key given twice in one request's list (tags, mostly): which of two values should
// win is said nowhere, so the services refuse the request and let the caller choose.
#pragma once

#include <optional>
#include <set>
#include <string>

namespace crossmesh {

// The first element's key (`key_of(element)`) that an earlier element already had.
template <class Range, class KeyOf>
std::optional<std::string> FirstRepeatedKey(const Range& elements, KeyOf key_of) {
  std::set<std::string> seen;
  for (const auto& element : elements) {
    const std::string& key = key_of(element);
    if (!seen.insert(key).second) return key;
  }
  return std::nullopt;
}

}  // namespace crossmesh
