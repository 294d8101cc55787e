#include "tests/support/test_emulator.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poll.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "cli/profile_files.h"
#include "emulator/auth/signer.h"
#include "emulator/client/http_client.h"

extern char** environ;

namespace crossmesh::testing {

nlohmann::json CommandResult::Json() const { return nlohmann::json::parse(out, nullptr, false); }

nlohmann::json BodyJson(const WireResponse& response) {
  return nlohmann::json::parse(response.body, nullptr, false);
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         const std::string& stdin_text) {
  int out_pipe[2], err_pipe[2], in_pipe[2];
  REQUIRE(pipe(out_pipe) == 0);
  REQUIRE(pipe(err_pipe) == 0);
  REQUIRE(pipe(in_pipe) == 0);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
    posix_spawn_file_actions_addclose(&actions, fd);
  }

  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) env_text.emplace_back(*e);
  for (const auto& extra : env) env_text.push_back(extra);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argvp;
  for (auto& a : args) argvp.push_back(a.data());
  argvp.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawn(&pid, argvp[0], &actions, nullptr, argvp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  CommandResult result;
  if (rc != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = "cannot start " + argv[0] + ": " + strerror(rc);
    return result;
  }
  if (!stdin_text.empty()) {
    (void)!write(in_pipe[1], stdin_text.data(), stdin_text.size());
  }
  close(in_pipe[1]);

  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buffer[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, 120000) <= 0) break;  // bounded: a hung child fails the test
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

TempDir::TempDir() {
  char pattern[] = "/tmp/crossmesh-test-XXXXXX";
  REQUIRE(mkdtemp(pattern));
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& text) const {
  std::string full = path_ + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(full).parent_path());
  std::ofstream(full, std::ios::binary) << text;
  return full;
}

TestEmulator::TestEmulator(EmulatorOptions options, ServerOptions server_options) {
  auto emulator = Emulator::Create(std::move(options));
  REQUIRE(emulator.ok());
  emulator_ = std::move(*emulator);

  server_options.port = 0;
  server_ = std::make_unique<HttpServer>(*emulator_, server_options);
  auto port = server_->Listen();
  REQUIRE(port.ok());
  server_->RunInBackground();
  url_ = server_->Url();
  REQUIRE(cli::WriteProfileFiles(dir_.path(), emulator_->accounts(), url_).ok());
}

TestEmulator::~TestEmulator() {
  server_->Stop();
  server_->Join();
}

CommandResult TestEmulator::AwsOk(const std::string& profile,
                                  const std::vector<std::string>& args) {
  CommandResult result = Aws(profile, args);
  std::string command = "aws";
  for (const std::string& arg : args) command += " " + arg;
  INFO(command << "\nstdout: " << result.out << "\nstderr: " << result.err);
  REQUIRE(result.exit_code == 0);
  return result;
}

CommandResult TestEmulator::Aws(const std::string& profile, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/aws", "--profile", profile, "--endpoint-url", url_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, {"AWS_CONFIG_FILE=" + dir_.path() + "/config",
                           "AWS_SHARED_CREDENTIALS_FILE=" + dir_.path() + "/credentials",
                           "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=", "AWS_RETRY_MODE=standard",
                           // Never let the CLI look for an instance metadata endpoint.
                           "AWS_EC2_METADATA_DISABLED=true"});
}

WireResponse TestEmulator::Send(const std::string& account_name, WireRequest request,
                                const std::string& service, const std::string& region) {
  const Account* account = emulator_->accounts().FindByName(account_name);
  REQUIRE(account);
  auto endpoint = ParseEndpointUrl(url_);
  REQUIRE(endpoint.ok());
  auth::SigningCredentials creds{account->access_key_id, account->secret_access_key};
  REQUIRE(auth::SignRequest(request, creds, region, service, Clock::now(), false,
                            endpoint->HostHeader())
              .ok());
  auto response = SendHttp(*endpoint, request);
  REQUIRE(response.ok());
  return *response;
}

WireResponse TestEmulator::JsonCall(const std::string& account, const std::string& service,
                                    const std::string& target, const nlohmann::json& input) {
  WireRequest request;
  request.method = "POST";
  request.path = "/";
  request.SetHeader("Content-Type", "application/x-amz-json-1.1");
  request.SetHeader("X-Amz-Target", target);
  request.body = input.dump();
  return Send(account, std::move(request), service);
}

WireResponse TestEmulator::RestCall(const std::string& account, const std::string& service,
                                    const std::string& method, const std::string& path,
                                    const nlohmann::json& body, const std::string& query) {
  WireRequest request;
  request.method = method;
  request.path = path;
  request.query = query;
  if (!body.is_null()) {
    request.SetHeader("Content-Type", "application/json");
    request.body = body.dump();
  }
  return Send(account, std::move(request), service);
}

std::string UpstreamFixture(const std::string& relative) {
  return std::string(CROSSMESH_SOURCE_DIR) + "/../shared/fixtures/upstream-walkthrough/" + relative;
}

}  // namespace crossmesh::testing
