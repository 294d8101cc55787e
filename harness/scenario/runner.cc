#include "harness/scenario/runner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "emulator/emulator.h"
#include "emulator/server/http_server.h"
#include "harness/manifests/apply_runner.h"
#include "harness/scenario/expect.h"
#include "harness/scenario/report.h"
#include "harness/scenario/step_exec.h"
#include "harness/yelb/leftovers.h"

namespace crossmesh::scenario {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The scenario's throwaway folder, removed with everything in it.
class Workspace {
 public:
  Status Create(const std::string& parent) {
    std::string pattern = parent + "/crossmesh-scenario-XXXXXX";
    if (!mkdtemp(pattern.data())) {
      return Error("InvalidConfiguration",
                   fmt::format("cannot create a folder in '{}': {}", parent, strerror(errno)));
    }
    path_ = pattern;
    yelb::TrackFolder(path_);
    return Status::Ok();
  }
  ~Workspace() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    yelb::UntrackFolder(path_);
    if (ec) spdlog::warn("cannot remove scenario folder {}: {}", path_, ec.message());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ServerGuard {
  std::unique_ptr<HttpServer> server;
  ~ServerGuard() {
    if (server) {
      server->Stop();
      server->Join();
    }
  }
};

// Sets environment variables for the duration of an in-process `crossmesh apply`, which reads
// the CLI's profile files from the environment as the CLI does; restores them afterwards.
class ScopedEnv {
 public:
  ScopedEnv(std::vector<std::pair<std::string, std::string>> values) {
    for (auto& [name, value] : values) {
      const char* old = getenv(name.c_str());
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnv() {
    for (auto& [name, old] : saved_) {
      if (old) {
        setenv(name.c_str(), old->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// A captured value as progress shows it: one line, at most 100 characters (a PEM is long).
std::string Shortened(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text.size() <= 100 ? text : text.substr(0, 97) + "...";
}

std::string ReadAll(std::FILE* file) {
  std::string text;
  std::rewind(file);
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  return text;
}

// Runs one phase step, turning an exception from a library underneath (a JSON answer of an
// unexpected shape, say) into a failed step instead of ending the program.
Result<std::string> Guarded(const std::function<Result<std::string>()>& step) {
  try {
    return step();
  } catch (const std::exception& e) {
    return Error("InternalError",
                 fmt::format("the step stopped on an unexpected answer: {}", e.what()));
  }
}

// One scenario's run. Members are declared so that they are destroyed in the safe order:
// traffic first, then Yelb and its sidecars, the HTTP server, the emulator, the folder last.
class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario), options_(options), runner_(options.quiet) {}

  ScenarioReport Run();

 private:
  Result<std::string> StartEmulator();
  Result<std::string> RunStep(const Step& raw);
  Result<std::string> ApplyManifests(const ManifestApply& entry, size_t index);
  Result<std::string> StartYelb();
  Result<std::string> RunAction(const TimelineAction& action);
  Result<std::string> RunTraffic(const std::string& name, bool background);
  Result<std::string> WaitTraffic(const std::string& name);
  Result<std::string> Fault(const TimelineAction& action);
  Result<std::string> RevokeCertificate(const TimelineAction& action);
  Result<std::string> RejectShare(const TimelineAction& action);
  Result<std::string> AfterChange(std::string detail);
  StepAnswer Api(const std::string& as, const std::string& service, const std::string& op,
                 const std::string& method, const std::string& path, const std::string& query,
                 const json& input);
  Result<Step> Substituted(const Step& raw) const;
  void Do(const std::string& name, const std::function<Result<std::string>()>& step) {
    runner_.Run(name, [&] { return Guarded(step); });
  }
  void Timeline();

  const Scenario& scenario_;
  const RunOptions& options_;
  walkthrough::StepRunner runner_;
  RunFacts facts_;
  // Declared variables that refer to a value not captured yet: still their declared text.
  std::set<std::string> unexpanded_;
  StepContext ctx_;

  Workspace workspace_;
  std::unique_ptr<Emulator> emulator_;
  ServerGuard server_;
  std::unique_ptr<AppRuntime> app_;
  std::map<std::string, traffic::LoadRun> background_;
};

Result<std::string> ScenarioRun::StartEmulator() {
  CM_RETURN_IF_ERROR(workspace_.Create(options_.temp_parent));
  EmulatorOptions emulator_options;
  emulator_options.accounts = scenario_.accounts;
  auto created = Emulator::Create(std::move(emulator_options));
  if (!created.ok()) return created.status();
  emulator_ = std::move(*created);

  ServerOptions server_options;
  server_options.port = 0;
  server_.server = std::make_unique<HttpServer>(*emulator_, server_options);
  auto port = server_.server->Listen();
  if (!port.ok()) return port.status();
  server_.server->RunInBackground();

  ctx_.emulator = emulator_.get();
  ctx_.endpoint_url = server_.server->Url();
  ctx_.workspace = workspace_.path();
  ctx_.aws_cli = options_.aws_cli;
  CM_RETURN_IF_ERROR(PrepareCliFiles(ctx_, scenario_.accounts));

  facts_.variables = scenario_.variables;
  facts_.variables["fixtures"] = options_.fixtures_dir;
  facts_.variables["scenario_dir"] = scenario_.dir;
  facts_.variables["endpoint"] = ctx_.endpoint_url;
  for (const auto& account : scenario_.accounts.all()) {
    facts_.variables[account.name + ".account_id"] = account.id;
    facts_.variables[account.name + ".region"] = account.default_region;
  }
  for (const auto& [name, value] : scenario_.variables) unexpanded_.insert(name);
  ExpandReady(unexpanded_, facts_.variables);
  return fmt::format("{} (folder {})", ctx_.endpoint_url, workspace_.path());
}

Result<Step> ScenarioRun::Substituted(const Step& raw) const {
  Step step = raw;
  const Variables& vars = facts_.variables;
  for (std::string* text : {&step.path, &step.shell, &step.method}) {
    auto done = Substitute(*text, vars);
    if (!done.ok()) return done.status();
    *text = *done;
  }
  for (auto& arg : step.cli_args) {
    auto done = Substitute(arg, vars);
    if (!done.ok()) return done.status();
    arg = *done;
  }
  for (auto& [key, value] : step.query) {
    auto done = Substitute(value, vars);
    if (!done.ok()) return done.status();
    value = *done;
  }
  auto input = SubstituteJson(step.input, vars);
  if (!input.ok()) return input.status();
  step.input = *input;
  if (step.wait_until) {
    auto equals = Substitute(step.wait_until->equals, vars);
    if (!equals.ok()) return equals.status();
    step.wait_until->equals = *equals;
  }
  return step;
}

Result<std::string> ScenarioRun::RunStep(const Step& raw) {
  auto substituted = Substituted(raw);
  if (!substituted.ok()) return substituted.status();
  const Step& step = *substituted;
  std::vector<std::string> retry = step.retry_while;
  // AWS's asynchronous steps (a CA being created, a certificate being issued) answer
  // RequestInProgressException for a moment; SDK waiters retry it, so calls do too.
  if (step.kind == StepKind::kCall && retry.empty() &&
      step.expect_error != "RequestInProgressException") {
    retry.push_back("RequestInProgressException");
  }
  auto deadline =
      Clock::now() + (step.wait_until ? step.wait_until->timeout : std::chrono::milliseconds(5000));
  StepAnswer answer;
  std::string waited_value;
  for (;;) {
    answer = ExecuteStep(ctx_, scenario_.accounts, step);
    bool more_time = Clock::now() < deadline;
    if (!answer.ok && more_time &&
        std::find(retry.begin(), retry.end(), answer.error_code) != retry.end()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (answer.ok && step.wait_until) {
      auto value = JsonAt(answer.answer, step.wait_until->path);
      waited_value = value.ok() ? AsText(*value) : value.status().message();
      if (waited_value != step.wait_until->equals && more_time) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
    }
    break;
  }

  // Passed only once all of it has worked: a capture or sync that fails (or throws, which
  // Guarded turns into a failure) leaves it failed.
  StepRecord& record = facts_.steps[step.name];
  record = {false, answer.error_code, answer.message, answer.output,
            std::chrono::system_clock::now()};
  if (!step.expect_error.empty()) {
    record.passed = !answer.ok && answer.error_code == step.expect_error;
    if (answer.ok) {
      return Error("ExpectationFailed",
                   fmt::format("expected {} but the call succeeded: {}", step.expect_error,
                               answer.output.substr(0, 300)));
    }
    if (!record.passed) {
      return Error("ExpectationFailed", fmt::format("expected {}, got {}: {}", step.expect_error,
                                                    answer.error_code, answer.message));
    }
    return AfterChange(
        fmt::format("failed as expected: {}: {}", answer.error_code, answer.message));
  }
  if (!answer.ok) return Error(answer.error_code, answer.message);
  if (step.wait_until && waited_value != step.wait_until->equals) {
    return Error(
        "WaitTimedOut",
        fmt::format("{} is '{}' after {} ms, not '{}'", step.wait_until->path, waited_value,
                    step.wait_until->timeout.count(), step.wait_until->equals));
  }

  std::vector<std::string> captured;
  for (const auto& [name, path] : step.capture) {
    auto value = JsonAt(answer.answer, path);
    if (!value.ok()) {
      return Error("CaptureFailed",
                   fmt::format("capture '{}': {}", name, value.status().message()));
    }
    facts_.variables[name] = AsText(*value);
    unexpanded_.erase(name);  // a captured value is used as it is
    captured.push_back(fmt::format("{}={}", name, Shortened(facts_.variables[name])));
  }
  ExpandReady(unexpanded_, facts_.variables);  // declared ones waiting for these captures
  Result<std::string> done = AfterChange(
      captured.empty() ? std::string("ok") : fmt::format("{}", fmt::join(captured, ", ")));
  record.passed = done.ok();
  return done;
}

// After anything that changes the emulator's state, the data plane reads it again (nothing
// reaches the proxies between calls).
Result<std::string> ScenarioRun::AfterChange(std::string detail) {
  if (!app_) return detail;
  auto synced = app_->Sync();
  if (!synced.ok()) return synced.status();
  return detail;
}

Result<std::string> ScenarioRun::ApplyManifests(const ManifestApply& entry, size_t index) {
  manifests::ApplyOptions apply;
  apply.profile = entry.as;
  apply.endpoint_url = ctx_.endpoint_url;
  apply.namespace_mesh = entry.namespace_mesh;
  std::filesystem::create_directories(workspace_.path() + "/manifests");
  for (const auto& file : entry.files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    for (const auto& [from, to_raw] : entry.replace) {
      auto to = Substitute(to_raw, facts_.variables);
      if (!to.ok()) return to.status();
      for (size_t at = content.find(from); at != std::string::npos;
           at = content.find(from, at + to->size())) {
        content.replace(at, from.size(), *to);
      }
    }
    // Same base name, so apply's findings still name the file the user wrote.
    std::string dir = fmt::format("{}/manifests/{}", workspace_.path(), index);
    std::filesystem::create_directories(dir);
    std::string out = dir + "/" + std::filesystem::path(file).filename().string();
    std::ofstream(out) << content;
    apply.files.push_back(out);
  }

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::tmpfile(), &std::fclose);
  if (!out) return Error("InvalidConfiguration", "cannot create a temporary file for apply");
  int code = 0;
  {
    const Account* account = scenario_.accounts.FindByName(entry.as);
    ScopedEnv env({{"AWS_CONFIG_FILE", workspace_.path() + "/aws/config"},
                   {"AWS_SHARED_CREDENTIALS_FILE", workspace_.path() + "/aws/credentials"},
                   {"AWS_REGION", account->default_region}});
    code = manifests::RunApply(apply, out.get(), out.get());
  }
  std::string printed = ReadAll(out.get());
  // Findings name the copies with replacements made, gone when the run ends: name the user's.
  for (size_t i = 0; i < apply.files.size(); ++i) {
    const std::string& copy = apply.files[i];
    for (size_t at = printed.find(copy); at != std::string::npos;
         at = printed.find(copy, at + entry.files[i].size())) {
      printed.replace(at, copy.size(), entry.files[i]);
    }
  }
  if (code != 0) {
    return Error("ApplyFailed",
                 fmt::format("crossmesh apply as {} failed:\n{}", entry.as, printed));
  }
  size_t calls = static_cast<size_t>(std::count(printed.begin(), printed.end(), '\n'));
  return AfterChange(fmt::format("{} file(s) applied as {} ({} lines of output)",
                                 entry.files.size(), entry.as, calls));
}

Result<std::string> ScenarioRun::StartYelb() {
  auto started = scenario_.yelb->mesh ? StartMeshYelb(*emulator_, scenario_) : StartPlainYelb();
  if (!started.ok()) return started.status();
  app_ = std::move(*started);
  return fmt::format("yelb-ui at http://{}:{}{}", app_->ui_host(), app_->ui_port(),
                     scenario_.yelb->mesh ? " (through the sidecars)" : " (no mesh)");
}

Result<std::string> ScenarioRun::RunTraffic(const std::string& name, bool background) {
  const TrafficSpec* spec = scenario_.FindTraffic(name);
  if (!app_) return Error("InvalidScenario", "traffic needs Yelb, which did not start");
  if (background_.count(name)) {
    return Error("InvalidScenario", fmt::format("traffic '{}' is already running", name));
  }
  traffic::LoadOptions load;
  load.name = spec->name;
  load.host = app_->ui_host();
  load.port = app_->ui_port();
  if (!spec->target.empty()) {
    auto listener = app_->SidecarListener(spec->target);
    if (!listener.ok()) return listener.status();
    std::tie(load.host, load.port) = *listener;
    load.host_header = spec->target;
  }
  load.journeys = spec->journeys;
  load.restaurants = spec->restaurants;
  load.rate = spec->rate;
  load.count = spec->count;
  load.duration = spec->duration;
  load.concurrency = spec->concurrency;
  load.timeout = spec->timeout;
  auto run = traffic::LoadRun::Start(load);
  if (!run.ok()) return run.status();
  if (background) {
    background_.emplace(name, std::move(*run));
    return std::string("started in the background");
  }
  traffic::LoadResult result = run->Wait();
  std::string summary = result.Summary();
  MergeTraffic(facts_.traffic[name], result);
  return summary;
}

Result<std::string> ScenarioRun::WaitTraffic(const std::string& name) {
  auto found = background_.find(name);
  if (found == background_.end()) {
    return Error("InvalidScenario",
                 fmt::format("traffic '{}' is not running in the background", name));
  }
  traffic::LoadResult result = found->second.Wait();
  background_.erase(found);
  MergeTraffic(facts_.traffic[name], result);
  return result.Summary();
}

StepAnswer ScenarioRun::Api(const std::string& as, const std::string& service,
                            const std::string& op, const std::string& method,
                            const std::string& path, const std::string& query, const json& input) {
  return CallApi(ctx_, scenario_.accounts, as, service, op, method, path, query, input);
}

Result<std::string> ScenarioRun::RevokeCertificate(const TimelineAction& action) {
  const std::string& ca = action.args.at("ca");
  const std::string& certificate = action.args.at("certificate");
  std::string serial;
  if (certificate.rfind("arn:aws:acm:", 0) == 0) {
    // An ACM certificate: its serial as its owner sees it.
    std::string owner_id = certificate.substr(0, certificate.find(":certificate/"));
    owner_id = owner_id.substr(owner_id.rfind(':') + 1);
    const Account* owner = scenario_.accounts.FindById(owner_id);
    if (!owner) return Error("InvalidScenario", "no account owns " + certificate);
    StepAnswer described = Api(owner->name, "acm", "DescribeCertificate", "", "", "",
                               {{"CertificateArn", certificate}});
    if (!described.ok) return Error(described.error_code, described.message);
    serial = described.answer["Certificate"].value("Serial", "");
    serial.erase(std::remove(serial.begin(), serial.end(), ':'), serial.end());
  } else {
    serial = certificate.substr(certificate.rfind('/') + 1);
  }
  std::string reason =
      action.args.count("reason") ? action.args.at("reason") : std::string("KEY_COMPROMISE");
  StepAnswer revoked = Api(action.as, "acm-pca", "RevokeCertificate", "", "", "",
                           {{"CertificateAuthorityArn", ca},
                            {"CertificateSerial", serial},
                            {"RevocationReason", reason}});
  if (!revoked.ok) return Error(revoked.error_code, revoked.message);
  return fmt::format("serial {} revoked ({})", serial, reason);
}

Result<std::string> ScenarioRun::RejectShare(const TimelineAction& action) {
  const std::string& share = action.args.at("share");
  StepAnswer invitations =
      Api(action.as, "ram", "GetResourceShareInvitations", "POST", "/getresourceshareinvitations",
          "", {{"resourceShareArns", {share}}});
  if (!invitations.ok) return Error(invitations.error_code, invitations.message);
  for (const auto& invitation :
       invitations.answer.value("resourceShareInvitations", json::array())) {
    StepAnswer rejected = Api(
        action.as, "ram", "RejectResourceShareInvitation", "POST", "/rejectresourceshareinvitation",
        "", {{"resourceShareInvitationArn", invitation["resourceShareInvitationArn"]}});
    if (!rejected.ok) return Error(rejected.error_code, rejected.message);
    return "invitation " + rejected.answer["resourceShareInvitation"].value("status", "?");
  }
  return Error("ResourceNotFoundException",
               fmt::format("{} has no invitation for share {}", action.as, share));
}

Result<std::string> ScenarioRun::Fault(const TimelineAction& action) {
  std::map<std::string, std::string> args;
  for (const auto& [key, raw] : action.args) {
    auto value = Substitute(raw, facts_.variables);
    if (!value.ok()) return value.status();
    args[key] = *value;
  }
  TimelineAction a = action;
  a.args = args;
  StepAnswer answer;
  std::string detail;
  switch (a.kind) {
    case ActionKind::kRevokeCertificate: {
      auto revoked = RevokeCertificate(a);
      if (!revoked.ok()) return revoked;
      detail = *revoked;
      break;
    }
    case ActionKind::kDisableCa:
      answer = Api(a.as, "acm-pca", "UpdateCertificateAuthority", "", "", "",
                   {{"CertificateAuthorityArn", args["ca"]}, {"Status", "DISABLED"}});
      detail = "CA disabled";
      break;
    case ActionKind::kDeleteShare:
      answer = Api(a.as, "ram", "DeleteResourceShare", "DELETE", "/deleteresourceshare",
                   "resourceShareArn=" + PercentEncode(args["share"]), nullptr);
      detail = "share deleted";
      break;
    case ActionKind::kRejectShare: {
      auto rejected = RejectShare(a);
      if (!rejected.ok()) return rejected;
      detail = *rejected;
      break;
    }
    case ActionKind::kUpdateVirtualNode: {
      auto spec = SubstituteJson(a.spec, facts_.variables);
      if (!spec.ok()) return spec.status();
      std::string query;
      if (args.count("mesh_owner")) query = "meshOwner=" + args["mesh_owner"];
      answer = Api(a.as, "appmesh", "UpdateVirtualNode", "PUT",
                   fmt::format("/v20190125/meshes/{}/virtualNodes/{}", args["mesh"], args["name"]),
                   query, {{"spec", *spec}});
      detail = "virtual node updated";
      // The App Mesh controller names a Kubernetes VirtualNode NAME_NAMESPACE in App Mesh.
      if (answer.error_code == "NotFoundException" && app_ &&
          args["name"].find('_') == std::string::npos) {
        answer.message += fmt::format(
            " (virtual nodes made from manifests are named NAME_NAMESPACE, such as {}_{})",
            args["name"], scenario_.yelb ? scenario_.yelb->ns : std::string("yelb"));
      }
      break;
    }
    default:
      return Error("InvalidScenario", "not a fault: " + a.Describe());
  }
  if (!detail.empty() && answer.error_code.empty()) return AfterChange(detail);
  return Error(answer.error_code, answer.message);
}

Result<std::string> ScenarioRun::RunAction(const TimelineAction& action) {
  switch (action.kind) {
    case ActionKind::kTraffic:
      return RunTraffic(action.target, action.background);
    case ActionKind::kWait:
      return WaitTraffic(action.target);
    case ActionKind::kAdvanceClock: {
      CM_RETURN_IF_ERROR(emulator_->AdvanceClock(action.clock_by));
      return AfterChange(
          fmt::format("virtual time is now {}", FormatIso8601(emulator_->clock().Now())));
    }
    case ActionKind::kKillProxy: {
      if (!app_) return Error("InvalidScenario", "kill_proxy needs Yelb on the mesh");
      CM_RETURN_IF_ERROR(app_->KillProxy(action.target));
      return std::string("proxy stopped");
    }
    case ActionKind::kRestartProxy: {
      if (!app_) return Error("InvalidScenario", "restart_proxy needs Yelb on the mesh");
      CM_RETURN_IF_ERROR(app_->RestartProxy(action.target));
      return std::string("proxy restarted; its connections reopen and verify again");
    }
    case ActionKind::kStep:
      return RunStep(*action.step);
    case ActionKind::kSync:
      if (!app_) return std::string("no data plane to sync");
      return app_->Sync();
    default:
      return Fault(action);
  }
}

void ScenarioRun::Timeline() {
  std::set<std::string> in_timeline;
  for (const auto& action : scenario_.timeline) {
    if (action.kind == ActionKind::kTraffic) in_timeline.insert(action.target);
  }
  bool phase_begun = false;
  for (const auto& spec : scenario_.traffic) {
    if (in_timeline.count(spec.name)) continue;
    if (!std::exchange(phase_begun, true)) runner_.BeginPhase("traffic");
    Do("traffic " + spec.name, [&] { return RunTraffic(spec.name, false); });
  }

  if (scenario_.timeline.empty()) return;
  runner_.BeginPhase("timeline");
  auto start = Clock::now();
  for (const auto& action : scenario_.timeline) {
    if (action.at && runner_.passed()) std::this_thread::sleep_until(start + *action.at);
    // The label names the values the action will use, as far as they are known yet.
    auto described = Substitute(action.Describe(), facts_.variables);
    std::string what = described.ok() ? *described : action.Describe();
    std::string label = action.at ? fmt::format("at {} ms: {}", action.at->count(), what) : what;
    const bool runs = runner_.passed();  // after a failure the rest is skipped
    Do(label, [&] { return RunAction(action); });
    if (runs && !action.name.empty()) {
      // A named entry is recorded as a step is: whether it worked, and when it ended.
      const walkthrough::StepOutcome& outcome = runner_.outcomes().back();
      facts_.steps[action.name] = {outcome.passed, "", outcome.passed ? "" : outcome.detail, "",
                                   std::chrono::system_clock::now()};
    }
  }
  // Background traffic the timeline never waited for still counts. After a failure the rest
  // of the timeline was skipped, so it is stopped instead of left to run out its bound.
  for (auto& [name, run] : background_) {
    if (!runner_.passed()) run.Cancel();
    MergeTraffic(facts_.traffic[name], run.Wait());
  }
  background_.clear();
}

ScenarioReport ScenarioRun::Run() {
  auto started = Clock::now();
  ScenarioReport report;
  report.name = scenario_.name;
  report.file = scenario_.file;
  if (!options_.quiet) fmt::print("\n### scenario {} ({})\n", scenario_.name, scenario_.file);

  runner_.BeginPhase("emulator");
  Do("start the emulator on a free loopback port", [&] { return StartEmulator(); });
  if (!scenario_.steps.empty()) runner_.BeginPhase("steps");
  for (const auto& step : scenario_.steps) {
    Do(step.name, [&] { return RunStep(step); });
  }
  if (!scenario_.manifests.empty()) runner_.BeginPhase("manifests");
  for (size_t i = 0; i < scenario_.manifests.size(); ++i) {
    const auto& entry = scenario_.manifests[i];
    std::vector<std::string> names;
    for (const auto& f : entry.files) names.push_back(std::filesystem::path(f).filename());
    Do(fmt::format("apply {} as {}", fmt::join(names, ", "), entry.as),
       [&] { return ApplyManifests(entry, i); });
  }
  if (scenario_.yelb) {
    runner_.BeginPhase("yelb");
    Do(scenario_.yelb->mesh ? "start Yelb on the mesh" : "start Yelb without the mesh",
       [&] { return StartYelb(); });
  }
  Timeline();

  // The checks, then everything is taken down before the report is returned.
  auto checks_started = Clock::now();
  facts_.app = app_.get();
  if (app_) facts_.hops = app_->Hops();
  for (const auto& o : runner_.outcomes()) {
    if (!o.passed && facts_.setup_failure.empty()) {
      facts_.setup_failure = fmt::format("'{}' failed", o.name);
    }
  }
  report.expectations = CheckExpectations(scenario_, facts_);
  double checks_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - checks_started).count();

  report.hops = facts_.hops;
  report.traffic = facts_.traffic;
  report.workspace = workspace_.path();
  if (app_) {
    report.pids = app_->pids();
    report.folders = app_->folders();
  }
  report.steps = runner_.outcomes();
  report.phases = runner_.Timings();
  report.phases.push_back({"expectations", checks_ms});
  report.passed = runner_.passed();
  for (const auto& e : report.expectations) report.passed = report.passed && e.passed;
  report.ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return report;
}

ScenarioReport LoadFailure(const std::string& file, const Status& status) {
  ScenarioReport report;
  report.name = std::filesystem::path(file).stem().string();
  report.file = file;
  report.load_error = status.message();
  return report;
}

}  // namespace

ScenarioReport RunScenario(const Scenario& scenario, const RunOptions& options) {
  ScenarioReport report;
  auto started = Clock::now();
  {
    ScenarioRun run(scenario, options);
    report = run.Run();
  }  // everything the run made is stopped and removed here
  double teardown =
      std::chrono::duration<double, std::milli>(Clock::now() - started).count() - report.ms;
  report.phases.push_back({"cleanup", teardown});
  report.ms += teardown;
  spdlog::info("scenario {} {} in {:.0f} ms", scenario.name, report.passed ? "passed" : "failed",
               report.ms);
  return report;
}

int RunScenarioFiles(const std::vector<std::string>& files, const RunFilesOptions& options) {
  if (!options.json_path.empty() && options.json_path == options.junit_path) {
    fmt::print(stderr,
               "{}: --json and --junit both name {}: one report would overwrite the "
               "other; give each its own file\n",
               options.command, options.json_path);
    return 2;
  }

  // Every file is read before anything runs: a typo in the last one must not cost the runs of
  // the others first, or be found only at the end of their logs.
  std::vector<Result<Scenario>> loaded;
  std::vector<std::string> malformed;
  for (const auto& file : files) {
    loaded.push_back(LoadScenarioFile(file, options.run.fixtures_dir));
    if (!loaded.back().ok()) {
      fmt::print(stderr, "{}: {}\n", options.command, loaded.back().status().message());
      malformed.push_back(file);
    }
  }

  std::vector<ScenarioReport> reports;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!loaded[i].ok()) {
      reports.push_back(LoadFailure(files[i], loaded[i].status()));
    } else if (!malformed.empty()) {
      reports.push_back(LoadFailure(
          files[i], Error("NotRun", fmt::format("not run: fix {} first (nothing runs while a "
                                                "scenario file is malformed)",
                                                fmt::join(malformed, ", ")))));
    } else {
      reports.push_back(RunScenario(*loaded[i], options.run));
      PrintScenarioSummary(reports.back());
    }
  }

  int code = 0;
  for (const auto& r : reports) code = r.passed ? code : 1;
  int passed = static_cast<int>(
      std::count_if(reports.begin(), reports.end(), [](const auto& r) { return r.passed; }));
  fmt::print("\n{} of {} scenario(s) passed\n", passed, reports.size());
  for (auto [path, writer] : {std::pair{options.json_path, &WriteJsonReport},
                              std::pair{options.junit_path, &WriteJunitReport}}) {
    if (path.empty()) continue;
    Status written = writer(path, reports);
    if (!written.ok()) {
      fmt::print(stderr, "{}: {}\n", options.command, written.message());
      code = 2;
    }
  }
  return code;
}

}  // namespace crossmesh::scenario
