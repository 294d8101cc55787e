// crossmesh: two AWS accounts, a shared ACM Private CA and App Mesh, offline on one machine.
#include <spdlog/cfg/env.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <system_error>

#include "cli/commands.h"
#include "emulator/core/log_sink.h"

int main(int argc, char** argv) {
  // A peer that hangs up (a client of the proxies, a Redis connection hiredis writes to) must
  // turn into EPIPE on that connection, not end the process.
  std::signal(SIGPIPE, SIG_IGN);

  // A line at a time, also into a file or pipe: a run's progress is there as it happens, and
  // an interrupted run (which ends without flushing) loses none of what it printed.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  // Logs go to stderr so that stdout stays machine-readable (serve's first line is its URL).
  spdlog::set_default_logger(crossmesh::MakeStderrLogger("crossmesh"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug

  CLI::App app{"crossmesh: two AWS accounts sharing an ACM Private CA and an App Mesh, offline"};
  app.require_subcommand(1);
  crossmesh::cli::RunFn run;
  crossmesh::cli::AddServeCommand(app, &run);
  crossmesh::cli::AddAwsCommand(app, &run);
  crossmesh::cli::AddClockCommand(app, &run);
  crossmesh::cli::AddWalkthroughCommand(app, &run);
  crossmesh::cli::AddLintCommand(app, &run);
  crossmesh::cli::AddApplyCommand(app, &run);
  crossmesh::cli::AddProxyCommand(app, &run);
  crossmesh::cli::AddRunCommand(app, &run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the reason; --help is a success, any refused command line exits 2 (CLI11's
    // own codes, 105 and up, mean nothing to a caller).
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!run) return 2;
  try {
    return run();
  } catch (const std::system_error& e) {
    // The reader of our output went away (`| head`): nothing more can be said, and nothing is
    // left running (every part stops as it unwinds). Exit as a process killed by SIGPIPE would.
    if (e.code() == std::errc::broken_pipe) return 128 + SIGPIPE;
    throw;
  }
}
