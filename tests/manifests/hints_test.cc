// The general rules behind syntax hints and placeholder findings, on text of their own.
#include <catch2/catch.hpp>

#include "harness/manifests/placeholders.h"
#include "harness/manifests/syntax_hints.h"

using namespace crossmesh::manifests;

namespace {

std::string HintFor(const std::string& text) {
  auto docs = ParseDocuments(text);
  REQUIRE(docs.size() == 1);
  REQUIRE(docs[0].error);
  return ExplainSyntaxError(text, *docs[0].error);
}

}  // namespace

TEST_CASE("A stray ',' after a block scalar is named as the cause, wherever it is") {
  std::string hint = HintFor("spec:\n  retries: 3,\n    budget: 2\n");
  CHECK_THAT(hint, Catch::Contains("a ',' after a scalar in block style is not a separator") &&
                       Catch::Contains("'retries: 3,'") && Catch::Contains("line 2"));
  CHECK_THAT(hint, Catch::Contains("this key is indented deeper than its siblings") &&
                       Catch::Contains("'budget'") && Catch::Contains("column 3"));
}

TEST_CASE("A key indented under a key that has a value is named, with the column to use") {
  std::string hint = HintFor("metadata:\n  name: web\n    namespace: shop\n");
  CHECK_THAT(hint, Catch::Contains("'namespace' (column 5) sits under 'name' (line 2)"));
  CHECK_THAT(hint, Catch::Contains("indent it to column 3"));
  CHECK_THAT(hint, !Catch::Contains("','"));
}

TEST_CASE("Tabs in indentation and unquoted ': ' in values are named") {
  CHECK_THAT(HintFor("a:\n\tb: 1\n"), Catch::Contains("tabs"));
  CHECK_THAT(HintFor("command: echo a: b\n"), Catch::Contains("quote the whole value"));
}

TEST_CASE("Placeholders are template tokens, not enum values or identifiers in their place") {
  struct Case {
    const char* value;
    bool placeholder;
  } cases[] = {
      {"<yelb-appserver virtualServiceARN>", true},
      {"CA_ARN", true},
      {"FRONTEND_ACCOUNT", true},
      {"MY_MESH_NAME", true},
      {"ALLOW_ALL", false},
      {"IPv4_ONLY", false},
      {"STRICT", false},
      {"arn:aws:acm:us-west-2:1:certificate/x", false},
      {"a<b", false},
      {"SOME_THING", false},
  };
  for (const auto& c : cases) {
    INFO(c.value);
    CHECK(LooksLikePlaceholder(c.value) == c.placeholder);
  }
}

TEST_CASE("The placeholder scan reads raw lines: flow lists, JSON, list items, not env names") {
  std::string text =
      "trust:\n"
      "  certificateAuthorityARNs: [CA_ARN, 'OTHER_ARN']\n"
      "env:\n"
      "  - name: AWS_REGION\n"
      "    value: <region>   # filled in later\n"
      "{\"meshOwner\": \"OWNER_ACCOUNT\"}\n"
      "owners:\n"
      "  - TEAM_ACCOUNT_ID\n";
  auto findings = FindPlaceholders("f.yaml", text);
  std::vector<std::tuple<int, int, std::string>> got;
  for (const auto& f : findings) got.emplace_back(f.pos.line, f.pos.column, f.rule);
  CHECK(got == std::vector<std::tuple<int, int, std::string>>{{2, 30, "placeholder"},
                                                              {2, 39, "placeholder"},
                                                              {5, 12, "placeholder"},
                                                              {6, 16, "placeholder"},
                                                              {8, 5, "placeholder"}});
  CHECK_THAT(findings.at(1).hint, Catch::Contains("ARN for 'certificateAuthorityARNs'"));
  CHECK_THAT(findings.at(3).hint, Catch::Contains("account id for 'meshOwner'"));
  CHECK_THAT(findings.at(4).hint, Catch::Contains("'owners'"));
}
