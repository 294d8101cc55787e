// Scenario files are read strictly: each kind of mistake is reported with the file, the line
// and column where it was written, what is wrong and how to fix it, and nothing is run.
#include <fmt/format.h>

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "emulator/emulator.h"
#include "harness/scenario/scenario.h"
#include "tests/support/test_emulator.h"
#include "tests/support/yaml_alias_bomb.h"

using namespace crossmesh;
using namespace crossmesh::scenario;

namespace {

Result<Scenario> Parse(const std::string& text) {
  return LoadScenarioText(text, "test.yaml", CROSSMESH_SOURCE_DIR "/fixtures");
}

struct BadCase {
  const char* what;
  const char* yaml;
  int line;
  int column;
  const char* says;
};

}  // namespace

TEST_CASE("Each kind of mistake in a scenario file is reported at its line and column") {
  const BadCase cases[] = {
      {"unknown top-level field", "name: x\nstepz: []\n", 2, 1,
       "unknown field 'stepz' in the scenario; allowed fields: name, description"},
      {"unknown step field",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n"
       "    call: sts GetCallerIdentity\n    captrue: {a: b}\n",
       6, 5, "unknown field 'captrue' in a step"},
      {"wrong type: list expected", "name: x\nsteps: 3\n", 2, 8, "'steps' must be a list"},
      {"wrong type: number expected",
       "name: x\nyelb: {mesh: false}\ntraffic:\n  - name: t\n    journeys: [vote]\n"
       "    count: many\n",
       6, 12, "'count' must be a whole number, not the scalar 'many'"},
      {"wrong type: boolean expected", "name: x\nyelb: {mesh: maybe}\n", 2, 14,
       "'mesh' must be true or false"},
      {"wrong type: mapping expected", "name: x\nsteps:\n  - just a string\n", 3, 5,
       "a step must be a mapping of fields"},
      {"missing required field", "name: x\nsteps:\n  - name: a\n    call: sts GetCallerIdentity\n",
       3, 5, "step 'a' has no 'as'; add 'as: frontend'"},
      {"missing scenario name", "steps: []\n", 1, 1, "the scenario has no 'name'"},
      {"two kinds in one step",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: sts GetCallerIdentity\n"
       "    cli: sts get-caller-identity\n",
       3, 5, "needs exactly one of 'call'"},
      {"unknown service",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: s3 ListBuckets\n", 5, 11,
       "does not emulate service 's3'"},
      {"misspelt operation",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: acm-pca IssueCertficate\n", 5, 19,
       "'IssueCertficate' is not an operation of acm-pca; did you mean 'IssueCertificate'?"},
      {"REST call without a path",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: appmesh ListMeshes\n", 3, 5,
       "give 'method' and 'path'"},
      {"unknown account",
       "name: x\nsteps:\n  - name: a\n    as: staging\n    call: sts GetCallerIdentity\n", 3, 5,
       "no account named 'staging'"},
      {"unknown variable",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: acm DescribeCertificate\n"
       "    input: {CertificateArn: \"${cert_arm}\"}\n",
       6, 30, "unknown variable '${cert_arm}'"},  // at the reference, inside the quotes
      {"a method no AWS API uses",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: appmesh ListMeshes\n"
       "    method: FETCH\n    path: /v20190125/meshes\n",
       3, 5, "method 'FETCH' is not one the AWS APIs use"},
      {"a path without its slash",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: appmesh ListMeshes\n"
       "    method: GET\n    path: v20190125/meshes\n",
       3, 5, "path 'v20190125/meshes' must start with '/'"},
      {"variables in a cycle", "name: x\nvariables: {a: \"${b}\", b: \"${a}\"}\nsteps: []\n", 2, 28,
       "variables refer to each other in a cycle: a -> b -> a"},
      {"unbounded traffic",
       "name: x\nyelb: {mesh: false}\ntraffic:\n  - name: t\n    journeys: [vote]\n", 4, 5,
       "must be bounded"},
      {"unknown journey",
       "name: x\nyelb: {mesh: false}\ntraffic:\n  - name: t\n    journeys: [checkout]\n"
       "    count: 1\n",
       5, 16, "unknown journey 'checkout'"},
      {"bad duration", "name: x\ntimeline:\n  - advance_clock: soon\n", 3, 20,
       "invalid duration 'soon'"},
      {"two actions in one timeline entry",
       "name: x\ntimeline:\n  - advance_clock: 1d\n    sync: true\n", 3, 5,
       "a timeline entry does exactly one thing"},
      {"fault missing an argument", "name: x\ntimeline:\n  - disable_ca: {as: frontend}\n", 3, 17,
       "'disable_ca' needs 'ca'"},
      {"unknown check", "name: x\nexpect:\n  - votes: all\n    encrypted: true\n", 4, 5,
       "'encrypted' is not a check of 'votes'"},
      {"bad comparison", "name: x\nexpect:\n  - page_views: all\n    count: about 3\n", 4, 12,
       "must be a number or a comparison"},
      {"expectation on an unknown step", "name: x\nexpect:\n  - step: nothing\n    passed: true\n",
       3, 5, "no step is named 'nothing'"},
      {"duplicate key", "name: x\nname: y\n", 2, 1, "'name' is given twice"},
      {"YAML syntax error", "name: x\nsteps: [\n", 3, 1, "YAML syntax error"},
      {"page journey aimed past the UI",
       "name: x\nyelb: {mesh: true}\ntraffic:\n  - name: t\n    journeys: [load_page]\n"
       "    count: 1\n    target: yelb-appserver\n",
       7, 13, "only yelb-ui serves the page"},
      {"sidecar target without the mesh",
       "name: x\nyelb: {mesh: false}\ntraffic:\n  - name: t\n    journeys: [vote]\n"
       "    count: 1\n    target: yelb-appserver\n",
       4, 5, "Yelb runs without the mesh"},
      {"status that is not an HTTP status",
       "name: x\nyelb: {mesh: false}\ntraffic:\n  - name: t\n    journeys: [vote]\n"
       "    count: 1\nexpect:\n  - traffic: t\n    statuses: {\"5xx\": 0}\n",
       9, 15, "(\"0\": no answer)"},
      {"extending a missing file", "name: x\nextends: no-such-base.yaml\n", 2, 10, "cannot extend"},
      {"proxy fault without the mesh", "name: x\ntimeline:\n  - kill_proxy: yelb-ui\n", 3, 5,
       "'kill_proxy' needs Yelb on the mesh"},
      // Names of Yelb's nodes, checked before anything runs (they were found only when the
      // run reached them, after Yelb and its traffic).
      {"query service with nested input",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: iam GetRole\n"
       "    input: {RoleName: [a, b]}\n",
       3, 5, "'iam' is a query service: its input is a map of names to single values"},
      {"proxy fault on a node Yelb does not have",
       "name: x\nyelb: {mesh: true}\ntimeline:\n  - kill_proxy: ghost\n", 4, 5,
       "kill_proxy: 'ghost' is not one of Yelb's nodes: yelb-ui, yelb-appserver, yelb-db, "
       "redis-server"},
      {"stat of a proxy Yelb does not have",
       "name: x\nyelb: {mesh: true}\nexpect:\n  - stat: nosuchproxy\n    metric: a.b\n"
       "    value: 0\n",
       4, 5, "stat: 'nosuchproxy' is not one of Yelb's nodes"},
      {"hop written without its arrow",
       "name: x\nyelb: {mesh: true}\nexpect:\n  - hop: \"yelb-ui => yelb-appserver\"\n"
       "    encrypted: true\n",
       4, 5, "has no '->': write it as 'yelb-ui -> yelb-appserver'"},
      {"a clock advance finer than a second", "name: x\ntimeline:\n  - advance_clock: 1.5s\n", 3,
       20, "'advance_clock' moves in whole seconds; write e.g. 2s, not 1.5s"},
      {"a clock advance past 100 years", "name: x\ntimeline:\n  - advance_clock: 300y\n", 3, 20,
       "'advance_clock' moves at most 100 years per entry; split the advance"},
      {"an empty timeline entry name", "name: x\ntimeline:\n  - {name: \"\", advance_clock: 1d}\n",
       3, 12, "'name' is empty; give the entry a name or drop it"},
      {"an empty accounts list", "name: x\naccounts: []\n", 2, 11,
       "'accounts' is empty; list {name, id, region} entries, or drop it for the default "
       "frontend and backend"},
      {"a timeline step named twice",
       "name: x\ntimeline:\n  - name: b\n    step: {name: a, as: frontend, call: acm "
       "ListCertificates}\n",
       3, 11, "a timeline step is named inside 'step:' (it is 'a'); drop this 'name'"},
      {"a timeline entry named as a step is",
       "name: x\nsteps:\n  - {name: a, as: frontend, call: acm ListCertificates}\n"
       "timeline:\n  - {name: a, advance_clock: 1d}\n",
       5, 5,
       "'a' is the name of the step or timeline entry at line 3 too; names must be unique "
       "(expectations refer to them)"},
      {"hop judged since a step that does not exist",
       "name: x\nyelb: {mesh: true}\nexpect:\n  - hop: yelb-ui -> yelb-appserver\n"
       "    since: nothing\n    encrypted: true\n",
       4, 5, "'since' names no step: 'nothing'"},
      {"hop the wrong way round",
       "name: x\nyelb: {mesh: true}\nexpect:\n  - hop: yelb-appserver -> yelb-ui\n"
       "    encrypted: true\n",
       4, 5, "hop 'yelb-appserver -> yelb-ui' is not one Yelb makes"},
      {"traffic aimed at a node Yelb does not have",
       "name: x\nyelb: {mesh: true}\ntraffic:\n  - name: t\n    journeys: [vote]\n"
       "    count: 1\n    target: ghost-node\n",
       4, 5, "target: 'ghost-node' is not one of Yelb's nodes"},
      {"Yelb in an account that does not exist", "name: x\nyelb: {mesh: true, frontend: ghost}\n",
       2, 7, "no account named 'ghost'"},
      {"missing manifest file",
       "name: x\nmanifests:\n  - as: frontend\n    files: [no-such-file.yaml]\n", 4, 12,
       "manifest 'no-such-file.yaml' does not exist"},
      {"retry_while that is not a list",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: sts GetCallerIdentity\n"
       "    retry_while: 5\n",
       6, 18, "'retry_while' must be a list of error codes"},
      {"retry_while entry that is a number",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: sts GetCallerIdentity\n"
       "    retry_while: [RequestInProgressException, 5]\n",
       6, 47,
       "each retry_while entry must be an error code string such as ThrottlingException or "
       "ResourceNotFoundException (letters, digits, dots and underscores, starting with a "
       "letter), not the scalar '5'"},
      {"retry_while entry that is a boolean",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: sts GetCallerIdentity\n"
       "    retry_while:\n      - true\n",
       7, 9, "each retry_while entry must be an error code string"},
      {"wait_until longer than a step may take",
       "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: sts GetCallerIdentity\n"
       "    wait_until: {path: A, equals: B, timeout: 999h}\n",
       6, 47, "'timeout' is at most 60s, the cap on a step"},
      {"matches with a broken regular expression",
       "name: x\nvariables: {v: a}\nexpect:\n  - variable: v\n    matches: \"([unclosed\"\n", 5, 14,
       "'matches' is not a valid regular expression"},
      {"a quote left open, which YAML would read to the end of the file",
       "name: \"unterminated\nsteps: []\n", 1, 7,
       "quoted value is not closed on its line (its double quote has no match before 'steps:' "
       "on line 2); close the quote on its line"},
      {"a second document, which would be ignored", "name: a\n---\nname: b\n", 3, 1,
       "a scenario file holds one document, and this one after '---' would be ignored"},
  };
  for (const auto& c : cases) {
    INFO(c.what << "\n" << c.yaml);
    auto parsed = Parse(c.yaml);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == "InvalidScenario");
    const std::string& message = parsed.status().message();
    INFO(message);
    CHECK(message.rfind(fmt::format("test.yaml:{}:{}: ", c.line, c.column), 0) == 0);
    CHECK(message.find(c.says) != std::string::npos);
  }
}

