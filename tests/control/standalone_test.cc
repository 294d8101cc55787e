// The standalone proxy's configuration rendered from an emulator state file, in-process and
// through `crossmesh proxy`.
#include <catch2/catch.hpp>

#include <filesystem>

#include "emulator/emulator.h"
#include "harness/control/data_plane.h"
#include "harness/control/node_renderer.h"
#include "harness/proxy/run_proxy.h"
#include "tests/control/control_fixture.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

const std::string kCrossmesh = std::string(CROSSMESH_BINARY_DIR) + "/cli/crossmesh";

}  // namespace

TEST_CASE("A node's standalone proxy file carries its own certificate and its trust") {
  TempDir dir;
  EmulatorOptions options;
  options.state_path = dir.path() + "/state.db";
  TwoAccountMesh m(options);
  m.CreateWalkthroughNodes();

  auto document = control::RenderStandaloneProxyFile(
      m.t.emulator(), {.account = "frontend", .mesh = kMesh, .virtual_node = "yelb-ui"});
  REQUIRE(document.ok());
  auto parsed = proxy::ParseProxyFile(*document);
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  CHECK(parsed->config.name == "yelb-ui");
  REQUIRE(parsed->config.listeners.size() == 1);
  // Standalone: the mesh port on the node's own address.
  CHECK(parsed->config.listeners[0].address == "127.0.1.10");
  CHECK(parsed->config.listeners[0].port == 8080);
  std::vector<std::string> names;
  for (const proxy::InlineSecret& secret : parsed->secrets) names.push_back(secret.name);
  CHECK_THAT(names, Catch::VectorContains(m.frontend_certificate));
  CHECK_THAT(names, Catch::VectorContains(control::AcmTrustSecretName(kFrontendId, {m.ca_arn})));
  // Never another account's key.
  CHECK_THAT(names, !Catch::VectorContains(m.backend_certificate));

  if (!std::filesystem::exists(kCrossmesh)) return;  // the CLI is built separately
  std::string out = dir.path() + "/ui.json";
  CommandResult rendered =
      RunCommand({kCrossmesh, "proxy", "--node", "yelb-ui", "--state", options.state_path, "--mesh",
                  kMesh, "--account", "frontend", "--out", out});
  INFO(rendered.err);
  REQUIRE(rendered.exit_code == 0);
  CHECK((std::filesystem::status(out).permissions() & std::filesystem::perms::group_read) ==
        std::filesystem::perms::none);
  CommandResult wrong_node = RunCommand({kCrossmesh, "proxy", "--node", "other", "--config", out});
  CHECK(wrong_node.exit_code == 2);
  CHECK_THAT(wrong_node.err, Catch::Contains("configures proxy 'yelb-ui', not 'other'"));
}
