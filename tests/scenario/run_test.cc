// Scenarios run for real: an emulator on a loopback port, steps over HTTP, in-process and
// through the real AWS CLI, faults on the timeline, expectations, reports, and cleanup.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "harness/scenario/runner.h"
#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::scenario;
using crossmesh::testing::RunCommand;
using crossmesh::testing::TempDir;
using nlohmann::json;

namespace {

ScenarioReport Run(const TempDir& dir, const std::string& yaml) {
  std::string path = dir.Write("scenario.yaml", yaml);
  auto scenario = LoadScenarioFile(path, CROSSMESH_SOURCE_DIR "/fixtures");
  INFO(scenario.status().ToString());
  REQUIRE(scenario.ok());
  RunOptions options;
  options.quiet = true;
  options.fixtures_dir = CROSSMESH_SOURCE_DIR "/fixtures";
  return RunScenario(*scenario, options);
}

std::string Describe(const ScenarioReport& report) {
  std::string text;
  for (const auto& s : report.steps) {
    text += (s.passed ? "ok   " : "FAIL ") + s.name + ": " + s.detail + "\n";
  }
  for (const auto& e : report.expectations) {
    text += (e.passed ? "ok   " : "FAIL ") + e.name + ": " + e.detail + "\n";
  }
  return text;
}

const walkthrough::StepOutcome& StepNamed(const ScenarioReport& report, const std::string& name) {
  for (const auto& s : report.steps) {
    if (s.name == name) return s;
  }
  FAIL("no step " << name);
  return report.steps.front();
}

// The walkthrough's root CA, made ACTIVE with steps (the blobs go base64-encoded).
constexpr const char* kRootCaSteps = R"(
  - name: create the CA
    as: frontend
    call: acm-pca CreateCertificateAuthority
    input:
      CertificateAuthorityType: ROOT
      CertificateAuthorityConfiguration:
        KeyAlgorithm: EC_prime256v1
        SigningAlgorithm: SHA256WITHECDSA
        Subject: {CommonName: scenario test root}
    capture: {ca_arn: CertificateAuthorityArn}
  - name: get the CSR
    as: frontend
    via: in-process
    call: acm-pca GetCertificateAuthorityCsr
    input: {CertificateAuthorityArn: "${ca_arn}"}
    capture: {csr: Csr}
  - name: self-sign
    as: frontend
    call: acm-pca IssueCertificate
    input:
      CertificateAuthorityArn: "${ca_arn}"
      Csr: "${csr|base64}"
      SigningAlgorithm: SHA256WITHECDSA
      TemplateArn: arn:aws:acm-pca:::template/RootCACertificate/V1
      Validity: {Value: 10, Type: YEARS}
    capture: {root_arn: CertificateArn}
  - name: get the root
    as: frontend
    call: acm-pca GetCertificate
    input: {CertificateAuthorityArn: "${ca_arn}", CertificateArn: "${root_arn}"}
    capture: {root_pem: Certificate}
  - name: import the root
    as: frontend
    call: acm-pca ImportCertificateAuthorityCertificate
    input: {CertificateAuthorityArn: "${ca_arn}", Certificate: "${root_pem|base64}"}
)";

}  // namespace