TEST_CASE("Every mistake in a scenario file is reported at once, in file order") {
  auto parsed = Parse(
      "name: x\n"
      "descriptoin: typo\n"
      "yelb: {mesh: maybe}\n"
      "steps:\n"
      "  - name: a\n"
      "    as: frontend\n"
      "    call: s3 ListBuckets\n"
      "  - name: b\n"
      "    as: frontend\n"
      "    call: sts GetCallerIdentity\n"
      "    captrue: {a: b}\n"
      "timeline:\n"
      "  - advance_clock: soon\n");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == "InvalidScenario");
  const std::string& message = parsed.status().message();
  INFO(message);
  CHECK(message.rfind("test.yaml:2:1: unknown field 'descriptoin' in the scenario", 0) == 0);
  CHECK_THAT(message, Catch::Contains("\ntest.yaml:3:14: 'mesh' must be true or false"));
  CHECK_THAT(message, Catch::Contains("\ntest.yaml:7:11: ") &&
                          Catch::Contains("does not emulate service 's3'"));
  CHECK_THAT(message, Catch::Contains("\ntest.yaml:11:5: unknown field 'captrue' in a step"));
  CHECK_THAT(message,
             Catch::Contains("\ntest.yaml:13:20: ") && Catch::Contains("invalid duration 'soon'"));
  CHECK_THAT(message, Catch::EndsWith("(5 problems)"));
}

