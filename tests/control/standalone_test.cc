// The standalone proxy's configuration rendered from an emulator state file (a node's or a
// gateway's), in-process and through `crossmesh proxy`; and how `crossmesh proxy --config`
// refuses a bad file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "emulator/emulator.h"
#include "harness/control/data_plane.h"
#include "harness/control/node_renderer.h"
#include "harness/proxy/config_json.h"
#include "harness/proxy/run_proxy.h"
#include "tests/control/control_fixture.h"
#include "tests/proxy/test_app.h"
#include "tests/proxy/test_pki.h"

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

namespace {

// A gateway of the mesh owner: a PERMISSIVE listener on 8080 with the frontend's ACM
// certificate, a client policy trusting the mesh CA that presents the "gateway-client" SDS
// certificate, and one route sending "/api" to the appserver's virtual service.
void CreateStandaloneGateway(TwoAccountMesh& m) {
  m.CreateWalkthroughNodes();
  json policy = m.ClientPolicy();
  policy["tls"]["certificate"] = {{"sds", {{"secretName", "gateway-client"}}}};
  json spec = {{"listeners",
                {{{"portMapping", {{"port", 8080}, {"protocol", "http"}}},
                  {"tls",
                   {{"mode", "PERMISSIVE"},
                    {"certificate", {{"acm", {{"certificateArn", m.frontend_certificate}}}}}}}}}},
               {"backendDefaults", {{"clientPolicy", policy}}}};
  MeshOk(m.t, "frontend", "PUT", MeshPath(kMesh, "/virtualGateways"),
         {{"virtualGatewayName", "yelb-gateway"}, {"spec", spec}});
  json route = {
      {"httpRoute",
       {{"match", {{"prefix", "/api"}}},
        {"action",
         {{"target", {{"virtualService", {{"virtualServiceName", kAppserverService}}}}}}}}}};
  MeshOk(m.t, "frontend", "PUT", MeshPath(kMesh, "/virtualGateway/yelb-gateway/gatewayRoutes"),
         {{"gatewayRouteName", "api-to-appserver"}, {"spec", route}});
}

std::string NodeAddressIn(const json& document, const std::string& cluster_prefix) {
  for (const json& cluster : document["proxy"]["clusters"]) {
    if (cluster["name"].get<std::string>().rfind(cluster_prefix, 0) != 0) continue;
    if (cluster["endpoints"].empty()) return "";
    return cluster["endpoints"][0]["host"].get<std::string>();
  }
  return "";
}

}  // namespace