TEST_CASE("Captured values flow into later steps over HTTP, in-process and the real AWS CLI") {
  TempDir dir;
  ScenarioReport report = Run(dir, std::string(R"(name: captures
steps:)") + kRootCaSteps + R"(
  - name: status in-process
    as: frontend
    via: in-process
    call: acm-pca DescribeCertificateAuthority
    input: {CertificateAuthorityArn: "${ca_arn}"}
    capture: {status: CertificateAuthority.Status}
  - name: type through the AWS CLI
    as: frontend
    cli: acm-pca describe-certificate-authority --certificate-authority-arn ${ca_arn}
    capture: {cli_type: CertificateAuthority.Type, cli_arn: CertificateAuthority.Arn}
  - name: account through a shell command
    as: backend
    shell: aws sts get-caller-identity --query Account --output text
    capture: {backend_id: ""}
expect:
  - variable: status
    equals: ACTIVE
  - variable: cli_type
    equals: ROOT
  - variable: cli_arn
    equals: "${ca_arn}"
  - variable: backend_id
    equals: "${backend.account_id}"
)");
  INFO(Describe(report));
  CHECK(report.passed);
  REQUIRE(report.expectations.size() == 4);
  for (const auto& e : report.expectations) CHECK(e.passed);
  CHECK(StepNamed(report, "account through a shell command").detail == "backend_id=222222222222");
}

TEST_CASE("IAM is called with its parameters as a query form, over HTTP and in-process") {
  TempDir dir;
  ScenarioReport report = Run(dir, R"(name: iam
steps:
  - name: ACM's service-linked role, which every account has
    as: frontend
    call: iam GetRole
    input: {RoleName: AWSServiceRoleForCertificateManager}
    capture: {arn: Arn}
  - name: the same in-process
    as: frontend
    via: in-process
    call: iam GetRole
    input: {RoleName: AWSServiceRoleForCertificateManager}
    capture: {role: RoleName}
  - name: made twice
    as: backend
    call: iam CreateServiceLinkedRole
    input: {AWSServiceName: acm.amazonaws.com}
    expect_error: InvalidInput
  - name: a role that does not exist
    as: backend
    call: iam GetRole
    input: {RoleName: nobody}
    expect_error: NoSuchEntity
expect:
  - variable: arn
    equals: "arn:aws:iam::${frontend.account_id}:role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager"
  - variable: role
    equals: AWSServiceRoleForCertificateManager
  - step: a role that does not exist
    output_contains: "nobody"
)");
  INFO(Describe(report));
  CHECK(report.passed);
}

TEST_CASE("A step that expects an error passes only when the call fails with that code") {
  TempDir dir;
  const std::string missing_ca =
      "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"
      "00000000-0000-0000-0000-000000000000";
  ScenarioReport report = Run(dir, R"(name: negative
variables: {missing: ")" + missing_ca + R"("}
steps:
  - name: describe a CA that does not exist
    as: frontend
    call: acm-pca DescribeCertificateAuthority
    input: {CertificateAuthorityArn: "${missing}"}
    expect_error: ResourceNotFoundException
  - name: the same through the AWS CLI
    as: frontend
    cli: [acm-pca, describe-certificate-authority, --certificate-authority-arn, "${missing}"]
    expect_error: ResourceNotFoundException
expect:
  - step: describe a CA that does not exist
    passed: true
    error_code: ResourceNotFoundException
)");
  INFO(Describe(report));
  CHECK(report.passed);
  CHECK(StepNamed(report, "describe a CA that does not exist").detail.find("failed as expected") ==
        0);

  ScenarioReport wrong = Run(dir, R"(name: negative-wrong-code
variables: {missing: ")" + missing_ca +
                                      R"("}
steps:
  - name: expects the wrong code
    as: frontend
    call: acm-pca DescribeCertificateAuthority
    input: {CertificateAuthorityArn: "${missing}"}
    expect_error: InvalidStateException
  - name: never runs
    as: frontend
    call: sts GetCallerIdentity
)");
  INFO(Describe(wrong));
  CHECK_FALSE(wrong.passed);
  CHECK(StepNamed(wrong, "expects the wrong code")
            .detail.find("expected InvalidStateException, got ResourceNotFoundException") !=
        std::string::npos);
  CHECK(StepNamed(wrong, "never runs").detail.find("skipped") == 0);
}

TEST_CASE("Timeline faults change what later steps see: clock, disabled CA, rejected share") {
  TempDir dir;
  ScenarioReport report = Run(dir, std::string(R"(name: faults
steps:)") + kRootCaSteps + R"(
  - name: share the CA
    as: frontend
    call: ram CreateResourceShare
    input: {name: ca-share, resourceArns: ["${ca_arn}"], principals: ["${backend.account_id}"]}
    capture: {share_arn: resourceShare.resourceShareArn}
timeline:
  - reject_share: {as: backend, share: "${share_arn}"}
  - advance_clock: 400 days
  - disable_ca: {as: frontend, ca: "${ca_arn}"}
  - step:
      name: status after the faults
      as: frontend
      call: acm-pca DescribeCertificateAuthority
      input: {CertificateAuthorityArn: "${ca_arn}"}
      capture: {status: CertificateAuthority.Status}
  - step:
      name: invitation after the faults
      as: backend
      call: ram GetResourceShareInvitations
      input: {resourceShareArns: ["${share_arn}"]}
      capture: {invitation: "resourceShareInvitations[0].status"}
  - delete_share: {as: frontend, share: "${share_arn}"}
expect:
  - variable: status
    equals: DISABLED
  - variable: invitation
    equals: REJECTED
)");
  INFO(Describe(report));
  CHECK(report.passed);
  CHECK(StepNamed(report, "advance the clock by 400 days 0s").detail.find("virtual time") == 0);
}

// std::regex crashed the run on a 20 KB value and never finished "(a+)+$" against "aaa...!".
TEST_CASE("'matches' checks a 100 KB value, and a pattern that backtracks badly, in linear time") {
  TempDir dir;
  const std::string yaml = "name: long values\nvariables:\n  long: \"" + std::string(100000, 'a') +
                           "b\"\n  bang: \"" + std::string(64, 'a') +
                           "!\"\nexpect:\n"
                           "  - {name: long, variable: long, matches: \"^(a|b)*b$\"}\n"
                           "  - {name: bang, variable: bang, matches: \"^(a+)+$\"}\n";

  ScenarioReport report = Run(dir, yaml);

  INFO(Describe(report));
  REQUIRE(report.expectations.size() == 2);
  CHECK(report.expectations[0].passed);
  CHECK_FALSE(report.expectations[1].passed);
  CHECK_FALSE(report.passed);
}

TEST_CASE("A scenario file that is not UTF-8 is refused at load, its report still written") {
  TempDir dir;
  std::string file = dir.Write("latin1.yaml",
                               "name: \"latin1 caf\xe9\"\n"
                               "steps:\n"
                               "  - name: who am I\n"
                               "    as: frontend\n"
                               "    call: sts GetCallerIdentity\n");
  auto result =
      RunCommand({CROSSMESH_BINARY_DIR "/cli/crossmesh", "run", "--quiet", "--json",
                  dir.path() + "/report.json", "--junit", dir.path() + "/junit.xml", file});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("it is not UTF-8 text: byte 0xE9 at line 1, column 18"));

  std::ifstream report_file(dir.path() + "/report.json");
  const auto report = nlohmann::json::parse(report_file, nullptr, false);
  REQUIRE_FALSE(report.is_discarded());
  CHECK(report["passed"] == false);
  CHECK(std::filesystem::exists(dir.path() + "/junit.xml"));
}

TEST_CASE("A failing expectation makes crossmesh run exit 1 with a failing JUnit test case") {
  TempDir dir;
  std::string file = dir.Write("failing.yaml", R"(name: failing-expectation
steps:
  - name: who am I
    as: frontend
    call: sts GetCallerIdentity
    capture: {me: Account}
expect:
  - name: the frontend is the backend
    variable: me
    equals: "${backend.account_id}"
  - name: the frontend is itself
    variable: me
    equals: "${frontend.account_id}"
)");
  auto result =
      RunCommand({CROSSMESH_BINARY_DIR "/cli/crossmesh", "run", "--quiet", "--json",
                  dir.path() + "/report.json", "--junit", dir.path() + "/junit.xml", file});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("failing-expectation: FAILED") != std::string::npos);
  CHECK(result.err.find(" info ") == std::string::npos);  // --quiet: no log of what ran

  std::ifstream junit_file(dir.path() + "/junit.xml");
  std::string junit((std::istreambuf_iterator<char>(junit_file)), {});
  CHECK(junit.find("failures=\"1\"") != std::string::npos);
  auto test_case = [&](const std::string& name) {
    size_t at = junit.find("name=\"" + name + "\"");
    REQUIRE(at != std::string::npos);
    return junit.substr(at, junit.find("</testcase>", at) - at);
  };
  CHECK(test_case("the frontend is the backend").find("<failure message=") != std::string::npos);
  CHECK(test_case("the frontend is itself").find("<failure") == std::string::npos);
  CHECK(test_case("who am I").find("<failure") == std::string::npos);

  json report = json::parse(std::ifstream(dir.path() + "/report.json"));
  CHECK(report["passed"] == false);
  REQUIRE(report["scenarios"].size() == 1);
  CHECK(report["scenarios"][0]["name"] == "failing-expectation");
  CHECK(report["scenarios"][0]["passed"] == false);
  CHECK(report["scenarios"][0]["hops"].is_array());
}

