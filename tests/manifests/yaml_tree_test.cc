// The position-keeping YAML tree: documents split at markers, positions, scalar types.
#include <catch2/catch.hpp>
#include <string>

#include "harness/manifests/yaml_tree.h"
#include "tests/support/yaml_alias_bomb.h"

using namespace crossmesh::manifests;

TEST_CASE("Documents are parsed one by one, so a syntax error spares the others") {
  std::string text =
      "# leading comment\n"
      "a: 1\n"
      "---\n"
      "b:\n"
      "  c: 2,\n"
      "    d: 3\n"
      "---\n"
      "---\n"
      "e: [1, 2]\n";
  auto docs = ParseDocuments(text);
  REQUIRE(docs.size() == 3);
  REQUIRE(docs[0].root);
  CHECK(docs[0].root->Find("a")->pos.line == 2);
  CHECK_FALSE(docs[1].root);
  REQUIRE(docs[1].error);
  CHECK(docs[1].error->pos.line == 6);
  CHECK(docs[1].error->pos.column == 6);
  REQUIRE(docs[2].root);
  const Node* e = docs[2].root->Find("e");
  REQUIRE(e);
  REQUIRE(e->IsSequence());
  CHECK(e->items[1].pos.line == 9);
  CHECK(e->items[1].pos.column == 8);
  CHECK(docs[2].index == 2);
}

TEST_CASE("Keys and values keep their line and column, and an empty value points at its key") {
  auto docs =
      ParseDocuments("spec:\n  listeners:\n    - portMapping:\n        port: 80\n  logging:\n");
  REQUIRE(docs.size() == 1);
  const Node& spec = *docs[0].root->Find("spec");
  const MapEntry* listeners = spec.FindEntry("listeners");
  REQUIRE(listeners);
  CHECK(listeners->key_pos.line == 2);
  CHECK(listeners->key_pos.column == 3);
  const Node& item = listeners->value.items.at(0);
  CHECK(item.pos.line == 3);
  CHECK(item.pos.column == 7);
  const Node* port = item.Find("portMapping")->Find("port");
  CHECK(port->pos.line == 4);
  CHECK(port->pos.column == 15);
  const MapEntry* logging = spec.FindEntry("logging");
  CHECK(logging->value.IsNull());
  CHECK(logging->value.pos.line == 5);
}

TEST_CASE("Scalars are typed by the YAML 1.2 core schema, and quoting makes a string") {
  struct Case {
    const char* yaml;
    ScalarType type;
  } cases[] = {
      {"v: true", ScalarType::kBool},     {"v: False", ScalarType::kBool},
      {"v: 'true'", ScalarType::kString}, {"v: true,", ScalarType::kString},
      {"v: 6379", ScalarType::kInt},      {"v: \"6379\"", ScalarType::kString},
      {"v: 0x1F", ScalarType::kInt},      {"v: 1.5", ScalarType::kFloat},
      {"v: ~", ScalarType::kNull},        {"v:", ScalarType::kNull},
      {"v: yes", ScalarType::kString},    {"v: |\n  6379\n", ScalarType::kString},
      {"v: CA_ARN", ScalarType::kString},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto docs = ParseDocuments(c.yaml);
    REQUIRE(docs.size() == 1);
    CHECK(docs[0].root->Find("v")->Resolve() == c.type);
  }
}

TEST_CASE("A tree becomes JSON with typed scalars") {
  auto docs = ParseDocuments("a: 1\nb: 'x'\nc: [true, null]\nd: {e: 010}\n");
  auto json = docs.at(0).root->ToJson();
  CHECK(json == nlohmann::json{{"a", 1}, {"b", "x"}, {"c", {true, nullptr}}, {"d", {{"e", 10}}}});
}

TEST_CASE("Plain text reads as scalar documents, which is why content decides what a file is") {
  auto docs = ParseDocuments("package.x = {\n    a = (1.0);\n};\n");
  REQUIRE(docs.size() == 1);
  REQUIRE(docs[0].root);
  CHECK(docs[0].root->IsScalar());
}

TEST_CASE(
    "An alias bomb is refused at its document's position, naming the budget, and spares "
    "the others") {
  // Without the budget the walk would run for hours; the CTest timeout catches that.
  auto docs =
      ParseDocuments("a: 1\n---\n" + crossmesh::testing::AliasBombEntries() + "---\nb: 2\n");

  REQUIRE(docs.size() == 3);
  CHECK_FALSE(docs[1].root);
  REQUIRE(docs[1].error);
  CHECK(docs[1].error->pos.line == 3);
  CHECK(docs[1].error->pos.column == 1);
  CHECK_THAT(docs[1].error->message,
             Catch::StartsWith("too many nodes (more than 100000 keys, values and list items,") &&
                 Catch::EndsWith("use fewer aliases, or split the file into smaller ones"));
  REQUIRE(docs[2].root);
  CHECK(docs[2].root->Text("b") == "2");
}

TEST_CASE("An alias loop is refused, not followed 200 levels down") {
  auto docs = ParseDocuments("a: &loop\n  b: *loop\n");
  REQUIRE(docs.size() == 1);
  REQUIRE(docs[0].error);
  CHECK_THAT(docs[0].error->message, Catch::Contains("nested deeper than 200 levels"));
}

TEST_CASE("A few anchors and aliases still read, each alias as a copy of its anchor's value") {
  auto docs = ParseDocuments(
      "defaults: &defaults {port: 8080, protocol: http}\n"
      "listeners:\n  - *defaults\n  - *defaults\n"
      "names: &names [a, b]\nmore: [*names, *names]\n");
  REQUIRE(docs.size() == 1);
  REQUIRE(docs[0].root);
  CHECK(docs[0].root->ToJson() ==
        nlohmann::json::parse(R"({"defaults": {"port": 8080, "protocol": "http"},
            "listeners": [{"port": 8080, "protocol": "http"}, {"port": 8080, "protocol": "http"}],
            "names": ["a", "b"], "more": [["a", "b"], ["a", "b"]]})"));
}
