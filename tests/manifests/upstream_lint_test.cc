// `crossmesh lint` on the upstream walkthrough's files, read from ../shared (never copied): what
// each reports, at which line, and why.
#include <catch2/catch.hpp>
#include <set>

#include "harness/manifests/lint.h"
#include "tests/manifests/manifest_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;

namespace {

using LineRule = std::pair<int, std::string>;

std::set<LineRule> LinesAndRules(const std::vector<manifests::Finding>& findings) {
  std::set<LineRule> out;
  for (const auto& f : findings) out.insert({f.pos.line, f.rule});
  return out;
}

std::vector<manifests::Finding> LintUpstream(const std::string& relative) {
  return manifests::LintPaths({UpstreamFixture(relative)});
}

const manifests::Finding* FindRule(const std::vector<manifests::Finding>& findings,
                                   const std::string& rule, int line) {
  for (const auto& f : findings) {
    if (f.rule == rule && f.pos.line == line) return &f;
  }
  return nullptr;
}

struct UpdateFile {
  const char* name;
  const char* certificate_placeholder;
  std::set<LineRule> extra;  // findings only this file has
};

const UpdateFile kUpdateFiles[] = {
    {"appserver_update.yaml", "<CERTIFICATE_ARN>", {}},
    {"redis_update.yaml", "<CERTIFICATE_ARN>", {}},
    {"yelb_db_update.yaml", "<CERTIFICATE_ARN>", {}},
    {"yelb_ui_update.yaml", "<FRONTEND_CERTIFICATE_ARN>", {{33, "placeholder"}}},
};

// The two defects that stop the files parsing: "enforce: true," and the validation block two
// columns too deep. Nothing else is touched.
std::string RepairSyntax(const std::string& text) {
  std::string repaired = Edit(text, "enforce: true,\n", "enforce: true\n");
  return Edit(repaired,
              "          validation:\n            trust:\n              acm:\n"
              "                certificateAuthorityArns:",
              "        validation:\n          trust:\n            acm:\n"
              "              certificateAuthorityArns:");
}

}  // namespace

TEST_CASE("lint reports the upstream update manifests' syntax error at 11:21 with its causes") {
  for (const auto& file : kUpdateFiles) {
    INFO(file.name);
    auto findings = LintUpstream(std::string("mesh/") + file.name);
    INFO(Summary(findings));
    std::set<LineRule> expected = {{11, "yaml-syntax"}, {14, "placeholder"}, {26, "placeholder"}};
    expected.insert(file.extra.begin(), file.extra.end());
    CHECK(LinesAndRules(findings) == expected);

    const auto* syntax = FindRule(findings, "yaml-syntax", 11);
    REQUIRE(syntax);
    CHECK(syntax->pos.column == 21);
    CHECK(syntax->severity == manifests::Severity::kError);
    CHECK_THAT(syntax->hint,
               Catch::Contains("a ',' after a scalar in block style is not a separator") &&
                   Catch::Contains("'enforce: true,'"));
    CHECK_THAT(syntax->hint, Catch::Contains("this key is indented deeper than its siblings") &&
                                 Catch::Contains("'validation'"));

    CHECK_THAT(FindRule(findings, "placeholder", 14)->message, Catch::Contains("'CA_ARN'"));
    CHECK_THAT(FindRule(findings, "placeholder", 26)->message,
               Catch::Contains(file.certificate_placeholder));
  }
}

TEST_CASE("lint on a copy with the two syntax defects repaired reports the schema defects") {
  for (const auto& file : kUpdateFiles) {
    INFO(file.name);
    TempDir dir;
    std::string path = dir.Write(
        file.name, RepairSyntax(ReadText(UpstreamFixture(std::string("mesh/") + file.name))));
    auto findings = manifests::LintPaths({path});
    INFO(Summary(findings));
    std::set<LineRule> expected = {
        {14, "placeholder"}, {14, "field-spelling"}, {14, "wrong-type"},   {22, "missing-field"},
        {26, "placeholder"}, {26, "field-spelling"}, {27, "unknown-field"}};
    expected.insert(file.extra.begin(), file.extra.end());
    CHECK(LinesAndRules(findings) == expected);

    const auto* scalar = FindRule(findings, "wrong-type", 14);
    REQUIRE(scalar);
    CHECK_THAT(scalar->message, Catch::Contains("certificateAuthorityArns must be a list") &&
                                    Catch::Contains("'CA_ARN'"));
    const auto* split = FindRule(findings, "missing-field", 22);
    REQUIRE(split);
    CHECK_THAT(split->message,
               Catch::Contains("spec.listeners[1]") && Catch::Contains("'portMapping'"));
    CHECK_THAT(split->hint, Catch::Contains("line 19"));
    const auto* protocol = FindRule(findings, "unknown-field", 27);
    REQUIRE(protocol);
    CHECK_THAT(protocol->message,
               Catch::Contains("'protocol'") && Catch::Contains("spec.listeners[1].tls"));
    CHECK_THAT(protocol->hint, Catch::Contains("portMapping"));
  }
}

