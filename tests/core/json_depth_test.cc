#include "emulator/core/json_depth.h"

#include <catch2/catch.hpp>
#include <string>

using crossmesh::JsonNestsPast;

TEST_CASE("JSON nesting is measured outside strings, at the bracket that goes too deep") {
  CHECK_FALSE(JsonNestsPast(R"({"a":[{"b":[]}]})", 4).has_value());
  CHECK(JsonNestsPast(R"({"a":[{"b":[]}]})", 3) == size_t{11});
  // Brackets in strings, escaped quotes included, are text, not nesting.
  CHECK_FALSE(JsonNestsPast(R"({"a":"[[[{{{\"[[[","b":1})", 1).has_value());
  CHECK(JsonNestsPast(R"({"a":"\\","b":[1]})", 1) == size_t{14});
  // Closing brackets do not go below zero: depth counts from what opens after them.
  CHECK_FALSE(JsonNestsPast("]]]]{}", 1).has_value());
  CHECK(JsonNestsPast(std::string(100000, '[') + std::string(100000, ']')) == size_t{512});
}
