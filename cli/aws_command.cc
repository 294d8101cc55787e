// crossmesh aws ARGS...: the real AWS CLI (/usr/bin/aws) pointed at the emulator, like awslocal.
// Debian's CLI 2.9 ignores AWS_ENDPOINT_URL, so the endpoint goes on the command line.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

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
  std::string endpoint = ResolveEndpointUrl(endpoint_flag);
  bool has_endpoint = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--endpoint-url=", 0) == 0) {
      endpoint = arg.substr(std::string_view("--endpoint-url=").size());
      has_endpoint = true;
    } else if (arg == "--endpoint-url" && i + 1 < args.size()) {
      endpoint = args[i + 1];
      has_endpoint = true;
    }
    argv_text.push_back(arg);
  }
  // Whatever names the endpoint, the CLI only ever talks to the emulator on this machine.
  if (auto checked = ParseEndpointUrl(endpoint); !checked.ok()) {
    fmt::print(stderr, "crossmesh aws: {}\n", checked.status().message());
    return 2;
  }
  if (!has_endpoint) {
    argv_text.emplace_back("--endpoint-url");
    argv_text.push_back(endpoint);
  }
  // Without credentials in the profile the CLI would ask the EC2 metadata service next.
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);

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