TEST_CASE("crossmesh run reports a malformed scenario file without running it and exits 1") {
  TempDir dir;
  std::string file = dir.Write("bad.yaml", "name: bad\nsteps:\n  - name: a\n    as: frontend\n");
  auto result = RunCommand(
      {CROSSMESH_BINARY_DIR "/cli/crossmesh", "run", "--json", dir.path() + "/report.json", file});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find(file + ":3:5: step 'a' needs exactly one of 'call'") != std::string::npos);
  json report = json::parse(std::ifstream(dir.path() + "/report.json"));
  CHECK(report["passed"] == false);
  CHECK(report["scenarios"][0]["error"].get<std::string>().find("needs exactly one") !=
        std::string::npos);
}

TEST_CASE("crossmesh run runs nothing while one of its files is malformed") {
  TempDir dir;
  std::string good = dir.Write("good.yaml",
                               "name: good\nsteps:\n  - name: who\n    as: frontend\n"
                               "    shell: touch " +
                                   dir.path() + "/ran\n");
  std::string bad = dir.Write("bad.yaml", "name: bad\nsteps:\n  - name: a\n    as: frontend\n");
  auto result = RunCommand({CROSSMESH_BINARY_DIR "/cli/crossmesh", "run", "--json",
                            dir.path() + "/report.json", good, bad});

  CHECK(result.exit_code == 1);
  CHECK(result.err.find(bad + ":3:5:") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/ran"));  // the good one did not run
  json report = json::parse(std::ifstream(dir.path() + "/report.json"));
  REQUIRE(report["scenarios"].size() == 2);
  CHECK(report["scenarios"][0]["error"].get<std::string>().find("not run: fix " + bad) !=
        std::string::npos);
}

TEST_CASE("A variable may refer to other variables, which are expanded before it is used") {
  TempDir dir;
  std::string file =
      dir.Write("vars.yaml",
                "name: vars\nvariables:\n  b: B\n  a: \"x-${b}-${frontend.account_id}\"\nsteps:\n"
                "  - name: check\n    as: frontend\n"
                "    shell: test \"${a}\" = \"x-B-111111111111\"\n");
  auto result = RunCommand({CROSSMESH_BINARY_DIR "/cli/crossmesh", "run", file});
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
}

TEST_CASE("What a shell step starts in the background is stopped when the step ends") {
  TempDir dir;
  const std::string pid_file = dir.path() + "/pid";
  std::string file = dir.Write("bg.yaml",
                               "name: bg\nsteps:\n  - name: starts\n    as: frontend\n"
                               "    shell: sleep 299 > /dev/null 2>&1 & echo $! > " +
                                   pid_file + "\n");
  auto result = RunCommand({CROSSMESH_BINARY_DIR "/cli/crossmesh", "run", file});
  CHECK(result.exit_code == 0);

  std::ifstream in(pid_file);
  int pid = 0;
  REQUIRE(in >> pid);
  // Gone, or a zombie no one has reaped yet (a container's init may not): not running.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const size_t state = line.rfind(')');
  CHECK((line.empty() || line.substr(state + 2, 1) == "Z"));
}

TEST_CASE("crossmesh run refuses one path for both reports, and exits quietly into a closed pipe") {
  TempDir dir;
  std::string good = dir.Write("good.yaml",
                               "name: good\nsteps:\n  - name: who\n    as: frontend\n"
                               "    shell: \"true\"\n");
  const std::string binary = CROSSMESH_BINARY_DIR "/cli/crossmesh";
  const std::string same = dir.path() + "/report";
  auto twice = RunCommand({binary, "run", "--json", same, "--junit", same, good});
  CHECK(twice.exit_code == 2);
  CHECK(twice.err.find("--json and --junit both name") != std::string::npos);

  // `| true`: the reader is gone before the summary (more than a pipe buffer's worth) is
  // written; the run ends with SIGPIPE's status, not an abort.
  const std::string walkthrough = CROSSMESH_SOURCE_DIR "/scenarios/walkthrough.yaml";
  auto piped = RunCommand({"/bin/bash", "-c",
                           binary + " run " + walkthrough +
                               " 2>/dev/null | true; "
                               "echo ${PIPESTATUS[0]}"});
  CHECK(piped.out == "141\n");
}

TEST_CASE("A stat expectation naming a stat the proxy does not have fails instead of reading 0") {
  TempDir dir;
  ScenarioReport report = Run(dir, R"(name: misspelt-stat
extends: )" CROSSMESH_SOURCE_DIR R"(/scenarios/walkthrough.yaml
expect:
  - name: a misspelt counter
    stat: yelb-ui
    metric: http.egress.downstream_rq_5xxx
    value: 0
  - name: a pattern that matches nothing
    stat: yelb-ui
    metric: "listener.*.no_such_counter"
    value: 0
  - name: the real counter
    stat: yelb-ui
    metric: http.egress.downstream_rq_5xx
    value: 0
  - name: a TLS version never negotiated, which a proxy counts from its first use
    stat: yelb-ui
    metric: "cluster.*.ssl.versions.TLSv1"
    value: 0
)");
  INFO(Describe(report));
  CHECK_FALSE(report.passed);
  std::map<std::string, const ExpectationOutcome*> by_name;
  for (const auto& e : report.expectations) by_name[e.name] = &e;
  REQUIRE(by_name.count("a misspelt counter") == 1);
  CHECK_FALSE(by_name["a misspelt counter"]->passed);
  CHECK(by_name["a misspelt counter"]->detail.find("no stat of proxy 'yelb-ui' matches") !=
        std::string::npos);
  CHECK_FALSE(by_name["a pattern that matches nothing"]->passed);
  CHECK(by_name["the real counter"]->passed);
  CHECK(by_name["a TLS version never negotiated, which a proxy counts from its first use"]->passed);
}

TEST_CASE("Updating a virtual node by its Kubernetes name says how App Mesh names it") {
  TempDir dir;
  ScenarioReport report = Run(dir, R"(name: node-name
extends: )" CROSSMESH_SOURCE_DIR R"(/scenarios/walkthrough.yaml
timeline:
  - update_virtual_node:
      as: backend
      mesh: am-multi-account-mesh
      name: yelb-appserver
      mesh_owner: "111111111111"
      spec: {listeners: [{portMapping: {port: 4567, protocol: http}}]}
)");
  INFO(Describe(report));
  CHECK_FALSE(report.passed);
  CHECK(Describe(report).find("NotFoundException") != std::string::npos);
  CHECK(Describe(report).find("named NAME_NAMESPACE, such as yelb-appserver_yelb") !=
        std::string::npos);
}

namespace {

// The app server's node spec with its listener in `mode`, as the walkthrough makes it.
std::string AppServerSpec(const std::string& mode) {
  return R"({listeners: [{portMapping: {port: 4567, protocol: http},
                   tls: {mode: )" +
         mode + R"(, certificate: {acm: {certificateArn: "${backend_cert}"}}}}],
       serviceDiscovery: {awsCloudMap: {namespaceName: am-multi-account.local,
                                        serviceName: yelb-appserver}},
       backends: [{virtualService: {virtualServiceName: yelb-db}},
                  {virtualService: {virtualServiceName: redis-server}}],
       backendDefaults: {clientPolicy: {tls: {enforce: true, validation: {trust: {acm: {
           certificateAuthorityArns: ["${ca_arn}"]}}}}}}})";
}

}  // namespace

