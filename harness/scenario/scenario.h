// A scenario, as read from its YAML file: the accounts, the API and CLI steps with the values
// they capture, the manifests applied per account, the Yelb deployment, bounded traffic, a
// timeline of faults and the expectations checked at the end. The format is described in
// scenarios/README.md; LoadScenarioFile() is strict: an unknown field, a wrong type or a missing
// required field is an InvalidScenario error naming the file, line:column, what is wrong and
// how to fix it.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emulator/core/accounts.h"
#include "emulator/core/status.h"
#include "harness/traffic/load_generator.h"

namespace crossmesh::scenario {

// Where a value was written: "scenarios/renewal.yaml:12:5".
struct Place {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string ToString() const;
};

enum class StepKind { kCall, kCli, kShell };
enum class Transport { kHttp, kInProcess };

struct WaitUntil {
  std::string path;    // JSON path into the answer
  std::string equals;  // the value (as text) to wait for
  std::chrono::milliseconds timeout{5000};
};

// One API call or AWS CLI command as an account. Strings may hold ${variable}.
struct Step {
  Place place;
  std::string name;
  std::string as;  // account name
  StepKind kind = StepKind::kCall;
  Transport via = Transport::kHttp;
  std::string service;                         // kCall: "acm-pca", "acm", "ram", "appmesh", "sts"
  std::string operation;                       // kCall: "CreateCertificateAuthority"
  std::string method;                          // kCall, REST services: "PUT"
  std::string path;                            // kCall, REST services: "/v20190125/meshes"
  std::map<std::string, std::string> query;    // kCall, REST services
  nlohmann::json input;                        // kCall: the request body; null when none
  std::vector<std::string> cli_args;           // kCli: arguments after `aws`
  std::string shell;                           // kShell: a /bin/sh command line
  std::map<std::string, std::string> capture;  // variable -> JSON path ("" for the whole answer)
  std::string expect_error;                    // the error code this step must fail with
  std::vector<std::string> retry_while;        // error codes to retry on (bounded)
  std::optional<WaitUntil> wait_until;
};

struct ManifestApply {
  Place place;
  std::string as;
  std::vector<std::string> files;              // absolute after loading
  std::map<std::string, std::string> replace;  // literal text -> replacement (${var} allowed)
  std::map<std::string, std::string> namespace_mesh;
};

struct YelbDeployment {
  Place place;
  bool mesh = true;  // false: Yelb without sidecars (no hops to report)
  std::string mesh_name = "am-multi-account-mesh";
  std::string ns = "yelb";  // the Kubernetes namespace: node "yelb-ui" is "yelb-ui_yelb"
  std::string frontend = "frontend";
  std::string backend = "backend";
};

using traffic::Journey;

struct TrafficSpec {
  Place place;
  std::string name;
  std::vector<std::pair<Journey, int>> journeys;  // journey and weight
  std::vector<std::string> restaurants;           // votes go round-robin over these
  double rate = 0;                                // journeys per second; 0: as fast as possible
  int64_t count = 0;                              // 0: bounded by duration only
  std::chrono::milliseconds duration{0};          // 0: bounded by count only
  int concurrency = 2;
  std::chrono::milliseconds timeout{3000};  // per request
  // Empty: a browser at yelb-ui's app, so every call after it goes through the mesh. A node
  // ("yelb-appserver"): a plaintext client outside the mesh aimed straight at that node's
  // sidecar listener, the way a pod without a sidecar would call it.
  std::string target;
};

enum class ActionKind {
  kTraffic,            // run a traffic block (background: true runs it alongside what follows)
  kWait,               // wait for a background traffic block
  kAdvanceClock,       // move the emulator's virtual clock
  kRevokeCertificate,  // acm-pca RevokeCertificate (serial from an ACM or PCA certificate)
  kDisableCa,          // acm-pca UpdateCertificateAuthority Status=DISABLED
  kDeleteShare,        // ram DeleteResourceShare by the owner
  kRejectShare,        // ram RejectResourceShareInvitation by the principal
  kUpdateVirtualNode,  // appmesh UpdateVirtualNode with a new spec
  kKillProxy,          // stop a sidecar proxy abruptly
  kRestartProxy,       // stop and start a sidecar (a pod restart): every connection reopens
  kStep,               // any step, mid-run
  kSync,               // push the emulator's state to the data plane now
};

struct TimelineAction {
  Place place;
  ActionKind kind = ActionKind::kSync;
  std::optional<std::chrono::milliseconds> at;  // offset from the timeline's start
  std::string target;                           // traffic name, proxy name
  bool background = false;
  std::chrono::seconds clock_by{0};
  std::string as;
  std::map<std::string, std::string> args;  // ca, certificate, share, reason, mesh, name, ...
  nlohmann::json spec;                      // kUpdateVirtualNode
  std::optional<Step> step;                 // kStep
  // Given by `name:` (a step's is inside it): a hop expectation's `since` and a step
  // expectation may refer to the entry.
  std::string name;
  std::string Describe() const;
};

// One check at the end; each is one JUnit test case.
struct Expectation {
  Place place;
  std::string name;     // given, or made from the subject
  std::string subject;  // step, variable, traffic, hop, hops, votes, page_views, stat
  std::string target;   // the step / variable / traffic / hop ("yelb-ui -> yelb-appserver")
  std::map<std::string, nlohmann::json> checks;  // check name -> wanted value
};

struct Scenario {
  std::string file;     // as given
  std::string dir;      // the folder relative paths are read from
  std::string extends;  // the base scenario's path, when it has one
  std::string name;
  std::string description;
  AccountRegistry accounts = AccountRegistry::Defaults();
  std::map<std::string, std::string> variables;
  std::vector<Step> steps;
  std::vector<ManifestApply> manifests;
  std::optional<YelbDeployment> yelb;
  std::vector<TrafficSpec> traffic;
  std::vector<TimelineAction> timeline;
  std::vector<Expectation> expect;

  const TrafficSpec* FindTraffic(const std::string& name) const;
  const Step* FindStep(const std::string& name) const;
};

// Reads and checks a scenario file. `fixtures_dir` is what ${fixtures} means in file paths.
Result<Scenario> LoadScenarioFile(const std::string& path, const std::string& fixtures_dir);
Result<Scenario> LoadScenarioText(const std::string& text, const std::string& file,
                                  const std::string& fixtures_dir);

// One thing wrong in a scenario file, where it was written.
struct ScenarioProblem {
  Place place;
  std::string message;  // what is wrong; how to fix it
};
// Everything LoadScenarioFile would refuse, in file order (empty: the file loads). What
// `crossmesh lint` reports for a scenario file.
std::vector<ScenarioProblem> ScenarioFileProblems(const std::string& path,
                                                  const std::string& fixtures_dir);
// The same for a scenario's text, read already from `path`.
std::vector<ScenarioProblem> ScenarioTextProblems(const std::string& text, const std::string& path,
                                                  const std::string& fixtures_dir);

// "12 months", "400d", "90s", "1.5s", "250ms": InvalidScenario text on failure.
Result<std::chrono::milliseconds> ParseDuration(const std::string& text);

// A hop expectation's target, "FROM -> TO", as its two trimmed ends; nullopt without the
// arrow. Read the same way when the file loads and when the hop is judged.
std::optional<std::pair<std::string, std::string>> SplitHop(const std::string& target);

}  // namespace crossmesh::scenario