TEST_CASE("A name used by a broken step is not reported a second time as missing") {
  auto parsed = Parse(
      "name: x\n"
      "steps:\n"
      "  - name: a\n"
      "    as: frontend\n"
      "    call: s3 ListBuckets\n"
      "expect:\n"
      "  - step: a\n"
      "    passed: true\n");
  REQUIRE_FALSE(parsed.ok());
  const std::string& message = parsed.status().message();
  INFO(message);
  CHECK_THAT(message, Catch::Contains("does not emulate service 's3'"));
  CHECK_THAT(message, !Catch::Contains("no step is named"));
  CHECK_THAT(message, !Catch::Contains("problems)"));
}

TEST_CASE("A missing scenario file or a folder is an InvalidScenario error saying why") {
  auto parsed = LoadScenarioFile("/nonexistent/scenario.yaml", "");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == "InvalidScenario");
  CHECK(parsed.status().message() ==
        "cannot read scenario file '/nonexistent/scenario.yaml': No such file or directory");

  auto folder = LoadScenarioFile(CROSSMESH_SOURCE_DIR "/scenarios", "");
  REQUIRE_FALSE(folder.ok());
  CHECK_THAT(folder.status().message(), Catch::EndsWith("it is a folder; give a file"));
}

TEST_CASE("A scenario file may end with a '---' and nothing after it") {
  auto parsed = Parse("name: a\n---\n");
  INFO(parsed.status().message());
  CHECK(parsed.ok());
}

