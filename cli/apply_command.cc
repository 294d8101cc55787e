// crossmesh apply -f FILE... [--profile NAME] [--endpoint-url URL] [--namespace-mesh NS=MESH]
// [--dry-run]: applies App Mesh controller manifests to the emulator the way the controller did.
#include <fmt/format.h>

#include "cli/commands.h"
#include "emulator/client/http_client.h"
#include "harness/manifests/apply_runner.h"

namespace crossmesh::cli {
namespace {

struct ApplyFlags {
  std::vector<std::string> files;
  std::string profile;
  std::string endpoint;
  std::vector<std::string> namespace_mesh;
  bool dry_run = false;
};

int RunApplyCommand(const ApplyFlags& flags) {
  manifests::ApplyOptions options;
  options.files = flags.files;
  options.profile = flags.profile;
  options.endpoint_url = ResolveEndpointUrl(flags.endpoint);
  options.dry_run = flags.dry_run;
  for (const auto& pair : flags.namespace_mesh) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
      fmt::print(stderr, "crossmesh apply: --namespace-mesh takes NAMESPACE=MESH, not '{}'\n",
                 pair);
      return 2;
    }
    options.namespace_mesh[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return manifests::RunApply(options, stdout, stderr);
}

}  // namespace

void AddApplyCommand(CLI::App& app, RunFn* run) {
  auto flags = std::make_shared<ApplyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "apply", "Apply App Mesh controller manifests to the emulator, as the controller did");
  cmd->add_option("-f,--filename", flags->files, "Manifest files (repeat -f or list several)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--profile", flags->profile,
                  "AWS CLI profile whose keys sign the calls (default: $AWS_PROFILE, else "
                  "default)");
  cmd->add_option("--endpoint-url", flags->endpoint,
                  "Emulator URL (default: $CROSSMESH_ENDPOINT, else http://127.0.0.1:4580)");
  cmd->add_option("--namespace-mesh", flags->namespace_mesh,
                  "NAMESPACE=MESH: the mesh of a namespace no Namespace document labels");
  cmd->add_flag("--dry-run", flags->dry_run, "Print the calls (method, path, body); send none");
  cmd->callback([run, flags] { *run = [flags] { return RunApplyCommand(*flags); }; });
}

}  // namespace crossmesh::cli
