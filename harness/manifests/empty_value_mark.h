// Where an empty value is. yaml-cpp marks a value that is not there ("-" or "key:" with
// nothing after it) at the next token, which can be lines below it, under another item: a
// message there points at the wrong line. The indicator before the mark is what a user wrote.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>

namespace crossmesh::manifests {

// For a null node marked at `mark` in `text`: the mark of the '-' or ':' that introduced it
// (the last one before `mark`, comments and blank lines skipped). `mark` itself when the node
// is written out (~, null) or nothing precedes it.
YAML::Mark EmptyValueMark(std::string_view text, const YAML::Mark& mark);

}  // namespace crossmesh::manifests