TEST_CASE("A complete scenario file is read into steps, traffic, timeline and expectations") {
  auto parsed = Parse(R"(name: full
accounts:
  - {name: frontend, id: "111111111111"}
  - {name: backend, id: "222222222222", region: eu-west-1}
variables: {mesh: am-multi-account-mesh}
steps:
  - name: who
    as: backend
    call: sts GetCallerIdentity
    via: in-process
    capture: {me: Account}
  - name: share
    as: frontend
    call: ram CreateResourceShare
    input: {name: s, principals: ["${backend.account_id}"], allowExternalPrincipals: true}
  - name: list
    as: frontend
    cli: acm-pca list-certificate-authorities
  - name: denied
    as: backend
    call: acm-pca DescribeCertificateAuthority
    input: {CertificateAuthorityArn: "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/x"}
    expect_error: AccessDeniedException
manifests:
  - as: frontend
    files: ["${fixtures}/manifests/mesh-frontend.yaml"]
    replace: {"111111111111": "${frontend.account_id}"}
yelb: {mesh: false}
traffic:
  - name: votes
    journeys: {vote: 3, load_page: 1}
    restaurants: [ihop]
    rate: 20
    duration: 1.5s
timeline:
  - traffic: votes
    background: true
  - at: 500ms
    advance_clock: 12 months
  - wait: votes
expect:
  - variable: me
    equals: "${backend.account_id}"
  - traffic: votes
    success_rate: ">= 0.99"
    statuses: {"503": 0}
  - votes: all
    match_traffic: true
)");
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  const Scenario& s = *parsed;
  CHECK(s.name == "full");
  CHECK(s.accounts.FindByName("backend")->default_region == "eu-west-1");
  REQUIRE(s.steps.size() == 4);
  CHECK(s.steps[0].via == Transport::kInProcess);
  CHECK(s.steps[0].capture.at("me") == "Account");
  CHECK(s.steps[1].method == "POST");
  CHECK(s.steps[1].path == "/createresourceshare");
  CHECK(s.steps[1].input["allowExternalPrincipals"] == true);
  CHECK(s.steps[2].kind == StepKind::kCli);
  CHECK(s.steps[2].cli_args == std::vector<std::string>{"acm-pca", "list-certificate-authorities"});
  CHECK(s.steps[3].expect_error == "AccessDeniedException");
  REQUIRE(s.manifests.size() == 1);
  CHECK(s.manifests[0].files[0] == CROSSMESH_SOURCE_DIR "/fixtures/manifests/mesh-frontend.yaml");
  REQUIRE(s.traffic.size() == 1);
  CHECK(s.traffic[0].journeys.size() == 2);
  CHECK(s.traffic[0].duration == std::chrono::milliseconds(1500));
  REQUIRE(s.timeline.size() == 3);
  CHECK(s.timeline[0].background);
  CHECK(s.timeline[1].at == std::chrono::milliseconds(500));
  CHECK(s.timeline[1].clock_by == std::chrono::hours(24 * 360));
  REQUIRE(s.expect.size() == 3);
  CHECK(s.expect[1].checks.at("statuses")["503"] == "0");
}

TEST_CASE("Manifest paths may start with ${scenario_dir}, the folder of the scenario file") {
  auto parsed = LoadScenarioText(R"(name: relative
manifests:
  - as: frontend
    files: ["${scenario_dir}/../fixtures/manifests/mesh-frontend.yaml"]
)",
                                 CROSSMESH_SOURCE_DIR "/scenarios/relative.yaml", "/nonexistent");
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  CHECK(parsed->manifests[0].files[0] == CROSSMESH_SOURCE_DIR
        "/fixtures/manifests/mesh-frontend.yaml");
}

