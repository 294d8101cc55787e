#include "harness/scenario/step_exec.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <re2/re2.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "emulator/auth/signer.h"
#include "emulator/client/aws_client.h"
#include "emulator/core/json_dump.h"
#include "emulator/emulator.h"
#include "emulator/protocol/protocol.h"
#include "harness/scenario/xml_leaves.h"
#include "harness/yelb/leftovers.h"

namespace crossmesh::scenario {
namespace {

using nlohmann::json;

std::string TargetPrefix(const std::string& service) {
  if (service == "acm-pca") return "ACMPrivateCA";
  if (service == "acm") return "CertificateManager";
  return "";
}

bool IsQueryService(const std::string& service) { return service == "sts" || service == "iam"; }

// A query call's input as its form's fields: the load check lets only a map of scalars in.
std::map<std::string, std::string> QueryParams(const json& input) {
  std::map<std::string, std::string> params;
  if (!input.is_object()) return params;
  for (const auto& [name, value] : input.items()) {
    params[name] = value.is_string() ? value.get<std::string>() : DumpJson(value);
  }
  return params;
}

const Account* FindAccount(const AccountRegistry& accounts, const std::string& name) {
  return accounts.FindByName(name);
}

StepAnswer Failed(std::string code, std::string message) {
  StepAnswer a;
  a.error_code = std::move(code);
  a.message = std::move(message);
  a.output = a.error_code + ": " + a.message;
  return a;
}

StepAnswer Succeeded(json answer, std::string output) {
  StepAnswer a;
  a.ok = true;
  a.answer = std::move(answer);
  a.output = std::move(output);
  return a;
}

StepAnswer FromResult(const Result<json>& result) {
  if (!result.ok()) return Failed(result.status().code(), result.status().message());
  return Succeeded(*result, result->dump());
}

std::string QueryString(const std::map<std::string, std::string>& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    out += fmt::format("{}{}={}", out.empty() ? "" : "&", PercentEncode(key), PercentEncode(value));
  }
  return out;
}

// An answer from Emulator::Handle, read the way AwsClient reads one from the wire.
StepAnswer FromWire(const WireResponse& response, Protocol protocol) {
  if (protocol == Protocol::kQuery) {
    json leaves = XmlLeaves(response.body);
    if (response.status >= 300) {
      return Failed(leaves.value("Code", "HTTP" + std::to_string(response.status)),
                    leaves.value("Message", response.body));
    }
    return Succeeded(leaves, response.body);
  }
  json body = response.body.empty() ? json::object() : json::parse(response.body, nullptr, false);
  if (response.status >= 300) {
    std::string code =
        response.Header("x-amzn-ErrorType") ? *response.Header("x-amzn-ErrorType") : "";
    if (body.is_object() && body.contains("__type")) code = body["__type"].get<std::string>();
    code = code.substr(code.find('#') == std::string::npos ? 0 : code.find('#') + 1);
    code = code.substr(0, code.find(':'));
    std::string message =
        body.is_object() ? body.value("message", body.value("Message", "")) : response.body;
    return Failed(code.empty() ? fmt::format("HTTP{}", response.status) : code, message);
  }
  if (body.is_discarded()) return Failed("SerializationException", "the answer is not JSON");
  return Succeeded(body, response.body);
}

StepAnswer CallInProcess(const StepContext& ctx, const Account& account, const Step& step) {
  WireRequest request;
  Protocol protocol = Protocol::kRestJson;
  if (!TargetPrefix(step.service).empty()) {
    protocol = Protocol::kJson11;
    request.method = "POST";
    request.path = "/";
    request.SetHeader("Content-Type", "application/x-amz-json-1.1");
    request.SetHeader("X-Amz-Target", TargetPrefix(step.service) + "." + step.operation);
    request.body = step.input.is_null() ? "{}" : DumpJson(step.input);
  } else if (IsQueryService(step.service)) {
    protocol = Protocol::kQuery;
    request.method = "POST";
    request.path = "/";
    request.SetHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    request.body = QueryBody(step.service, step.operation, QueryParams(step.input));
  } else {
    request.method = step.method;
    request.path = step.path;
    request.query = QueryString(step.query);
    if (!step.input.is_null()) {
      request.SetHeader("Content-Type", "application/json");
      request.body = DumpJson(step.input);
    }
  }
  Status signed_ok = auth::SignRequest(request, {account.access_key_id, account.secret_access_key},
                                       account.default_region, step.service,
                                       std::chrono::system_clock::now(), false, "127.0.0.1");
  if (!signed_ok.ok()) return Failed(signed_ok.code(), signed_ok.message());
  return FromWire(ctx.emulator->Handle(request), protocol);
}

// ---- processes ----

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs argv with exactly `env`, output to files in the workspace; killed (its whole process
// group) when it outlives `timeout`.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env, const StepContext& ctx) {
  static std::atomic<int> serial{0};
  std::string base = fmt::format("{}/step-{}", ctx.workspace, ++serial);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, (base + ".out").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, (base + ".err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own group (so a timeout kills what it started too), and default signal handling: the
  // runner may block SIGINT/SIGTERM for its interrupt thread, and ignores SIGPIPE.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::vector<std::string> args = argv, envs = env;
  std::vector<char*> argvp, envp;
  for (auto& a : args) argvp.push_back(a.data());
  for (auto& e : envs) envp.push_back(e.data());
  argvp.push_back(nullptr);
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argvp[0], &actions, &attr, argvp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Error("CliFailed", fmt::format("cannot start {}: {}", argv[0], strerror(rc)));
  }

  yelb::TrackProcessGroup(pid);
  auto deadline = std::chrono::steady_clock::now() + ctx.command_timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      yelb::UntrackProcessGroup(pid);
      return Error("CliFailed",
                   fmt::format("'{}' did not finish within {} s and was killed",
                               fmt::join(argv, " "), ctx.command_timeout.count() / 1000));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // What the step left running in the background (`cmd &`) ends with it: a scenario leaves
  // nothing behind, and a later step cannot rely on it.
  kill(-pid, SIGKILL);
  yelb::UntrackProcessGroup(pid);
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(base + ".out");
  result.err = ReadFile(base + ".err");
  std::filesystem::remove(base + ".out");
  std::filesystem::remove(base + ".err");
  return result;
}

// Only what the CLI needs, so nothing from the caller's environment (proxies, a real profile,
// a CA bundle) can send it elsewhere.
std::vector<std::string> CliEnvironment(const StepContext& ctx, const Account& account) {
  return {"HOME=" + ctx.workspace,
          "PATH=" + ctx.workspace + "/bin:/usr/bin:/bin",
          "LANG=C.UTF-8",
          "AWS_CONFIG_FILE=" + ctx.workspace + "/aws/config",
          "AWS_SHARED_CREDENTIALS_FILE=" + ctx.workspace + "/aws/credentials",
          "AWS_PROFILE=" + account.name,
          "AWS_DEFAULT_REGION=" + account.default_region,
          "AWS_EC2_METADATA_DISABLED=true",
          "AWS_MAX_ATTEMPTS=1",
          "AWS_RETRY_MODE=standard",
          "AWS_PAGER=",
          "CROSSMESH_ENDPOINT=" + ctx.endpoint_url};
}

StepAnswer FromCli(const Result<ProcessResult>& ran) {
  if (!ran.ok()) return Failed(ran.status().code(), ran.status().message());
  std::string out = ran->out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (ran->exit_code != 0) {
    // "An error occurred (ResourceNotFoundException) when calling the X operation: message"
    static const RE2 kAwsError(R"(An error occurred \(([A-Za-z0-9.]+)\)[^:]*: ?(.*))");
    std::string code;
    std::string message;
    const std::string& err = ran->err;
    if (RE2::PartialMatch(err, kAwsError, &code, &message)) {
      StepAnswer a = Failed(code, message);
      a.output = out + err;
      return a;
    }
    StepAnswer a =
        Failed("CliFailed", fmt::format("exit code {}: {}", ran->exit_code, err.substr(0, 600)));
    a.output = out + err;
    return a;
  }
  json parsed = json::parse(out, nullptr, false);
  return Succeeded(parsed.is_discarded() ? json(out) : parsed, out);
}

Status WriteText(const std::string& path, const std::string& text, std::filesystem::perms perms) {
  std::ofstream file(path, std::ios::trunc);
  file << text;
  if (!file) return Error("InvalidConfiguration", fmt::format("cannot write '{}'", path));
  file.close();
  std::error_code ec;
  std::filesystem::permissions(path, perms, ec);
  return Status::Ok();
}

}  // namespace