TEST_CASE("A gateway's standalone proxy file routes by its gateway routes and declares SDS names") {
  TempDir dir;
  EmulatorOptions options;
  options.state_path = dir.path() + "/state.db";
  TwoAccountMesh m(options);
  CreateStandaloneGateway(m);

  auto document = control::RenderStandaloneProxyFile(
      m.t.emulator(), {.account = "frontend", .mesh = kMesh, .virtual_gateway = "yelb-gateway"});
  INFO(document.status().ToString());
  REQUIRE(document.ok());
  auto parsed = proxy::ParseProxyFile(*document);
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  CHECK(parsed->config.name == "yelb-gateway");
  REQUIRE(parsed->config.listeners.size() == 1);
  const proxy::Listener& listener = parsed->config.listeners[0];
  CHECK(listener.virtual_service == "gateway_8080");
  CHECK(listener.port == 8080);
  // After every node of the mesh: yelb-ui (frontend's only node) keeps 127.0.1.10.
  CHECK(listener.address == "127.0.1.11");
  // The route's cluster reaches the appserver where its own standalone file puts it.
  auto appserver =
      control::RenderStandaloneProxyFile(m.t.emulator(), {.account = "backend",
                                                          .mesh = kMesh,
                                                          .mesh_owner = kFrontendId,
                                                          .virtual_node = "yelb-appserver"});
  REQUIRE(appserver.ok());
  const std::string appserver_address =
      (*appserver)["proxy"]["listeners"][0]["address"].get<std::string>();
  CHECK(NodeAddressIn(*document, "cds_egress_") == appserver_address);
  std::vector<std::string> names;
  for (const proxy::InlineSecret& secret : parsed->secrets) names.push_back(secret.name);
  CHECK_THAT(names, Catch::VectorContains(m.frontend_certificate));
  CHECK(parsed->sds_secrets == std::vector<std::string>{"gateway-client"});

  auto both =
      control::RenderStandaloneProxyFile(m.t.emulator(), {.account = "frontend",
                                                          .mesh = kMesh,
                                                          .virtual_node = "yelb-ui",
                                                          .virtual_gateway = "yelb-gateway"});
  REQUIRE_FALSE(both.ok());
  CHECK_THAT(both.status().message(), Catch::Contains("name exactly one of"));

  if (!std::filesystem::exists(kCrossmesh)) return;  // the CLI is built separately
  std::string out = dir.path() + "/gateway.json";
  CommandResult rendered =
      RunCommand({kCrossmesh, "proxy", "--gateway", "yelb-gateway", "--state", options.state_path,
                  "--mesh", kMesh, "--account", "frontend", "--out", out});
  INFO(rendered.err);
  REQUIRE(rendered.exit_code == 0);
  auto loaded = proxy::LoadProxyFile(out);
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  CHECK(loaded->config.listeners[0].virtual_service == "gateway_8080");

  // The file names its proxy; a --node that names another is refused before anything runs.
  CommandResult other = RunCommand({kCrossmesh, "proxy", "--node", "yelb-ui", "--config", out});
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Catch::Contains("configures proxy 'yelb-gateway', not 'yelb-ui'"));
  CommandResult two = RunCommand(
      {kCrossmesh, "proxy", "--node", "yelb-ui", "--gateway", "yelb-gateway", "--config", out});
  CHECK(two.exit_code == 2);
  CHECK_THAT(two.err, Catch::Contains("not both"));
  CommandResult nameless = RunCommand({kCrossmesh, "proxy", "--state", options.state_path, "--mesh",
                                       kMesh, "--account", "frontend"});
  CHECK(nameless.exit_code == 2);
  CHECK_THAT(nameless.err, Catch::Contains("give exactly one of --node NAME"));
  CommandResult as_node =
      RunCommand({kCrossmesh, "proxy", "--node", "yelb-gateway", "--state", options.state_path,
                  "--mesh", kMesh, "--account", "frontend"});
  CHECK(as_node.exit_code != 0);
  CHECK_THAT(as_node.err, Catch::Contains("yelb-gateway"));
}

namespace {

// A proxy "ui" with one STRICT listener presenting secret "ui-cert".
proxy::ProxyConfig StrictUi() {
  proxy::ProxyConfig config;
  config.name = "ui";
  proxy::Listener listener;
  listener.name = "ingress";
  listener.tls = proxy::ListenerTls{proxy::TlsMode::kStrict, "ui-cert", {}};
  listener.app = proxy::Endpoint{"127.0.0.1", 9};
  config.listeners = {listener};
  return config;
}

}  // namespace

TEST_CASE("crossmesh proxy --config refuses a bad file with exit code 2 and the JSON path") {
  if (!std::filesystem::exists(kCrossmesh)) return;  // the CLI is built separately
  TempDir dir;
  proxy::ProxyConfig config = StrictUi();
  config.listeners.push_back(config.listeners[0]);
  config.listeners[1].name = "ingress_2";
  config.listeners[1].tls->certificate_secret = "ui-cert-typo";
  json document = {{"proxy", proxy::ConfigToJson(config)}, {"sds_secrets", {"ui-cert"}}};
  const std::string path = dir.path() + "/bad.json";
  std::ofstream(path) << document.dump(2);

  CommandResult result = RunCommand({kCrossmesh, "proxy", "--node", "ui", "--config", path});
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());  // never started, so no "ready" line
  CHECK_THAT(result.err,
             Catch::Contains(path + ": proxy.listeners[1].tls.certificate_secret: secret "
                                    "'ui-cert-typo' is defined nowhere"));

  std::ofstream(path, std::ios::trunc) << "{\"proxy\": {\"name\": \"ui\",}}";
  CommandResult syntax = RunCommand({kCrossmesh, "proxy", "--node", "ui", "--config", path});
  CHECK(syntax.exit_code == 2);
  CHECK_THAT(syntax.err, Catch::Contains("not valid JSON: parse error at line 1, column 25"));
}