TEST_CASE("A stat expectation names the proxy stat as 'metric' and may carry its own title") {
  auto parsed = Parse(R"(name: stats
expect:
  - name: the ui's sidecar made TLS handshakes
    stat: yelb-ui
    metric: cluster.cds_egress_mesh_yelb-appserver_http_4567.ssl.handshake
    value: "> 0"
)");
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  REQUIRE(parsed->expect.size() == 1);
  CHECK(parsed->expect[0].name == "the ui's sidecar made TLS handshakes");
  CHECK(parsed->expect[0].checks.at("value") == "> 0");

  auto without_metric = Parse("name: stats\nexpect:\n  - {stat: yelb-ui, value: 1}\n");
  REQUIRE_FALSE(without_metric.ok());
  CHECK_THAT(without_metric.status().message(), Catch::Contains("checks nothing; add a check"));
}

TEST_CASE("Scenario files that extend each other in a loop are refused, not followed") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("crossmesh-parse-{}", getpid());
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};
  std::ofstream(dir / "self.yaml") << "name: self\nextends: self.yaml\n";
  std::ofstream(dir / "a.yaml") << "name: a\nextends: b.yaml\n";
  std::ofstream(dir / "b.yaml") << "name: b\nextends: a.yaml\n";

  for (const char* file : {"self.yaml", "a.yaml"}) {
    INFO(file);
    auto parsed = LoadScenarioFile((dir / file).string(), CROSSMESH_SOURCE_DIR "/fixtures");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == "InvalidScenario");
    CHECK_THAT(parsed.status().message(),
               Catch::Contains("cannot extend") && Catch::Contains("one level of 'extends' only"));
  }
}

TEST_CASE("A scenario that extends another runs the base's setup, then its own timeline") {
  const std::string base = CROSSMESH_SOURCE_DIR "/scenarios/walkthrough.yaml";
  auto walkthrough = LoadScenarioFile(base, CROSSMESH_SOURCE_DIR "/fixtures");
  REQUIRE(walkthrough.ok());
  auto parsed = LoadScenarioText(R"(name: outside-client
extends: walkthrough.yaml
variables: {extra: "1"}
steps:
  - name: one more call
    as: backend
    call: sts GetCallerIdentity
traffic:
  - name: outside
    target: yelb-appserver
    journeys: [get_votes]
    count: 3
timeline:
  - traffic: outside
expect:
  - traffic: outside
    statuses: {"0": 3}
)",
                                 CROSSMESH_SOURCE_DIR "/scenarios/outside.yaml",
                                 CROSSMESH_SOURCE_DIR "/fixtures");
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  CHECK(parsed->extends == base);
  CHECK(parsed->steps.size() == walkthrough->steps.size() + 1);
  CHECK(parsed->steps.back().name == "one more call");
  CHECK(parsed->manifests.size() == walkthrough->manifests.size());
  CHECK(parsed->variables.at("mesh") == "am-multi-account-mesh");
  CHECK(parsed->variables.at("extra") == "1");
  REQUIRE(parsed->traffic.size() == walkthrough->traffic.size() + 1);
  CHECK(parsed->traffic.back().target == "yelb-appserver");
  CHECK(parsed->timeline.size() == 1);
  CHECK(parsed->expect.size() == 1);

  auto twice =
      LoadScenarioText("name: y\nextends: share-deleted.yaml\n",
                       CROSSMESH_SOURCE_DIR "/scenarios/y.yaml", CROSSMESH_SOURCE_DIR "/fixtures");
  REQUIRE_FALSE(twice.ok());
  CHECK_THAT(twice.status().message(), Catch::Contains("one level of 'extends' only"));

  auto clash = LoadScenarioText(
      "name: z\nextends: walkthrough.yaml\nsteps:\n  - name: create the root CA\n"
      "    as: frontend\n    call: sts GetCallerIdentity\n",
      CROSSMESH_SOURCE_DIR "/scenarios/z.yaml", CROSSMESH_SOURCE_DIR "/fixtures");
  REQUIRE_FALSE(clash.ok());
  CHECK_THAT(clash.status().message(), Catch::Contains("create the root CA"));
}

