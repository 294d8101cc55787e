// crossmesh walkthrough: the cross-account TLS walkthrough, end to end, offline.
#include "cli/commands.h"
#include "harness/walkthrough/walkthrough.h"

namespace crossmesh::cli {

void AddWalkthroughCommand(CLI::App& app, RunFn* run) {
  auto options = std::make_shared<walkthrough::WalkthroughOptions>();
  options->fixtures_dir = CROSSMESH_FIXTURES_DIR;
  CLI::App* cmd = app.add_subcommand("walkthrough", "Run the shipped walkthrough scenario");
  cmd->add_option("--json", options->json_path, "Write a JSON report here");
  cmd->add_option("--junit", options->junit_path, "Write a JUnit XML report here");
  cmd->add_option("--fixtures", options->fixtures_dir, "The project's fixtures folder")
      ->capture_default_str();
  cmd->add_flag("--quiet", options->quiet, "Print only the summary");
  cmd->callback(
      [run, options] { *run = [options] { return walkthrough::RunWalkthrough(*options); }; });
}

}  // namespace crossmesh::cli