TEST_CASE("A hop judged since a named change leaves out what crossed it before, plaintext too") {
  TempDir dir;
  ScenarioReport report = Run(dir, R"(name: since
extends: )" CROSSMESH_SOURCE_DIR R"(/scenarios/walkthrough.yaml
traffic:
  - {name: disabled, journeys: [get_votes], count: 30, concurrency: 2, timeout: 3s}
  - {name: strict again, journeys: [get_votes], count: 4, concurrency: 1, timeout: 3s}
timeline:
  - update_virtual_node:
      as: backend
      mesh: "${mesh}"
      name: yelb-appserver_yelb
      mesh_owner: "${frontend.account_id}"
      spec: )" + AppServerSpec("DISABLED") +
                                       R"(
  - traffic: disabled
  - name: STRICT again
    update_virtual_node:
      as: backend
      mesh: "${mesh}"
      name: yelb-appserver_yelb
      mesh_owner: "${frontend.account_id}"
      spec: )" + AppServerSpec("STRICT") +
                                       R"(
  - traffic: strict again
  - name: the end
    sync: true
expect:
  - name: over the whole run
    hop: yelb-ui -> yelb-appserver
    encrypted: false
  - name: since the listener is STRICT again
    hop: yelb-ui -> yelb-appserver
    since: STRICT again
    encrypted: true
    connections: ">= 1"
  - traffic: strict again
    success_rate: 1
  - step: STRICT again
    passed: true
  - name: nothing opened since the end
    hop: yelb-ui -> yelb-appserver
    since: the end
    encrypted: true
)");
  INFO(Describe(report));
  // Only the last fails, and says there was nothing to judge rather than "not encrypted".
  REQUIRE(report.expectations.size() == 5);
  for (size_t i = 0; i < 4; ++i) CHECK(report.expectations[i].passed);
  CHECK_FALSE(report.expectations[4].passed);
  CHECK_THAT(report.expectations[4].detail,
             Catch::Contains("no connection from yelb-ui_yelb to yelb-appserver_yelb opened "
                             "since 'the end', so nothing to judge") &&
                 !Catch::Contains("not encrypted"));
}