TEST_CASE(
    "An unknown operation is reported when the file is read, with the file's other mistakes") {
  auto parsed = Parse(
      "name: x\n"
      "steps:\n"
      "  - name: a\n"
      "    as: frontend\n"
      "    call: sts GetCallerIdentity\n"
      "  - name: b\n"
      "    as: frontend\n"
      "    call: acm requestcertificate\n"
      "    captrue: {a: b}\n"
      "  - name: c\n"
      "    as: frontend\n"
      "    call: ram CreateResourceShares\n"
      "  - name: d\n"
      "    as: frontend\n"
      "    call: \"sts Frobnicate\"\n"
      "timeline:\n"
      "  - step: {name: e, as: frontend, call: appmesh ListMesh, method: GET, path: /x}\n");
  REQUIRE_FALSE(parsed.ok());
  const std::string& message = parsed.status().message();
  INFO(message);
  CHECK_THAT(message, Catch::StartsWith("test.yaml:8:15: 'requestcertificate' is not an operation "
                                        "of acm; did you mean 'RequestCertificate'?"));
  CHECK_THAT(message, Catch::Contains("\ntest.yaml:9:5: unknown field 'captrue' in a step"));
  CHECK_THAT(message, Catch::Contains("\ntest.yaml:12:15: 'CreateResourceShares' is not an "
                                      "operation of ram; did you mean 'CreateResourceShare'?"));
  // Nothing close: the service's operations are listed instead.
  CHECK_THAT(message, Catch::Contains("\ntest.yaml:15:11: 'Frobnicate' is not an operation of "
                                      "sts; its operations are ") &&
                          Catch::Contains("GetCallerIdentity"));
  CHECK_THAT(message, Catch::Contains("\ntest.yaml:17:49: 'ListMesh' is not an operation of "
                                      "appmesh; did you mean 'ListMeshes'?"));
  CHECK_THAT(message, Catch::EndsWith("(5 problems)"));
}

TEST_CASE("Every operation the emulator dispatches is accepted in a call step") {
  auto emulator = Emulator::Create({});
  REQUIRE(emulator.ok());
  for (const auto& [service, operations] : (*emulator)->OperationTable()) {
    if (service != "acm-pca" && service != "acm" && service != "sts") continue;  // no path needed
    for (const std::string& operation : operations) {
      INFO(service << " " << operation);
      auto parsed = Parse(fmt::format(
          "name: x\nsteps:\n  - {{name: a, as: frontend, call: {} {}}}\n", service, operation));
      CHECK(parsed.ok());
    }
  }
}

TEST_CASE("Every shipped scenario names only operations the emulator dispatches") {
  for (const auto& entry : std::filesystem::directory_iterator(CROSSMESH_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    auto loaded = LoadScenarioFile(entry.path().string(), CROSSMESH_SOURCE_DIR "/fixtures");
    INFO(entry.path().string() << ": " << (loaded.ok() ? "" : loaded.status().message()));
    CHECK(loaded.ok());
  }
}

TEST_CASE("retry_while, wait_until and matches mistakes are reported together at load") {
  auto parsed = Parse(
      "name: x\nvariables: {v: a}\nsteps:\n  - name: a\n    as: frontend\n"
      "    call: sts GetCallerIdentity\n    retry_while: RequestInProgressException\n"
      "  - name: b\n    as: frontend\n    call: sts GetCallerIdentity\n"
      "    wait_until: {path: A, equals: B, timeout: 61s}\n"
      "expect:\n  - variable: v\n    matches: \"^${v}[a-\"\n");
  REQUIRE_FALSE(parsed.ok());
  const std::string& message = parsed.status().message();
  INFO(message);
  CHECK(message.find("test.yaml:7:18: 'retry_while' must be a list") != std::string::npos);
  CHECK(message.find("test.yaml:11:47: 'timeout' is at most 60s") != std::string::npos);
  CHECK(message.find("test.yaml:14:14: 'matches' is not a valid regular expression") !=
        std::string::npos);
  CHECK(message.find("(3 problems)") != std::string::npos);
}

TEST_CASE(
    "A capture or wait_until path that cannot be a JSON path is refused at load, where it is") {
  auto parsed = Parse(
      "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: sts GetCallerIdentity\n"
      "    capture: {account: Account, ca: \"items[first].arn\"}\n"
      "  - name: b\n    as: frontend\n    call: sts GetCallerIdentity\n"
      "    wait_until: {path: \"Certificate..Status\", equals: ISSUED}\n");
  REQUIRE_FALSE(parsed.ok());
  const std::string& message = parsed.status().message();
  INFO(message);
  CHECK(message.find("test.yaml:6:37: capture.ca: 'items[first].arn' has a bad index") !=
        std::string::npos);
  CHECK(message.find("test.yaml:10:24: wait_until.path 'Certificate..Status' has an empty name") !=
        std::string::npos);
  CHECK(message.find("(2 problems)") != std::string::npos);
}

TEST_CASE("A wait of exactly the step cap and a pattern holding a variable are accepted") {
  auto parsed = Parse(
      "name: x\nvariables: {v: a}\nsteps:\n  - name: a\n    as: frontend\n"
      "    call: sts GetCallerIdentity\n    retry_while: [RequestInProgressException]\n"
      "    wait_until: {path: A, equals: B, timeout: 60s}\n"
      "expect:\n  - variable: v\n    matches: \"^${v}(-[0-9]+)?$\"\n");
  INFO(parsed.status().message());
  REQUIRE(parsed.ok());
  CHECK(parsed->steps[0].retry_while == std::vector<std::string>{"RequestInProgressException"});
  CHECK(parsed->steps[0].wait_until->timeout == std::chrono::seconds(60));
}

TEST_CASE(
    "retry_while takes error codes with dots and underscores, and quoted entries as written") {
  auto parsed = Parse(
      "name: x\nsteps:\n  - name: a\n    as: frontend\n    call: sts GetCallerIdentity\n"
      "    retry_while: [ThrottlingException, InvalidParameterValue.Format_2, \"5\", '503']\n");
  INFO(parsed.status().message());
  REQUIRE(parsed.ok());
  CHECK(parsed->steps[0].retry_while == std::vector<std::string>{"ThrottlingException",
                                                                 "InvalidParameterValue.Format_2",
                                                                 "5", "503"});
}

TEST_CASE("A scenario file that is an alias bomb is refused at its first line, naming the budget") {
  std::string text = "name: x\nvariables:\n" + crossmesh::testing::AliasBombEntries("  ");

  // Without the budget the reader would run for hours; the CTest timeout catches that.
  auto parsed = Parse(text);

  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == "InvalidScenario");
  CHECK_THAT(parsed.status().message(),
             Catch::StartsWith("test.yaml:1:1: too many nodes (more than 100000 keys, values "
                               "and list items, each alias counted as the whole value") &&
                 Catch::EndsWith("use fewer aliases, or split the file into smaller ones"));
}