Status PrepareCliFiles(const StepContext& ctx, const AccountRegistry& accounts) {
  std::error_code ec;
  std::filesystem::create_directories(ctx.workspace + "/aws", ec);
  std::filesystem::create_directories(ctx.workspace + "/bin", ec);
  std::string config;
  std::string credentials;
  for (const auto& account : accounts.all()) {
    config += fmt::format("[profile {}]\nregion = {}\noutput = json\n\n", account.name,
                          account.default_region);
    credentials += fmt::format("[{}]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n",
                               account.name, account.access_key_id, account.secret_access_key);
  }
  using std::filesystem::perms;
  CM_RETURN_IF_ERROR(
      WriteText(ctx.workspace + "/aws/config", config, perms::owner_read | perms::owner_write));
  CM_RETURN_IF_ERROR(WriteText(ctx.workspace + "/aws/credentials", credentials,
                               perms::owner_read | perms::owner_write));
  // CLI 2.9 ignores AWS_ENDPOINT_URL, so the endpoint goes on every command line.
  return WriteText(ctx.workspace + "/bin/aws",
                   fmt::format("#!/bin/sh\nexec {} --endpoint-url \"$CROSSMESH_ENDPOINT\" \"$@\"\n",
                               ctx.aws_cli),
                   perms::owner_all);
}

