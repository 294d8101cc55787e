// `crossmesh lint` on scenario files: which files are scenarios, and what `crossmesh run` would
// refuse reported as lint findings, beside manifests' findings, without running anything.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness/scenario/scenario_lint.h"
#include "tests/support/test_emulator.h"

namespace {

using crossmesh::manifests::Finding;
using crossmesh::scenario::LintFiles;
using crossmesh::scenario::LintScenarioFile;
using crossmesh::scenario::LooksLikeScenario;
using crossmesh::testing::RunCommand;
using crossmesh::testing::TempDir;

constexpr const char* kFixtures = CROSSMESH_SOURCE_DIR "/fixtures";
constexpr const char* kCrossmesh = CROSSMESH_BINARY_DIR "/cli/crossmesh";

// A step with a field no step has, and an expectation on a step that does not exist.
constexpr const char* kBadScenario = R"(name: bad
steps:
  - name: who am I
    as: frontend
    call: sts GetCallerIdentity
    retries: 3
expect:
  - name: nothing
    step: who am I
)";

TEST_CASE("Every shipped scenario reads as a scenario and lints clean") {
  size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CROSSMESH_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    ++seen;
    const std::vector<Finding> findings = LintScenarioFile(entry.path().string(), kFixtures);
    INFO(entry.path().string() << ": " << (findings.empty() ? "" : findings[0].ToText()));
    CHECK(findings.empty());
  }
  CHECK(seen >= 10);
}

TEST_CASE("Scenario files are told from manifests by their top-level keys") {
  CHECK(LooksLikeScenario("name: x\nsteps: []\n"));
  CHECK(LooksLikeScenario("# a comment\n\"expect\": []\n"));
  // Broken YAML is still a scenario: its syntax error is the scenario reader's to explain.
  CHECK(LooksLikeScenario("name: \"unclosed\nyelb:\n  mesh: [\n"));

  CHECK_FALSE(LooksLikeScenario("apiVersion: v1\nkind: Namespace\nmetadata: {name: yelb}\n"));
  CHECK_FALSE(LooksLikeScenario("kind: VirtualNode\nspec:\n  steps: []\n"));
  CHECK_FALSE(LooksLikeScenario("{\"meshName\": \"m\", \"spec\": {}}\n"));
  CHECK_FALSE(LooksLikeScenario("name: only a name\ndescription: and words\n"));
  CHECK_FALSE(LooksLikeScenario("items:\n  - steps: []\n"));
}

TEST_CASE("A scenario's problems are findings at their lines, with what is wrong and the fix") {
  TempDir dir;
  const std::string file = dir.path() + "/bad.yaml";
  std::ofstream(file) << kBadScenario;

  const std::vector<Finding> findings = LintScenarioFile(file, kFixtures);

  REQUIRE(findings.size() == 2);
  CHECK(findings[0].file == file);
  CHECK(findings[0].pos.line == 6);
  CHECK(findings[0].pos.column == 5);
  CHECK(findings[0].rule == "scenario");
  CHECK(findings[0].message == "unknown field 'retries' in a step");
  CHECK_THAT(findings[0].hint, Catch::StartsWith("allowed fields: name, as,"));
  CHECK(findings[1].pos.line == 8);  // the expectation's own line
  CHECK_THAT(findings[1].message, Catch::Contains("checks nothing"));
}

TEST_CASE("A scenario file that cannot be read is one finding naming why") {
  const std::vector<Finding> findings = LintScenarioFile("/nonexistent/s.yaml", kFixtures);

  REQUIRE(findings.size() == 1);
  CHECK(findings[0].pos.line == 1);
  CHECK_THAT(findings[0].ToText(), Catch::Contains("/nonexistent/s.yaml"));
}

TEST_CASE("A scenario is linted as one from a pipe, which can be read only once") {
  int ends[2];
  REQUIRE(::pipe(ends) == 0);
  const std::string text = kBadScenario;
  REQUIRE(::write(ends[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::close(ends[1]);
  const std::string path = "/dev/fd/" + std::to_string(ends[0]);

  const std::vector<Finding> findings = LintFiles({path}, kFixtures);
  ::close(ends[0]);

  REQUIRE(findings.size() == 2);
  CHECK(findings[0].rule == "scenario");
  CHECK(findings[0].message == "unknown field 'retries' in a step");
}

TEST_CASE("A piped scenario's relative paths start from the working folder, not /dev/fd") {
  TempDir dir;
  std::ofstream(dir.path() + "/base.yaml") << "name: base\nsteps: []\n";
  const std::string text = "name: piped\nextends: base.yaml\n";
  int ends[2];
  REQUIRE(::pipe(ends) == 0);
  REQUIRE(::write(ends[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::close(ends[1]);
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());

  const std::vector<Finding> findings =
      LintFiles({"/dev/fd/" + std::to_string(ends[0])}, kFixtures);
  std::filesystem::current_path(before);
  ::close(ends[0]);

  INFO((findings.empty() ? "" : findings[0].ToText()));
  CHECK(findings.empty());
}

TEST_CASE("A scenario over 1 MiB is refused as a scenario, not called a stray file") {
  TempDir dir;
  const std::string file = dir.path() + "/huge.yaml";
  std::ofstream(file) << kBadScenario << "# " << std::string(size_t{2} << 20, 'x') << "\n";

  const std::vector<Finding> findings = LintFiles({file}, kFixtures);

  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "scenario");
  CHECK_THAT(findings[0].message, Catch::EndsWith("it is over 1 MiB"));
}

TEST_CASE("crossmesh lint checks scenario files beside manifests, in text and in JSON") {
  TempDir dir;
  const std::string bad = dir.path() + "/bad.yaml";
  std::ofstream(bad) << kBadScenario;
  const std::string manifest = std::string(kFixtures) + "/manifests/yelb-ui.yaml";
  const std::string good = CROSSMESH_SOURCE_DIR "/scenarios/walkthrough.yaml";

  auto text = RunCommand({kCrossmesh, "lint", good, bad, manifest});
  INFO(text.out << text.err);
  CHECK(text.exit_code == 1);
  CHECK_THAT(text.out, Catch::StartsWith(bad + ":6:5: error: unknown field 'retries' in a step; "
                                               "allowed fields:"));
  CHECK_THAT(text.err, Catch::Contains("2 errors, 0 warnings in 3 files"));

  auto json = RunCommand({kCrossmesh, "lint", "--format", "json", bad});
  CHECK(json.exit_code == 1);
  REQUIRE(json.Json().is_array());
  REQUIRE(json.Json().size() == 2);
  CHECK(json.Json()[0]["rule"] == "scenario");
  CHECK(json.Json()[0]["line"] == 6);

  // A Latin-1 byte is refused where it is, and the JSON stays valid.
  const std::string binary = dir.path() + "/binary.yaml";
  std::ofstream(binary) << "name: x\nsteps: []\nfo\xffo: 1\n";
  auto latin1 = RunCommand({kCrossmesh, "lint", "--format", "json", binary});
  INFO(latin1.out << latin1.err);
  CHECK(latin1.exit_code == 1);
  REQUIRE(latin1.Json().is_array());
  CHECK(latin1.Json()[0]["line"] == 3);
  CHECK(latin1.Json()[0]["column"] == 3);
  CHECK_THAT(latin1.Json()[0]["message"].get<std::string>(),
             Catch::Contains("it is not UTF-8 text: byte 0xFF at line 3, column 3"));

  auto clean = RunCommand({kCrossmesh, "lint", good, manifest});
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.empty());
}

}  // namespace