TEST_CASE("A scenario file over 1 MiB is refused before it is parsed, with how to fix it") {
  crossmesh::testing::TempDir dir;
  const std::string path = dir.path() + "/huge.yaml";
  std::ofstream(path) << "name: huge\nsteps:\n" << std::string(size_t{1} << 20, '#');

  auto parsed = LoadScenarioFile(path, "");

  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == "InvalidScenario");
  CHECK_THAT(parsed.status().message(),
             Catch::Contains("huge.yaml': it is over 1 MiB; crossmesh reads a scenario file up "
                             "to that (split it into smaller files)"));
}

TEST_CASE("YAML nested past the parser's depth is refused with the depth and what to look for") {
  auto parsed = Parse("name: x\nsteps: " + std::string(3000, '[') + std::string(3000, ']'));

  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.status().message(),
             Catch::Contains("levels deep, where the YAML parser stops") &&
                 Catch::Contains("look for an unclosed '[' or '{'"));
}

TEST_CASE("Anchors and aliases in a scenario file read as copies of the anchored value") {
  auto parsed = Parse(
      "name: x\nsteps:\n  - name: a\n    as: frontend\n"
      "    call: acm-pca ListCertificateAuthorities\n"
      "    input: &body {Tags: [{Key: k, Value: v}]}\n"
      "  - name: b\n    as: frontend\n    call: acm-pca ListCertificateAuthorities\n"
      "    input: *body\n");
  INFO(parsed.status().message());
  REQUIRE(parsed.ok());
  REQUIRE(parsed->steps.size() == 2);
  CHECK(parsed->steps[1].input == parsed->steps[0].input);
  CHECK(parsed->steps[1].input["Tags"][0]["Key"] == "k");
}

TEST_CASE("A blank step is reported at its own line, not at the step after it") {
  auto parsed = Parse("name: x\nsteps:\n  -\n  - name: wait\n    sleep: 1s\n");

  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.status().message(),
             Catch::StartsWith("test.yaml:3:3: a step must be a mapping of fields"));
}

TEST_CASE("A manifest apply would refuse fails the scenario as it loads, naming the user's file") {
  crossmesh::testing::TempDir dir;
  const std::string manifest = dir.path() + "/node.yaml";
  std::ofstream(manifest) << "apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualNode\n"
                             "metadata:\n  name: x\n  namespace: yelb\nspec:\n  podSelector: {}\n"
                             "  listeners:\n    - portMapping: {port: 80, protocol: udp}\n"
                             "  serviceDiscovery:\n    dns: {hostname: x.yelb.svc.cluster.local}\n";
  const std::string scenario = dir.path() + "/s.yaml";
  std::ofstream(scenario) << "name: x\nmanifests:\n  - as: backend\n    files: [node.yaml]\n";

  auto parsed = LoadScenarioFile(scenario, "");

  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.status().message(),
             Catch::Contains("crossmesh lint finds 1 error(s) in these manifests") &&
                 Catch::Contains(manifest + ":9:") && Catch::Contains("'udp'"));

  // With replacements the text is only known at run time: apply lints it then.
  std::ofstream(scenario) << "name: x\nmanifests:\n  - as: backend\n    files: [node.yaml]\n"
                             "    replace: {\"80\": \"8080\"}\n";
  CHECK(LoadScenarioFile(scenario, "").ok());
}

