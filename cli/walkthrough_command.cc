// crossmesh walkthrough: the cross-account TLS walkthrough, end to end, offline. It is the
// shipped scenario scenarios/walkthrough.yaml, run the way `crossmesh run` runs any scenario.
#include "cli/commands.h"

#include <spdlog/spdlog.h>
#include "cli/report_path.h"
#include "harness/scenario/runner.h"
#include "harness/yelb/leftovers.h"

namespace crossmesh::cli {

void AddWalkthroughCommand(CLI::App& app, RunFn* run) {
  auto scenario_file = std::make_shared<std::string>(CROSSMESH_SCENARIOS_DIR "/walkthrough.yaml");
  auto options = std::make_shared<scenario::RunFilesOptions>();
  options->command = "crossmesh walkthrough";
  options->run.fixtures_dir = CROSSMESH_FIXTURES_DIR;
  CLI::App* cmd = app.add_subcommand(
      "walkthrough",
      "Run the walkthrough: shared CA and mesh, Yelb across two accounts, traffic over mTLS");
  cmd->add_option("--json", options->json_path, "Write a JSON report here")->check(ReportPath());
  cmd->add_option("--junit", options->junit_path, "Write a JUnit XML report here")
      ->check(ReportPath());
  cmd->add_option("--scenario", *scenario_file, "The walkthrough scenario file")
      ->capture_default_str()
      ->check(CLI::ExistingFile);
  cmd->add_option("--fixtures", options->run.fixtures_dir,
                  "What ${fixtures} means in the scenario file")
      ->capture_default_str();
  cmd->add_option("--aws-cli", options->run.aws_cli, "The AWS CLI that cli and shell steps run")
      ->capture_default_str();
  cmd->add_flag("--quiet", options->run.quiet, "Print only the summary");
  cmd->callback([run, scenario_file, options] {
    *run = [scenario_file, options] {
      yelb::CleanUpOnInterrupt();  // Ctrl-C still stops the databases and removes the folders
      // --quiet: the summary alone; warnings and errors still reach stderr.
      if (options->run.quiet) spdlog::set_level(spdlog::level::warn);
      int code = scenario::RunScenarioFiles({*scenario_file}, *options);
      yelb::ExitIfInterrupted();
      return code;
    };
  });
}

}  // namespace crossmesh::cli
