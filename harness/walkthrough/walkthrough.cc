#include "harness/walkthrough/walkthrough.h"

#include <fmt/format.h>

#include "emulator/emulator.h"
#include "emulator/server/http_server.h"
#include "harness/walkthrough/reports.h"
#include "harness/walkthrough/seed.h"

namespace crossmesh::walkthrough {
namespace {

constexpr const char* kScenario = "walkthrough";

AwsClient ClientFor(const Emulator& emulator, const Endpoint& endpoint, const char* name) {
  const Account* account = emulator.accounts().FindByName(name);
  return AwsClient(endpoint, {account->access_key_id, account->secret_access_key},
                   account->default_region);
}

// Names that match the nodes' service-discovery names under App Mesh's SAN rule: DNS hostnames
// in the yelb namespace, and the appserver's Cloud Map name.
SeedInputs Inputs(const std::string& fixtures) {
  SeedInputs inputs;
  inputs.ca_config_path = fixtures + "/walkthrough/ca_config.json";
  inputs.revoke_config_path = fixtures + "/walkthrough/revoke_config.json";
  inputs.certificate_names["frontend"] = {"yelb-ui.yelb.svc.cluster.local"};
  inputs.certificate_names["backend"] = {"*.yelb.svc.cluster.local",
                                         "yelb-appserver.am-multi-account.local"};
  return inputs;
}

}  // namespace

int RunWalkthrough(const WalkthroughOptions& options) {
  StepRunner runner(options.quiet);
  runner.BeginPhase("emulator");
  std::unique_ptr<Emulator> emulator;
  std::unique_ptr<HttpServer> server;
  std::string url;
  runner.Run("start the emulator on a free loopback port", [&]() -> Result<std::string> {
    auto created = Emulator::Create({});
    if (!created.ok()) return created.status();
    emulator = std::move(*created);
    ServerOptions server_options;
    server_options.port = 0;
    server = std::make_unique<HttpServer>(*emulator, server_options);
    auto port = server->Listen();
    if (!port.ok()) return port.status();
    server->RunInBackground();
    url = server->Url();
    return url;
  });

  if (runner.passed()) {
    auto endpoint = ParseEndpointUrl(url);
    AwsClient frontend = ClientFor(*emulator, *endpoint, "frontend");
    AwsClient backend = ClientFor(*emulator, *endpoint, "backend");
    Seed seed(frontend, backend, Inputs(options.fixtures_dir));
    seed.Run(runner);
  }
  if (server) {
    server->Stop();
    server->Join();
  }

  PrintSummary(kScenario, runner);
  int code = runner.passed() ? 0 : 1;
  for (auto [path, writer] : {std::pair{options.json_path, &WriteJsonReport},
                              std::pair{options.junit_path, &WriteJunitReport}}) {
    if (path.empty()) continue;
    Status written = writer(path, kScenario, runner);
    if (!written.ok()) {
      fmt::print(stderr, "crossmesh walkthrough: {}\n", written.message());
      code = 2;
    }
  }
  return code;
}

}  // namespace crossmesh::walkthrough