StepAnswer CallApi(const StepContext& ctx, const AccountRegistry& accounts,
                   const std::string& account_name, const std::string& service,
                   const std::string& operation, const std::string& method, const std::string& path,
                   const std::string& query, const json& input) {
  const Account* account = FindAccount(accounts, account_name);
  if (!account) return Failed("InvalidScenario", "no account named '" + account_name + "'");
  auto endpoint = ParseEndpointUrl(ctx.endpoint_url);
  if (!endpoint.ok()) return Failed(endpoint.status().code(), endpoint.status().message());
  AwsClient client(*endpoint, {account->access_key_id, account->secret_access_key},
                   account->default_region);
  if (!TargetPrefix(service).empty()) {
    return FromResult(client.Json(service, TargetPrefix(service) + "." + operation,
                                  input.is_null() ? json::object() : input));
  }
  if (IsQueryService(service)) {
    auto xml = client.Query(service, operation, QueryParams(input));
    if (!xml.ok()) return Failed(xml.status().code(), xml.status().message());
    return Succeeded(XmlLeaves(*xml), *xml);
  }
  return FromResult(client.Rest(service, method, path, input, query));
}

StepAnswer ExecuteStep(const StepContext& ctx, const AccountRegistry& accounts, const Step& step) {
  const Account* account = FindAccount(accounts, step.as);
  if (!account) return Failed("InvalidScenario", "no account named '" + step.as + "'");
  switch (step.kind) {
    case StepKind::kCall:
      if (step.via == Transport::kInProcess) return CallInProcess(ctx, *account, step);
      return CallApi(ctx, accounts, step.as, step.service, step.operation, step.method, step.path,
                     QueryString(step.query), step.input);
    case StepKind::kCli: {
      std::vector<std::string> argv = {ctx.aws_cli, "--endpoint-url", ctx.endpoint_url};
      argv.insert(argv.end(), step.cli_args.begin(), step.cli_args.end());
      return FromCli(RunProcess(argv, CliEnvironment(ctx, *account), ctx));
    }
    case StepKind::kShell:
      return FromCli(RunProcess({"/bin/sh", "-c", step.shell}, CliEnvironment(ctx, *account), ctx));
  }
  return Failed("InvalidScenario", "unknown step kind");
}

}  // namespace crossmesh::scenario
