// The crossmesh subcommands. Each Add*Command registers its options on the CLI11 app and sets
// `*run` to the function that executes it; main() runs whichever was chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace crossmesh::cli {

using RunFn = std::function<int()>;

void AddServeCommand(CLI::App& app, RunFn* run);
void AddAwsCommand(CLI::App& app, RunFn* run);
void AddClockCommand(CLI::App& app, RunFn* run);
void AddWalkthroughCommand(CLI::App& app, RunFn* run);
void AddLintCommand(CLI::App& app, RunFn* run);
void AddApplyCommand(CLI::App& app, RunFn* run);
void AddProxyCommand(CLI::App& app, RunFn* run);  // cm_cli_proxy
void AddRunCommand(CLI::App& app, RunFn* run);

}  // namespace crossmesh::cli
