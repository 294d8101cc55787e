// crossmesh run FILE... [--json FILE] [--junit FILE] [--quiet]: runs scenario files.
#include "cli/commands.h"

#include <spdlog/spdlog.h>
#include "cli/report_path.h"
#include "harness/scenario/runner.h"
#include "harness/yelb/leftovers.h"

namespace crossmesh::cli {

void AddRunCommand(CLI::App& app, RunFn* run) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto options = std::make_shared<scenario::RunFilesOptions>();
  options->run.fixtures_dir = CROSSMESH_FIXTURES_DIR;
  CLI::App* cmd = app.add_subcommand(
      "run", "Run scenario files: steps, manifests, Yelb, traffic, faults and expectations");
  cmd->add_option("files", *files, "Scenario YAML files (scenarios/*.yaml)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--json", options->json_path, "Write a JSON report here")->check(ReportPath());
  cmd->add_option("--junit", options->junit_path, "Write a JUnit XML report here")
      ->check(ReportPath());
  cmd->add_option("--fixtures", options->run.fixtures_dir,
                  "What ${fixtures} means in scenario files")
      ->capture_default_str();
  cmd->add_option("--aws-cli", options->run.aws_cli, "The AWS CLI that cli and shell steps run")
      ->capture_default_str();
  cmd->add_flag("--quiet", options->run.quiet, "Print only the summaries");
  cmd->callback([run, files, options] {
    *run = [files, options] {
      yelb::CleanUpOnInterrupt();  // Ctrl-C still stops the databases and removes the folders
      // --quiet: the summary alone; warnings and errors still reach stderr.
      if (options->run.quiet) spdlog::set_level(spdlog::level::warn);
      int code = scenario::RunScenarioFiles(*files, *options);
      yelb::ExitIfInterrupted();
      return code;
    };
  });
}

}  // namespace crossmesh::cli
