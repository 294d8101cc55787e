// crossmesh aws ARGS...: the real AWS CLI (/usr/bin/aws) pointed at the emulator, like awslocal.
// Debian's CLI 2.9 ignores AWS_ENDPOINT_URL, so the endpoint goes on the command line.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "emulator/client/http_client.h"

namespace crossmesh::cli {
namespace {

constexpr const char* kAwsCli = "/usr/bin/aws";

int RunAws(const std::string& endpoint_flag, const std::vector<std::string>& args) {
  if (access(kAwsCli, X_OK) != 0) {
    fmt::print(stderr,
               "crossmesh aws: {} is not installed; run scripts/setup.sh or "
               "`apt-get install awscli`\n",
               kAwsCli);
    return 127;
  }

  std::vector<std::string> argv_text = {kAwsCli};
  bool has_endpoint = false;
  for (const auto& arg : args) {
    if (arg == "--endpoint-url" || arg.rfind("--endpoint-url=", 0) == 0) has_endpoint = true;
    argv_text.push_back(arg);
  }
  if (!has_endpoint) {
    argv_text.emplace_back("--endpoint-url");
    argv_text.push_back(ResolveEndpointUrl(endpoint_flag));
  }

  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  execv(kAwsCli, argv.data());
  fmt::print(stderr, "crossmesh aws: cannot run {}: {}\n", kAwsCli, std::strerror(errno));
  return 127;
}

}  // namespace

void AddAwsCommand(CLI::App& app, RunFn* run) {
  auto endpoint = std::make_shared<std::string>();
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(
      "aws",
      "Run /usr/bin/aws against the emulator: crossmesh aws --profile frontend sts "
      "get-caller-identity");
  cmd->prefix_command();
  cmd->add_option("--crossmesh-endpoint", *endpoint,
                  "Emulator URL (default: $CROSSMESH_ENDPOINT, else http://127.0.0.1:4580)");
  cmd->callback([run, endpoint, args, cmd] {
    *args = cmd->remaining();
    *run = [endpoint, args] { return RunAws(*endpoint, *args); };
  });
}

}  // namespace crossmesh::cli