TEST_CASE("A scenario that fails after starting Yelb leaves no process and no folder behind") {
  TempDir dir;
  ScenarioReport report = Run(dir, R"(name: cleanup
yelb: {mesh: false}
traffic:
  - name: votes
    journeys: [vote, load_page]
    count: 12
    concurrency: 3
expect:
  - votes: all
    match_traffic: true
  - page_views: all
    match_traffic: true
  - name: an impossible vote count
    votes: all
    total: "> 1000000"
)");
  INFO(Describe(report));
  CHECK_FALSE(report.passed);
  REQUIRE(report.expectations.size() == 3);
  CHECK(report.expectations[0].passed);
  CHECK(report.expectations[1].passed);
  CHECK_FALSE(report.expectations[2].passed);

  CHECK_FALSE(report.workspace.empty());
  CHECK_FALSE(std::filesystem::exists(report.workspace));
  REQUIRE(report.pids.size() == 2);
  for (int pid : report.pids) {
    INFO("pid " << pid);
    CHECK(kill(pid, 0) == -1);
  }
  REQUIRE_FALSE(report.folders.empty());
  for (const auto& folder : report.folders) CHECK_FALSE(std::filesystem::exists(folder));
}

TEST_CASE("A failed timeline step stops background traffic instead of waiting out its bound") {
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  ScenarioReport report = Run(dir, R"(name: stop-early
yelb: {mesh: false}
traffic:
  - name: slow
    journeys: [get_votes]
    rate: 2
    duration: 60s
timeline:
  - traffic: slow
    background: true
  - step:
      name: a certificate that does not exist
      as: frontend
      call: acm DescribeCertificate
      input: {CertificateArn: "arn:aws:acm:us-west-2:111111111111:certificate/0000"}
expect:
  - traffic: slow
    success_rate: 1
)");
  auto took = std::chrono::steady_clock::now() - started;
  INFO(Describe(report));
  CHECK_FALSE(report.passed);
  CHECK(took < std::chrono::seconds(30));
  REQUIRE(report.traffic.count("slow") == 1);
  CHECK(report.traffic.at("slow").requests < 60);
}

