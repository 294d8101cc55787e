// A quote left open in a manifest is reported where it opened, not as the fields it swallowed;
// quoted values that really span lines still read as one string.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "harness/manifests/syntax_hints.h"
#include "harness/manifests/yaml_tree.h"
#include "tests/manifests/manifest_test_util.h"

using namespace crossmesh::manifests;
using namespace crossmesh::testing;

TEST_CASE("A quote left open is a syntax error where it opened, wherever the parser gives up") {
  struct Case {
    const char* what;
    std::string yaml;
    int line;
    int column;
    const char* says;
  };
  const Case cases[] = {
      {"no quote after it: the parser reads to the end without complaint",
       "kind: VirtualNode\nmetadata:\n  name: \"yelb-db\n  namespace: yelb\nspec:\n  x: 1\n", 3, 9,
       "its double quote has no match before 'namespace:' on line 4"},
      {"a later quote closes it and the parser fails further down",
       "kind: VirtualNode\nmetadata:\n  name: \"yelb-db\n  namespace: yelb\nspec:\n"
       "  x: \"y\"\n",
       3, 9, "before 'namespace:' on line 4"},
      {"in a list item, swallowing the next item's key",
       "spec:\n  backends:\n    - name: \"a\n    - name: b\n  x: \"y\"\n", 3, 13,
       "before 'name:' on line 4"},
      {"a single quote", "metadata:\n  name: 'yelb-db\n  namespace: yelb\n", 2, 9,
       "its single quote has no match before 'namespace:' on line 3"},
      {"after a block scalar holding a quote of its own",
       "data:\n  text: |\n    he said \"hi\n  name: \"x\n  other: 1\nz: \"q\"\n", 4, 9,
       "before 'other:' on line 5"},
  };
  for (const Case& c : cases) {
    INFO(c.what << "\n" << c.yaml);
    auto docs = ParseDocuments(c.yaml);
    REQUIRE(docs.size() == 1);
    REQUIRE(docs[0].error);
    INFO(docs[0].error->message);
    CHECK(docs[0].error->pos.line == c.line);
    CHECK(docs[0].error->pos.column == c.column);
    CHECK_THAT(
        docs[0].error->message,
        Catch::StartsWith("quoted value is not closed on its line") && Catch::Contains(c.says));
  }
}

TEST_CASE("Quoted values that span lines legitimately still read as one string") {
  struct Case {
    const char* what;
    std::string yaml;
    const char* value;
  };
  const Case cases[] = {
      {"continued deeper than its key, with a colon", "a: \"one\n  two: three\"\nb: 2\n",
       "one two: three"},
      {"continued at the margin, no key on the line", "a: \"one\ntwo\"\nb: 2\n", "one two"},
      {"in a list item", "l:\n  - a: \"one\n      b: c\"\n", "one b: c"},
      {"JSON flow style", "{\"a\": \"one\n  two\", \"b\": 2}\n", "one two"},
  };
  for (const Case& c : cases) {
    INFO(c.what << "\n" << c.yaml);
    auto docs = ParseDocuments(c.yaml);
    REQUIRE(docs.size() == 1);
    REQUIRE_FALSE(docs[0].error);
    const Node* a = docs[0].root->Find("a");
    if (!a) a = docs[0].root->Find("l")->items.at(0).Find("a");
    REQUIRE(a);
    CHECK(a->scalar == c.value);
  }
}

TEST_CASE("A syntax error below a legitimate multi-line string is not blamed on its quote") {
  auto docs = ParseDocuments("a: \"one\n  two: three\"\nb: 1\n  c: 2\n");
  REQUIRE(docs.size() == 1);
  REQUIRE(docs[0].error);
  CHECK(docs[0].error->pos.line == 4);
  CHECK_THAT(docs[0].error->message, !Catch::Contains("quoted value is not closed"));
}

TEST_CASE("lint reports an unclosed quote once, at the quote, with how to close it") {
  int line = 0;
  std::string text = Edit(ReadText(ManifestFixture("yelb-db.yaml")), "  name: yelb-db\n",
                          "  name: \"yelb-db\n", &line);
  auto findings = LintText("yelb-db.yaml", text);
  INFO(Summary(findings));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "yaml-syntax");
  CHECK(findings[0].pos.line == line);
  CHECK(findings[0].pos.column == 9);
  CHECK_THAT(findings[0].message,
             Catch::Contains("before 'namespace:' on line " + std::to_string(line + 1)));
  CHECK_THAT(findings[0].hint,
             Catch::Contains(fmt::format("close the quote opened at line {} column 9", line)) &&
                 Catch::Contains("'\"'"));
}

// The syntax hints scan each line with regular expressions; std::regex overflowed the stack on
// a line of 30,000 characters, and on a long scalar when lint resolved its type.
TEST_CASE("lint reports a syntax error on a 100 KB line, and types a 100 KB scalar, as usual") {
  const std::string line = "data: {k: " + std::string(100000, 'a') + " ]\n";
  auto findings =
      LintText("long.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" + line);
  INFO(Summary(findings));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "yaml-syntax");
  CHECK(findings[0].pos.line == 4);

  const std::string digits(100000, '7');
  findings =
      LintText("long.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + digits + "}\n");
  INFO(Summary(findings));
  CHECK_FALSE(findings.empty());  // a name of 100,000 digits is too long, not a crash
}