TEST_CASE("lint says mesh/Config is not a manifest, though a YAML parser accepts it") {
  auto findings = LintUpstream("mesh/Config");
  INFO(Summary(findings));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "not-a-manifest");
  CHECK(findings[0].pos.line == 1);
  CHECK_THAT(findings[0].message, Catch::Contains("not a Kubernetes manifest"));
}

TEST_CASE("lint reports yelb-ui.yaml for its placeholder backend ARN and nothing else") {
  auto findings = LintUpstream("mesh/yelb-ui.yaml");
  INFO(Summary(findings));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "placeholder");
  CHECK(findings[0].pos.line == 19);
  CHECK(findings[0].pos.column == 27);
  CHECK_THAT(findings[0].message, Catch::Contains("<yelb-appserver virtualServiceARN>"));
}

TEST_CASE("lint finds nothing in yelb-redis.yaml, yelb-db.yaml and yelb-appserver.yaml") {
  for (const char* name :
       {"mesh/yelb-redis.yaml", "mesh/yelb-db.yaml", "mesh/yelb-appserver.yaml"}) {
    INFO(name);
    auto findings = LintUpstream(name);
    INFO(Summary(findings));
    CHECK(findings.empty());
  }
}

TEST_CASE("lint reports the placeholders of the JSON templates, and nothing once substituted") {
  struct Template {
    const char* name;
    int ca, certificate, owner;
    const char* certificate_token;
  } templates[] = {
      {"appserver_update", 14, 43, 59, "CERTIFICATE_ARN"},
      {"redis_update", 14, 32, 46, "CERTIFICATE_ARN"},
      {"yelb_db_update", 14, 32, 46, "CERTIFICATE_ARN"},
      {"yelb_ui_update", 14, 38, 52, "FRONTEND_CERTIFICATE_ARN"},
  };
  for (const auto& t : templates) {
    INFO(t.name);
    std::string text = ReadText(UpstreamFixture(std::string("mesh/") + t.name));
    auto findings = LintText(t.name, text);
    INFO(Summary(findings));
    CHECK(LinesAndRules(findings) == std::set<LineRule>{{t.ca, "placeholder"},
                                                        {t.certificate, "placeholder"},
                                                        {t.owner, "placeholder"}});

    // The walkthrough's script substituted these with sed; so does the test.
    text = Edit(text, "\"CA_ARN\"",
                "\"arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"
                "8d1f6f2e-3c4b-4a5e-9f10-2b7c6d5e4a31\"");
    text = Edit(text, std::string("\"") + t.certificate_token + "\"",
                "\"arn:aws:acm:us-west-2:222222222222:certificate/"
                "5b2e7c1a-9d4f-4e8b-a6c3-1f0e2d3c4b5a\"");
    text = Edit(text, "\"FRONTEND_ACCOUNT\"", "\"111111111111\"");
    auto substituted = LintText(t.name, text);
    INFO(Summary(substituted));
    CHECK(substituted.empty());
  }
}

TEST_CASE("crossmesh lint prints FILE:LINE:COLUMN findings, JSON on request, and its exit status") {
  std::string update = UpstreamFixture("mesh/appserver_update.yaml");
  auto text = RunCommand({CrossmeshBinary(), "lint", update});
  CHECK(text.exit_code == 1);
  CHECK_THAT(text.out, Catch::StartsWith(update + ":11:21: error: YAML syntax error"));
  CHECK_THAT(text.err, Catch::Contains("3 errors, 0 warnings in 1 file"));

  auto json = RunCommand({CrossmeshBinary(), "lint", "--format", "json", update});
  CHECK(json.exit_code == 1);
  auto findings = json.Json();
  REQUIRE(findings.is_array());
  REQUIRE(findings.size() == 3);
  for (const char* key : {"file", "line", "column", "severity", "rule", "message", "hint"}) {
    CHECK(findings[0].contains(key));
  }
  CHECK(findings[0]["line"] == 11);
  CHECK(findings[0]["column"] == 21);
  CHECK(findings[0]["rule"] == "yaml-syntax");

  auto clean = RunCommand({CrossmeshBinary(), "lint", UpstreamFixture("mesh/yelb-db.yaml"),
                           ManifestFixture("yelb-appserver.yaml")});
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.empty());

  auto missing = RunCommand({CrossmeshBinary(), "lint", "/nonexistent/manifest.yaml"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.out, Catch::Contains("cannot read file '/nonexistent/manifest.yaml'"));
}
