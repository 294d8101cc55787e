// The project's TLS manifests, applied for real: the walkthrough's seed (shared CA, ACM
// certificates in both accounts) first, then the manifests with its ARNs in place of the
// fixtures' example ones, so App Mesh's TLS validation runs on every listener and policy.
#include <catch2/catch.hpp>

#include "emulator/client/aws_client.h"
#include "harness/walkthrough/seed.h"
#include "tests/manifests/manifest_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

constexpr const char* kExampleCa =
    "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"
    "8d1f6f2e-3c4b-4a5e-9f10-2b7c6d5e4a31";
constexpr const char* kExampleBackendCert =
    "arn:aws:acm:us-west-2:222222222222:certificate/5b2e7c1a-9d4f-4e8b-a6c3-1f0e2d3c4b5a";
constexpr const char* kExampleFrontendCert =
    "arn:aws:acm:us-west-2:111111111111:certificate/c4a3b2d1-6e5f-4a7b-8c9d-0e1f2a3b4c5d";

AwsClient ClientFor(TestEmulator& t, const char* name) {
  const Account* account = t.emulator().accounts().FindByName(name);
  auto endpoint = ParseEndpointUrl(t.url());
  REQUIRE(endpoint.ok());
  return AwsClient(*endpoint, {account->access_key_id, account->secret_access_key},
                   account->default_region);
}

walkthrough::SeedState RunSeed(TestEmulator& t) {
  walkthrough::SeedInputs inputs;
  inputs.ca_config_path =
      std::string(CROSSMESH_SOURCE_DIR) + "/fixtures/walkthrough/ca_config.json";
  inputs.revoke_config_path =
      std::string(CROSSMESH_SOURCE_DIR) + "/fixtures/walkthrough/revoke_config.json";
  inputs.certificate_names["frontend"] = {"yelb-ui.yelb.svc.cluster.local"};
  inputs.certificate_names["backend"] = {"*.yelb.svc.cluster.local",
                                         "yelb-appserver.am-multi-account.local"};
  AwsClient frontend = ClientFor(t, "frontend");
  AwsClient backend = ClientFor(t, "backend");
  walkthrough::Seed seed(frontend, backend, inputs);
  walkthrough::StepRunner runner(true);
  seed.Run(runner);
  std::string steps;
  for (const auto& outcome : runner.outcomes()) {
    steps += (outcome.passed ? "ok " : "FAILED ") + outcome.name + ": " + outcome.detail + "\n";
  }
  INFO(steps);
  REQUIRE(runner.passed());
  return seed.state();
}

std::string WithRealArns(const std::string& name, const walkthrough::SeedState& seed) {
  std::string text = ReadText(ManifestFixture(name));
  for (const auto& [example, real] : {std::pair<std::string, std::string>{kExampleCa, seed.ca_arn},
                                      {kExampleBackendCert, seed.certificates.at("backend")},
                                      {kExampleFrontendCert, seed.certificates.at("frontend")}}) {
    for (size_t at = text.find(example); at != std::string::npos; at = text.find(example, at)) {
      text.replace(at, example.size(), real);
    }
  }
  return text;
}

CommandResult Apply(TestEmulator& t, const std::string& profile, const std::string& file) {
  auto result = Crossmesh(t, {"apply", "--profile", profile, "-f", file});
  INFO("stdout:\n" << result.out << "stderr:\n" << result.err);
  CHECK(result.exit_code == 0);
  return result;
}

}  // namespace

TEST_CASE("The project's TLS manifests apply in both accounts with the seed's real certificates") {
  TestEmulator t;
  walkthrough::SeedState seed = RunSeed(t);
  TempDir dir;

  Apply(t, "frontend", ManifestFixture("mesh-frontend.yaml"));
  auto share = t.RestCall("frontend", "ram", "POST", "/createresourceshare",
                          {{"name", "mesh-share"},
                           {"resourceArns",
                            {"arn:aws:appmesh:us-west-2:111111111111:mesh/"
                             "am-multi-account-mesh"}},
                           {"principals", {"222222222222"}}});
  REQUIRE(share.status == 200);
  std::string share_arn = BodyJson(share)["resourceShare"]["resourceShareArn"];
  json invitations = BodyJson(t.RestCall("backend", "ram", "POST", "/getresourceshareinvitations",
                                         {{"resourceShareArns", {share_arn}}}));
  REQUIRE(t.RestCall("backend", "ram", "POST", "/acceptresourceshareinvitation",
                     {{"resourceShareInvitationArn", invitations["resourceShareInvitations"].at(
                                                         0)["resourceShareInvitationArn"]}})
              .status == 200);
  Apply(t, "backend", ManifestFixture("mesh-backend.yaml"));
  for (const char* name : {"yelb-redis.yaml", "yelb-db.yaml", "yelb-appserver.yaml"}) {
    Apply(t, "backend", dir.Write(name, WithRealArns(name, seed)));
  }
  Apply(t, "frontend", dir.Write("yelb-ui.yaml", WithRealArns("yelb-ui.yaml", seed)));

  struct Node {
    const char* account;
    const char* name;
    const char* certificate_owner;
  } nodes[] = {{"backend", "redis-server_yelb", "backend"},
               {"backend", "yelb-db_yelb", "backend"},
               {"backend", "yelb-appserver_yelb", "backend"},
               {"frontend", "yelb-ui_yelb", "frontend"}};
  for (const auto& n : nodes) {
    INFO(n.name);
    auto response =
        t.RestCall(n.account, "appmesh", "GET",
                   std::string("/v20190125/meshes/am-multi-account-mesh/virtualNodes/") + n.name,
                   nullptr, "meshOwner=111111111111");
    REQUIRE(response.status == 200);
    json spec = BodyJson(response)["spec"];
    json tls = spec["listeners"].at(0)["tls"];
    CHECK(tls["mode"] == "STRICT");
    CHECK(tls["certificate"]["acm"]["certificateArn"] == seed.certificates.at(n.certificate_owner));
    json policy = spec["backendDefaults"]["clientPolicy"]["tls"];
    CHECK(policy["enforce"] == true);
    CHECK(policy["validation"]["trust"]["acm"]["certificateAuthorityArns"] ==
          json::array({seed.ca_arn}));
  }
}