namespace {

// Processes whose command line mentions `text` (PostgreSQL names its data folder).
std::vector<int> ProcessesMentioning(const std::string& text) {
  std::vector<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(text) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

// The direct children of `parent` (redis-server, postgres), from /proc/<pid>/stat.
std::vector<int> ChildrenOf(int parent) {
  std::vector<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t after_name = stat.rfind(')');
    if (after_name == std::string::npos) continue;
    std::istringstream fields(stat.substr(after_name + 2));
    std::string state;
    int ppid = 0;
    fields >> state >> ppid;
    if (ppid == parent) found.push_back(std::stoi(name));
  }
  return found;
}

bool Alive(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t after_name = stat.rfind(')');
  return after_name != std::string::npos && stat.size() > after_name + 2 &&
         stat[after_name + 2] != 'Z';
}

}  // namespace

TEST_CASE("Interrupting crossmesh run stops the databases it started and removes its folders") {
  TempDir dir;
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);  // postgres must enter
  const std::string file = dir.path() + "/long.yaml";
  std::ofstream(file) << R"(name: long
yelb: {mesh: false}
traffic:
  - name: voters
    journeys: [vote]
    rate: 5
    duration: 60s
)";

  const std::string tmpdir = "TMPDIR=" + dir.path();
  const std::string binary = CROSSMESH_BINARY_DIR "/cli/crossmesh";
  std::vector<char*> argv = {const_cast<char*>(binary.c_str()), const_cast<char*>("run"),
                             const_cast<char*>(file.c_str()), nullptr};
  std::vector<char*> envp = {const_cast<char*>(tmpdir.c_str()),
                             const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
  TempDir outside;
  const std::string progress = outside.path() + "/progress.txt";
  const std::string printed = outside.path() + "/stdout.txt";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The logs (stderr, unbuffered) say when votes are being counted.
  posix_spawn_file_actions_addopen(&actions, 2, progress.c_str(), O_WRONLY | O_CREAT, 0600);
  posix_spawn_file_actions_addopen(&actions, 1, printed.c_str(), O_WRONLY | O_CREAT, 0600);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data()) == 0);
  posix_spawn_file_actions_destroy(&actions);
  struct Reaper {  // a failed REQUIRE below must not leave the run going for a minute
    pid_t pid;
    ~Reaper() {
      if (pid > 0 && kill(pid, SIGTERM) == 0) waitpid(pid, nullptr, 0);
    }
  } reaper{pid};

  // Wait (bounded) until votes are counted, so both databases are up, then interrupt the run.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto traffic_started = [&] {
    std::ifstream in(progress);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find("vote counted") != std::string::npos;
  };
  while (!traffic_started() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(traffic_started());
  REQUIRE_FALSE(ProcessesMentioning(dir.path()).empty());
  const std::vector<int> servers = ChildrenOf(pid);
  CHECK(servers.size() >= 2);  // redis-server and postgres
  kill(pid, SIGTERM);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  reaper.pid = 0;

  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
  // What the run printed before the signal reached its file, though stdout was not a terminal.
  std::ifstream printed_in(printed);
  const std::string printed_text((std::istreambuf_iterator<char>(printed_in)),
                                 std::istreambuf_iterator<char>());
  CHECK(printed_text.find("### scenario long") != std::string::npos);
  CHECK(ProcessesMentioning(dir.path()).empty());
  for (int server : servers) {
    INFO("server pid " << server);
    CHECK_FALSE(Alive(server));
  }
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path() != file) left.push_back(entry.path());
  }
  CHECK(left.empty());
}
