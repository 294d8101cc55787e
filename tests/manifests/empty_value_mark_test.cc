// Empty values are reported where they are written, not at the token yaml-cpp reads next.
#include "harness/manifests/empty_value_mark.h"

#include <catch2/catch.hpp>

using crossmesh::manifests::EmptyValueMark;

namespace {

// The (1-based) line and column of the node at `path` in `text`, as a message would give it.
std::pair<int, int> PlaceOf(const std::string& text, const YAML::Node& node) {
  const YAML::Mark mark = EmptyValueMark(text, node.Mark());
  return {mark.line + 1, mark.column + 1};
}

}  // namespace

TEST_CASE("A blank list item is placed at its own dash, first or last") {
  const std::string first = "steps:\n  -\n  - sleep: 1s\n";
  const std::string last = "steps:\n  - sleep: 1s\n  -   # nothing here\n\n  - sleep: 2s\n";

  CHECK(PlaceOf(first, YAML::Load(first)["steps"][0]) == std::pair{2, 3});
  CHECK(PlaceOf(last, YAML::Load(last)["steps"][1]) == std::pair{3, 3});
}

TEST_CASE("A key with no value is placed at its colon") {
  const std::string text = "step:\n  input:\n  call: X\n";

  CHECK(PlaceOf(text, YAML::Load(text)["step"]["input"]) == std::pair{2, 8});
}

TEST_CASE("A null written out keeps the place yaml-cpp gives it") {
  const std::string text = "a:\n  - ~\n  - null\n";
  const YAML::Node root = YAML::Load(text);

  CHECK(PlaceOf(text, root["a"][0]) == std::pair{2, 5});
  CHECK(PlaceOf(text, root["a"][1]) == std::pair{3, 5});
}
