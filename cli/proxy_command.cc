// crossmesh proxy --config FILE [--node NAME]: one sidecar alone, as its own process (benches,
// debugging). crossmesh proxy --node NAME --state DB --mesh M --account A [--out FILE] [--run]:
// render that node's configuration from an emulator state file first (the control plane's
// rendering, with its ACM certificate and trust inlined as secrets). --gateway NAME instead of
// --node does the same for a virtual gateway's proxy. Exit code 2: the command line or the
// configuration is refused (the reason names the flag or the JSON path); 1: it failed later.
#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "emulator/core/loopback.h"
#include "emulator/emulator.h"
#include "harness/control/data_plane.h"
#include "harness/proxy/run_proxy.h"

namespace crossmesh::cli {
namespace {

struct ProxyFlags {
  std::string node;
  std::string gateway;
  std::string config;
  std::string state;
  std::string mesh;
  std::string mesh_owner;
  std::string account;
  std::string app;  // HOST:PORT
  std::string out;
  bool run = false;
};

int Fail(const std::string& message, int code = 2) {
  fmt::print(stderr, "crossmesh proxy: {}\n", message);
  return code;
}

Status WritePrivateFile(const std::string& path, const std::string& text) {
  // The file holds a private key: create it readable by the owner only.
  auto failed = [&path] {
    return Error("InvalidConfiguration",
                 fmt::format("cannot write {}: {}; give the path of a file to write", path,
                             errno != 0 ? std::strerror(errno) : "unknown reason"));
  };
  errno = 0;
  std::ofstream out(path, std::ios::trunc);
  if (!out) return failed();
  ::chmod(path.c_str(), 0600);
  out << text;
  out.close();
  if (!out) return failed();
  return Status::Ok();
}

// The node or the gateway the flags name: exactly one of them.
const std::string& ProxyName(const ProxyFlags& flags) {
  return flags.gateway.empty() ? flags.node : flags.gateway;
}

int RunFromConfig(const ProxyFlags& flags) {
  auto file = proxy::LoadProxyFile(flags.config);
  if (!file.ok()) return Fail(file.status().message());
  // The file names its proxy; --node or --gateway, when given, must agree with it.
  if (!ProxyName(flags).empty() && file->config.name != ProxyName(flags)) {
    return Fail(fmt::format("{} configures proxy '{}', not '{}'", flags.config, file->config.name,
                            ProxyName(flags)));
  }
  return proxy::RunProxyFromConfigFile(flags.config);
}

int RenderFromState(const ProxyFlags& flags) {
  if (flags.mesh.empty() || flags.account.empty()) {
    return Fail("--state needs --mesh and --account (and --mesh-owner for a shared mesh)");
  }
  control::Workload workload{.account = flags.account,
                             .mesh = flags.mesh,
                             .mesh_owner = flags.mesh_owner,
                             .virtual_node = flags.node,
                             .virtual_gateway = flags.gateway};
  if (!flags.app.empty() && !flags.gateway.empty()) {
    return Fail("--app is for a node: a gateway routes to virtual services, it has no app");
  }
  if (!flags.app.empty()) {
    size_t colon = flags.app.rfind(':');
    if (colon == std::string::npos)
      return Fail(fmt::format("--app {} is not HOST:PORT", flags.app));
    workload.app_host = flags.app.substr(0, colon);
    const std::string port_text = flags.app.substr(colon + 1);
    unsigned port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return Fail(fmt::format("--app {}: '{}' is not a port (1-65535)", flags.app, port_text));
    }
    workload.app_port = static_cast<uint16_t>(port);
    // The file it writes must be one the proxy runs: apps listen on loopback only.
    if (!IsLoopbackHost(workload.app_host)) {
      return Fail(
          fmt::format("--app {}: '{}' is not a loopback address; the app behind a "
                      "sidecar listens on 127.0.0.0/8",
                      flags.app, workload.app_host));
    }
  }
  // Opening a state file that is not there would make an empty one and then report a missing
  // mesh; name the real mistake.
  std::error_code missing;
  if (!std::filesystem::is_regular_file(flags.state, missing)) {
    return Fail(
        fmt::format("--state {}: no such state file; give the file `crossmesh serve "
                    "--state` writes",
                    flags.state));
  }

  EmulatorOptions options;
  options.state_path = flags.state;
  auto emulator = Emulator::Create(std::move(options));
  if (!emulator.ok()) return Fail(emulator.status().message());
  auto document = control::RenderStandaloneProxyFile(**emulator, workload);
  if (!document.ok()) {
    std::string message = document.status().ToString();
    if (document.status().code() == "NotFoundException" && flags.mesh_owner.empty()) {
      message += "; a mesh shared by another account needs --mesh-owner ACCOUNT_ID";
    }
    return Fail(message, 1);
  }

  std::string text = document->dump(2) + "\n";
  if (flags.out.empty()) {
    if (flags.run) return Fail("--run needs --out FILE to run from");
    fmt::print("{}", text);
    return 0;
  }
  if (Status written = WritePrivateFile(flags.out, text); !written.ok()) {
    return Fail(written.message(), 1);
  }
  fmt::print(stderr, "crossmesh proxy: wrote the configuration of {} to {}\n", ProxyName(flags),
             flags.out);
  return flags.run ? proxy::RunProxyFromConfigFile(flags.out) : 0;
}

}  // namespace

void AddProxyCommand(CLI::App& app, RunFn* run) {
  auto flags = std::make_shared<ProxyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "proxy", "Run one sidecar proxy alone, or render a node's or gateway's proxy configuration");
  cmd->add_option("--node", flags->node, "The virtual node the proxy serves");
  cmd->add_option("--gateway", flags->gateway, "The virtual gateway the proxy serves");
  auto* config = cmd->add_option("--config", flags->config,
                                 "Run from this JSON file (harness/proxy/run_proxy.h)");
  auto* state = cmd->add_option("--state", flags->state,
                                "Render the configuration from this emulator state file");
  config->excludes(state);
  cmd->add_option("--mesh", flags->mesh, "With --state: the mesh");
  cmd->add_option("--mesh-owner", flags->mesh_owner,
                  "With --state: the mesh owner's account id (a shared mesh)");
  cmd->add_option("--account", flags->account,
                  "With --state: the node's or gateway's account (name or id)");
  cmd->add_option("--app", flags->app, "With --state: where the app listens, HOST:PORT");
  cmd->add_option("--out", flags->out, "With --state: write the configuration here (mode 0600)");
  cmd->add_flag("--run", flags->run, "With --state and --out: then run the proxy");
  cmd->callback([run, flags, config, state] {
    *run = [flags, config, state] {
      if (!flags->node.empty() && !flags->gateway.empty()) {
        return Fail("give one of --node and --gateway, not both");
      }
      if (state->count() > 0 && flags->node.empty() && flags->gateway.empty()) {
        return Fail(
            "give exactly one of --node NAME (a virtual node) or --gateway NAME (a "
            "virtual gateway)");
      }
      if (config->count() > 0) return RunFromConfig(*flags);
      if (state->count() > 0) return RenderFromState(*flags);
      return Fail("give --config FILE, or --state DB --mesh M --account A");
    };
  });
}

}  // namespace crossmesh::cli