TEST_CASE("crossmesh proxy --config refuses garbage PEM and missing certificate files, exit 2") {
  if (!std::filesystem::exists(kCrossmesh)) return;  // the CLI is built separately
  TempDir dir;
  proxy::ProxyConfig config = StrictUi();
  const std::string path = dir.path() + "/proxy.json";

  json garbage = {{"proxy", proxy::ConfigToJson(config)},
                  {"secrets",
                   {{{"name", "ui-cert"},
                     {"certificate_chain_pem", "not a certificate"},
                     {"private_key_pem", "not a key"}}}}};
  std::ofstream(path) << garbage.dump(2);
  CommandResult pem = RunCommand({kCrossmesh, "proxy", "--node", "ui", "--config", path});
  CHECK(pem.exit_code == 2);
  CHECK(pem.out.empty());
  CHECK_THAT(pem.err, Catch::Contains(path + ": secrets[0].certificate_chain_pem: "));

  config.file_secrets = {{.secret_name = "ui-cert",
                          .certificate_chain_path = dir.path() + "/missing.pem",
                          .private_key_path = dir.path(),
                          .trusted_ca_path = ""}};
  json missing = {{"proxy", proxy::ConfigToJson(config)}};
  std::ofstream(path, std::ios::trunc) << missing.dump(2);
  CommandResult file = RunCommand({kCrossmesh, "proxy", "--node", "ui", "--config", path});
  CHECK(file.exit_code == 2);
  CHECK(file.out.empty());
  CHECK_THAT(file.err, Catch::Contains("proxy.file_secrets[0].certificate_chain_path: " +
                                       dir.path() + "/missing.pem is not there"));
}

TEST_CASE(
    "crossmesh proxy --config refuses a key that is not its certificate's, before the start") {
  if (!std::filesystem::exists(kCrossmesh)) return;  // the CLI is built separately
  TempDir dir;
  const proxy::testing::TestCa ca = proxy::testing::MakeCa("file-ca", Clock::now());
  const proxy::TlsCertificate ui = proxy::testing::IssueCertificate(ca, {"ui"}, Clock::now());
  const proxy::TlsCertificate other = proxy::testing::IssueCertificate(ca, {"x"}, Clock::now());
  std::ofstream(dir.path() + "/ui.pem") << ui.chain[0].ToPem().value();
  std::ofstream(dir.path() + "/other.key") << other.key->ToPem().value();
  proxy::ProxyConfig config = StrictUi();
  config.file_secrets = {{.secret_name = "ui-cert",
                          .certificate_chain_path = dir.path() + "/ui.pem",
                          .private_key_path = dir.path() + "/other.key",
                          .trusted_ca_path = ""}};
  const std::string path = dir.path() + "/proxy.json";
  std::ofstream(path) << json{{"proxy", proxy::ConfigToJson(config)}}.dump(2);

  CommandResult result = RunCommand({kCrossmesh, "proxy", "--node", "ui", "--config", path});

  // Not served without a certificate while the watcher retries a pair that never matched.
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK_THAT(result.err, Catch::Contains("proxy.file_secrets[0].private_key_path (" + dir.path() +
                                         "/other.key): not the key of the chain's first "
                                         "certificate"));
}

TEST_CASE("crossmesh proxy --config exits 1 naming the port another process holds") {
  if (!std::filesystem::exists(kCrossmesh)) return;  // the CLI is built separately
  TempDir dir;
  proxy::testing::TestApp holder(proxy::testing::TestApp::Kind::kHttp, "holder");
  const proxy::testing::TestCa ca = proxy::testing::MakeCa("port-ca", Clock::now());
  const proxy::TlsCertificate ui = proxy::testing::IssueCertificate(ca, {"ui"}, Clock::now());
  proxy::ProxyConfig config = StrictUi();
  config.listeners[0].port = holder.port();
  json document = {{"proxy", proxy::ConfigToJson(config)},
                   {"secrets",
                    {{{"name", "ui-cert"},
                      {"certificate_chain_pem", ui.chain[0].ToPem().value()},
                      {"private_key_pem", ui.key->ToPem().value()}}}}};
  const std::string path = dir.path() + "/proxy.json";
  std::ofstream(path) << document.dump(2);

  CommandResult result = RunCommand({kCrossmesh, "proxy", "--node", "ui", "--config", path});

  // The file is right (2 would say it is not): the machine has the port in use.
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err,
             Catch::Contains(fmt::format("proxy.listeners[0].port ('ingress'): cannot listen on "
                                         "127.0.0.1:{}",
                                         holder.port())) &&
                 Catch::Contains("another process holds it"));
}
