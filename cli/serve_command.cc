// crossmesh serve: the emulator's HTTP endpoint, until SIGINT or SIGTERM.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/profile_files.h"
#include "cli/state_lock.h"
#include "emulator/emulator.h"
#include "emulator/server/http_server.h"

namespace crossmesh::cli {
namespace {

struct ServeFlags {
  std::string address = "127.0.0.1";
  int port = 4580;
  std::string profile_dir;
  std::string state = ":memory:";
  std::string accounts_file;
  std::vector<std::string> accounts;
  size_t max_body_bytes = 8 * 1024 * 1024;
  int threads = 2;
};

Result<AccountRegistry> BuildAccounts(const ServeFlags& flags) {
  // --account adds to the accounts file, or to the default frontend and backend without one.
  AccountRegistry registry = AccountRegistry::Defaults();
  if (!flags.accounts_file.empty()) {
    auto loaded = AccountRegistry::LoadFile(flags.accounts_file);
    if (!loaded.ok()) return loaded.status();
    registry = std::move(*loaded);
  }
  for (const auto& flag : flags.accounts) {
    auto account = AccountRegistry::ParseFlag(flag);
    if (!account.ok()) return account.status();
    CM_RETURN_IF_ERROR(registry.Add(std::move(*account)));
  }
  return registry;
}

int Serve(const ServeFlags& flags) {
  auto accounts = BuildAccounts(flags);
  if (!accounts.ok()) {
    fmt::print(stderr, "crossmesh serve: {}\n", accounts.status().message());
    return 2;
  }
  if (flags.port < 0 || flags.port > 65535) {
    fmt::print(stderr, "crossmesh serve: --port {} is out of range 0..65535\n", flags.port);
    return 2;
  }

  auto state_lock = StateLock::Acquire(flags.state);
  if (!state_lock.ok()) {
    fmt::print(stderr, "crossmesh serve: {}\n", state_lock.status().message());
    return 2;
  }

  EmulatorOptions options;
  options.accounts = std::move(*accounts);
  options.state_path = flags.state;
  auto emulator = Emulator::Create(std::move(options));
  if (!emulator.ok()) {
    fmt::print(stderr, "crossmesh serve: {}\n", emulator.status().message());
    return 2;
  }

  // Block the stop signals before any thread starts, so only the waiter below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ServerOptions server_options;
  server_options.address = flags.address;
  server_options.port = static_cast<uint16_t>(flags.port);
  server_options.max_body_bytes = flags.max_body_bytes;
  server_options.threads = flags.threads;
  HttpServer server(**emulator, server_options);
  auto port = server.Listen();
  if (!port.ok()) {
    fmt::print(stderr, "crossmesh serve: {}\n", port.status().message());
    return 2;
  }

  if (!flags.profile_dir.empty()) {
    Status written = WriteProfileFiles(flags.profile_dir, (*emulator)->accounts(), server.Url());
    if (!written.ok()) {
      fmt::print(stderr, "crossmesh serve: {}\n", written.message());
      return 2;
    }
  }

  fmt::print("{}\n", server.Url());
  for (const auto& a : (*emulator)->accounts().all()) {
    fmt::print("# account {} {} region {} access key {}\n", a.name, a.id, a.default_region,
               a.access_key_id);
  }
  if (!flags.profile_dir.empty()) {
    fmt::print(
        "# export AWS_CONFIG_FILE={0}/config AWS_SHARED_CREDENTIALS_FILE={0}/credentials\n"
        "# aws --profile {1} --endpoint-url {2} sts get-caller-identity\n",
        flags.profile_dir, (*emulator)->accounts().all().front().name, server.Url());
  }
  std::fflush(stdout);
  if (server.Url().find('[') != std::string::npos) {
    spdlog::warn(
        "the AWS CLI 2.9 refuses an IPv6 endpoint URL such as {} (\"Invalid "
        "endpoint\"); the SDKs and curl take it, or serve on 127.0.0.1 for the CLI",
        server.Url());
  }
  spdlog::info("serving {} accounts on {} (state: {})", (*emulator)->accounts().all().size(),
               server.Url(), flags.state);

  std::thread waiter([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    spdlog::info("received signal {}, stopping", signal);
    server.Stop();
  });
  server.Run();
  // Run() also returns if the server stopped for another reason; wake the waiter to end it.
  if (waiter.joinable()) {
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, RunFn* run) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the emulator's HTTP endpoint (AWS APIs)");
  cmd->add_option("--address", flags->address, "Loopback address to listen on")
      ->capture_default_str();
  cmd->add_option("--port", flags->port, "Port (0 picks a free one)")->capture_default_str();
  cmd->add_option("--profile-dir", flags->profile_dir,
                  "Write AWS CLI config, credentials and endpoint files here");
  cmd->add_option("--state", flags->state, "SQLite file that keeps state across restarts")
      ->capture_default_str();
  cmd->add_option("--accounts", flags->accounts_file, "YAML file listing the accounts");
  cmd->add_option("--account", flags->accounts, "Add an account: NAME=ACCOUNT_ID[:REGION]");
  cmd->add_option("--max-body-bytes", flags->max_body_bytes, "Largest request body accepted")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30));
  cmd->add_option("--threads", flags->threads, "Server threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->callback([run, flags] { *run = [flags] { return Serve(*flags); }; });
}

}  // namespace crossmesh::cli
