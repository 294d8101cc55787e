// DumpJson: JSON text of values that may hold bytes that are not UTF-8 (from YAML files,
// certificates, requests), which nlohmann's own dump refuses with an exception.
#include "emulator/core/json_dump.h"

#include <catch2/catch.hpp>
#include <string>

namespace crossmesh {
namespace {

TEST_CASE("A byte that is not UTF-8 prints as U+FFFD instead of throwing") {
  const nlohmann::json value = {{"name", std::string("fo\xff"
                                                     "o")}};

  CHECK_THROWS(value.dump());
  const std::string text = DumpJson(value);

  CHECK(text == "{\"name\":\"fo\xEF\xBF\xBDo\"}");
  CHECK(nlohmann::json::parse(text)["name"] == "fo\xEF\xBF\xBDo");
}

TEST_CASE("Ordered JSON keeps its keys in the order they were added, indented on request") {
  nlohmann::ordered_json value;
  value["file"] = "a.yaml";
  value["line"] = 3;

  CHECK(DumpJson(value) == R"({"file":"a.yaml","line":3})");
  CHECK(DumpJson(value, 2) == "{\n  \"file\": \"a.yaml\",\n  \"line\": 3\n}");
}

}  // namespace
}  // namespace crossmesh