TEST_CASE("A traffic block's out-of-range numbers are all reported in one run") {
  auto parsed = Parse(
      "name: x\nyelb: {mesh: false}\ntraffic:\n  - name: t\n    journeys: [vote]\n"
      "    rate: -5\n    count: 0\n    concurrency: 0\n");

  REQUIRE_FALSE(parsed.ok());
  const std::string said = parsed.status().message();
  CHECK_THAT(said, Catch::Contains("test.yaml:6:11: 'rate' is journeys per second") &&
                       Catch::Contains("test.yaml:7:12: 'count' must be at least 1, not 0") &&
                       Catch::Contains("test.yaml:8:18: 'concurrency' must be at least 1, not 0"));
}

TEST_CASE("Every bad account entry and every bad capture path is reported in one run") {
  auto parsed = Parse(
      "name: x\n"
      "accounts:\n"
      "  - {name: frontend, id: \"1\"}\n"
      "  - {name: backend}\n"
      "  - {name: frontend, id: \"111111111111\", colour: blue}\n"
      "steps:\n"
      "  - name: list\n"
      "    call: acm ListCertificates\n"
      "    as: frontend\n"
      "    capture: {a: \"CertificateSummaryList[\", b: \"NextToken.\"}\n");

  REQUIRE_FALSE(parsed.ok());
  const std::string said = parsed.status().message();
  INFO(said);
  CHECK_THAT(said, Catch::Contains("test.yaml:3:") && Catch::Contains("test.yaml:4:") &&
                       Catch::Contains("test.yaml:5:") && Catch::Contains("capture.a: ") &&
                       Catch::Contains("capture.b: "));
  // The first entry's bad id does not hide that the third reuses its name.
  CHECK_THAT(said, Catch::Contains("id '1' is not 12 digits") &&
                       Catch::Contains("test.yaml:5:5: account name 'frontend' is given at "
                                       "line 3 too") &&
                       Catch::Contains("unknown field 'colour'"));
}

TEST_CASE("A reference that could never be substituted is refused as the file loads") {
  auto parsed = Parse(
      "name: x\n"
      "steps:\n"
      "  - name: who\n"
      "    as: frontend\n"
      "    call: sts GetCallerIdentity\n"
      "    input: {a: \"${frontend.account_id|base65}\", b: \"${frontend.region\"}\n");

  REQUIRE_FALSE(parsed.ok());
  const std::string said = parsed.status().message();
  INFO(said);
  CHECK_THAT(said, Catch::Contains("test.yaml:6:17: '${frontend.account_id|base65}' has an "
                                   "unknown filter 'base65'; the filter is |base64") &&
                       Catch::Contains("test.yaml:6:53: '${frontend.region' opens '${' without "
                                       "a closing '}'; close it, or write $${ for a literal "
                                       "${"));
  // A literal "${" is written "$${".
  CHECK(Parse("name: x\nvariables: {price: \"$${5}\"}\n").ok());

  // What else no value could fill: an empty name or filter, spaces, two filters.
  for (const auto& [text, said_here] : std::vector<std::pair<std::string, std::string>>{
           {"${}", "'${}' names no variable; write ${name}"},
           {"${ ca }",
            "'${ ca }' is not a variable name (letters, digits, '_', '-' and '.', "
            "no spaces)"},
           {"${frontend.region|}", "'${frontend.region|}' has an empty filter"},
           {"${frontend.region|base64|base64}",
            "'${frontend.region|base64|base64}' chains filters; a reference takes one filter"}}) {
    auto refused = Parse("name: x\nvariables: {v: \"" + text + "\"}\n");
    INFO(text);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.status().message(), Catch::Contains(said_here));
  }
}

TEST_CASE("A bad reference in a long command is pointed at, not the command's start") {
  auto parsed = Parse(
      "name: x\n"
      "steps:\n"
      "  - name: s\n"
      "    as: frontend\n"
      "    shell: >-\n"
      "      echo ${frontend.region} and ${frontend.account_id}\n"
      "      then ${nowhere} and ${frontend.region|hex}\n");

  REQUIRE_FALSE(parsed.ok());
  const std::string said = parsed.status().message();
  INFO(said);
  CHECK_THAT(said, Catch::Contains("test.yaml:7:27: '${frontend.region|hex}' has an unknown "
                                   "filter 'hex'"));
}

TEST_CASE("An account id given twice is reported with the line of the first") {
  auto parsed = Parse(
      "name: x\n"
      "accounts:\n"
      "  - {name: a, id: \"333333333333\"}\n"
      "  - {name: b, id: \"333333333333\", region: nowhere}\n");

  REQUIRE_FALSE(parsed.ok());
  const std::string said = parsed.status().message();
  INFO(said);
  CHECK_THAT(said, Catch::Contains("test.yaml:4:5: account id '333333333333' is given at line 3 "
                                   "too; names and ids must be unique") &&
                       Catch::Contains("'nowhere' is not a region name"));
}
