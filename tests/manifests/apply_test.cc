// `crossmesh apply` against a running emulator: the walkthrough's Yelb manifests in both
// accounts, checked by describing what the App Mesh API holds afterwards.
#include <catch2/catch.hpp>

#include "tests/manifests/manifest_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

const std::string kMesh = "/v20190125/meshes/am-multi-account-mesh";
const std::string kOwner = "meshOwner=111111111111";
const std::string kAppserverArn =
    "arn:aws:appmesh:us-west-2:111111111111:mesh/am-multi-account-mesh/virtualService/"
    "yelb-appserver";

CommandResult Apply(TestEmulator& t, const std::string& profile,
                    const std::vector<std::string>& files,
                    const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"apply", "--profile", profile};
  for (const auto& file : files) {
    args.push_back("-f");
    args.push_back(file);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return Crossmesh(t, args);
}

void RequireApplied(const CommandResult& result) {
  INFO("stdout:\n" << result.out << "stderr:\n" << result.err);
  REQUIRE(result.exit_code == 0);
}

// The frontend shares its mesh through RAM and the backend accepts, as the walkthrough did.
void ShareMeshWithBackend(TestEmulator& t) {
  auto share = t.RestCall(
      "frontend", "ram", "POST", "/createresourceshare",
      {{"name", "mesh-share"},
       {"resourceArns", {"arn:aws:appmesh:us-west-2:111111111111:mesh/am-multi-account-mesh"}},
       {"principals", {"222222222222"}},
       {"allowExternalPrincipals", true}});
  REQUIRE(share.status == 200);
  json invitations = BodyJson(
      t.RestCall("backend", "ram", "POST", "/getresourceshareinvitations", json::object()));
  std::string arn = invitations["resourceShareInvitations"].at(0)["resourceShareInvitationArn"];
  REQUIRE(t.RestCall("backend", "ram", "POST", "/acceptresourceshareinvitation",
                     {{"resourceShareInvitationArn", arn}})
              .status == 200);
}

json Describe(TestEmulator& t, const std::string& account, const std::string& path) {
  auto response = t.RestCall(account, "appmesh", "GET", kMesh + path, nullptr, kOwner);
  INFO(path << ": " << response.body);
  REQUIRE(response.status == 200);
  return BodyJson(response);
}

std::string UiWithBackendArn(const TempDir& dir) {
  return dir.Write("yelb-ui.yaml", Edit(ReadText(UpstreamFixture("mesh/yelb-ui.yaml")),
                                        "<yelb-appserver virtualServiceARN>", kAppserverArn));
}

// The walkthrough up to its plain (non-TLS) app: both clusters' meshes, the backend's three
// manifests in three runs, then the frontend's UI with the ARN filled in.
void ApplyWalkthrough(TestEmulator& t, const TempDir& dir) {
  RequireApplied(Apply(t, "frontend", {ManifestFixture("mesh-frontend.yaml")}));
  ShareMeshWithBackend(t);
  RequireApplied(Apply(t, "backend", {ManifestFixture("mesh-backend.yaml")}));
  for (const char* file :
       {"mesh/yelb-redis.yaml", "mesh/yelb-db.yaml", "mesh/yelb-appserver.yaml"}) {
    RequireApplied(Apply(t, "backend", {UpstreamFixture(file)}));
  }
  RequireApplied(Apply(t, "frontend", {UiWithBackendArn(dir)}));
}

json Listener(const json& resource) { return resource["spec"]["listeners"].at(0)["portMapping"]; }

}  // namespace

TEST_CASE(
    "The upstream Yelb manifests apply in both accounts with the controller's names, ports "
    "and protocols") {
  TestEmulator t;
  TempDir dir;
  ApplyWalkthrough(t, dir);

  // Section A.7 of the walkthrough notes: one row per App Mesh resource.
  struct Node {
    const char* account;
    const char* name;
    int port;
    const char* protocol;
    const char* discovery;  // DNS hostname, or "" for Cloud Map
    std::vector<std::string> backends;
  } nodes[] = {
      {"backend", "redis-server_yelb", 6379, "tcp", "redis-server.yelb.svc.cluster.local", {}},
      {"backend", "yelb-db_yelb", 5432, "tcp", "yelb-db.yelb.svc.cluster.local", {}},
      {"backend", "yelb-appserver_yelb", 4567, "http", "", {"yelb-db", "redis-server"}},
      {"frontend",
       "yelb-ui_yelb",
       4567,
       "http",
       "yelb-ui.yelb.svc.cluster.local",
       {"yelb-appserver"}},
  };
  for (const auto& n : nodes) {
    INFO(n.name);
    json node = Describe(t, n.account, std::string("/virtualNodes/") + n.name);
    CHECK(node["virtualNodeName"] == n.name);
    CHECK(Listener(node) == json({{"port", n.port}, {"protocol", n.protocol}}));
    CHECK(node["metadata"]["meshOwner"] == "111111111111");
    CHECK(node["metadata"]["resourceOwner"] ==
          (std::string(n.account) == "backend" ? "222222222222" : "111111111111"));
    if (*n.discovery) {
      CHECK(node["spec"]["serviceDiscovery"]["dns"]["hostname"] == n.discovery);
    } else {
      CHECK(node["spec"]["serviceDiscovery"]["awsCloudMap"] ==
            json({{"namespaceName", "am-multi-account.local"}, {"serviceName", "yelb-appserver"}}));
    }
    std::vector<std::string> backends;
    for (const auto& b : node["spec"].value("backends", json::array())) {
      backends.push_back(b["virtualService"]["virtualServiceName"]);
    }
    CHECK(backends == n.backends);
  }

  struct Service {
    const char* account;
    const char* name;
    json provider;
  } services[] = {
      {"backend", "redis-server", {{"virtualNode", {{"virtualNodeName", "redis-server_yelb"}}}}},
      {"backend", "yelb-db", {{"virtualNode", {{"virtualNodeName", "yelb-db_yelb"}}}}},
      {"backend",
       "yelb-appserver",
       {{"virtualRouter", {{"virtualRouterName", "yelb-appserver-virtual-router"}}}}},
      {"frontend", "yelb-ui", {{"virtualNode", {{"virtualNodeName", "yelb-ui_yelb"}}}}},
  };
  for (const auto& s : services) {
    INFO(s.name);
    CHECK(Describe(t, s.account, std::string("/virtualServices/") + s.name)["spec"]["provider"] ==
          s.provider);
  }

  json router = Describe(t, "backend", "/virtualRouters/yelb-appserver-virtual-router");
  CHECK(Listener(router) == json({{"port", 4567}, {"protocol", "http"}}));
  json route = Describe(t, "backend",
                        "/virtualRouter/yelb-appserver-virtual-router/routes/"
                        "route-to-yelb-appserver")["spec"]["httpRoute"];
  CHECK(route["match"]["prefix"] == "/");
  CHECK(route["action"]["weightedTargets"] ==
        json::parse(R"([{"virtualNode": "yelb-appserver_yelb", "weight": 1}])"));
  CHECK(route["retryPolicy"]["maxRetries"] == 2);
  CHECK(route["retryPolicy"]["perRetryTimeout"] == json({{"unit", "ms"}, {"value", 2000}}));
  CHECK(route["retryPolicy"]["httpRetryEvents"] ==
        json({"server-error", "client-error", "gateway-error"}));
}

TEST_CASE("A later apply sees what earlier ones stored in the emulator, per account") {
  TestEmulator t;
  TempDir dir;
  ApplyWalkthrough(t, dir);

  auto stored = t.RestCall("backend", "crossmesh-k8s", "GET",
                           "/k8s/v1/objects/VirtualNode/yelb/redis-server");
  REQUIRE(stored.status == 200);
  CHECK(BodyJson(stored)["spec"]["awsName"] == "redis-server_yelb");
  CHECK(BodyJson(stored)["spec"]["meshRef"]["name"] == "am-multi-account-mesh");
  json namespaces =
      BodyJson(t.RestCall("frontend", "crossmesh-k8s", "GET", "/k8s/v1/objects/Namespace"));
  REQUIRE(namespaces["items"].size() == 1);
  CHECK(namespaces["items"][0]["metadata"]["labels"]["mesh"] == "am-multi-account-mesh");
  CHECK(t.RestCall("frontend", "crossmesh-k8s", "GET",
                   "/k8s/v1/objects/VirtualNode/yelb/redis-server")
            .status == 404);
}

TEST_CASE("Re-applying a manifest updates the resources it created") {
  TestEmulator t;
  TempDir dir;
  ApplyWalkthrough(t, dir);
  auto again = Apply(t, "backend", {UpstreamFixture("mesh/yelb-appserver.yaml")});
  RequireApplied(again);
  CHECK_THAT(again.out,
             Catch::Contains("VirtualNode yelb/yelb-appserver: virtual node yelb-appserver_yelb "
                             "updated"));
  CHECK_THAT(again.out, Catch::Contains("route route-to-yelb-appserver of "
                                        "yelb-appserver-virtual-router updated"));
  CHECK(Describe(t, "backend", "/virtualNodes/yelb-appserver_yelb")["metadata"]["version"] == 2);
}

TEST_CASE("apply --dry-run prints each call with its body and changes nothing") {
  TestEmulator t;
  TempDir dir;
  auto result = Apply(t, "frontend", {ManifestFixture("mesh-frontend.yaml"), UiWithBackendArn(dir)},
                      {"--dry-run"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("PUT /v20190125/meshes {\"meshName\":"
                                         "\"am-multi-account-mesh\""));
  CHECK_THAT(result.out, Catch::Contains("PUT " + kMesh + "/virtualNodes?" + kOwner +
                                         " {\"spec\":{\"backends\":[{\"virtualService\":"
                                         "{\"virtualServiceName\":\"yelb-appserver\"}}]"));
  CHECK_THAT(result.out, Catch::Contains("\"virtualNodeName\":\"yelb-ui_yelb\""));
  CHECK_THAT(result.out, Catch::Contains("PUT /k8s/v1/objects/Namespace/-/yelb {"));
  CHECK_THAT(result.out, Catch::Contains("#   if it exists: PUT " + kMesh +
                                         "/virtualServices/yelb-ui?" + kOwner));

  CHECK(t.RestCall("frontend", "appmesh", "GET", kMesh).status == 404);
  CHECK(
      BodyJson(t.RestCall("frontend", "crossmesh-k8s", "GET", "/k8s/v1/objects/Namespace"))["items"]
          .empty());
}

TEST_CASE("apply refuses files with lint errors and sends nothing") {
  TestEmulator t;
  auto result = Apply(
      t, "frontend", {ManifestFixture("mesh-frontend.yaml"), UpstreamFixture("mesh/yelb-ui.yaml")});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("yelb-ui.yaml:19:27: error: placeholder") &&
                             Catch::Contains("nothing was applied"));
  CHECK(t.RestCall("frontend", "appmesh", "GET", kMesh).status == 404);
}

TEST_CASE("apply fails when no document is of a kind it applies") {
  TestEmulator t;
  TempDir dir;
  const std::string typo =
      dir.Write("typo.yaml",
                "apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualNoed\nmetadata:\n  name: ui\n"
                "  namespace: yelb\nspec: {}\n");
  auto result = Apply(t, "frontend", {typo});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("VirtualNoed") && Catch::Contains("nothing was applied"));
}

TEST_CASE(
    "A shared mesh cannot be adopted before the invitation is accepted, and apply says so and "
    "what it applied before stopping") {
  TestEmulator t;
  RequireApplied(Apply(t, "frontend", {ManifestFixture("mesh-frontend.yaml")}));
  auto result = Apply(t, "backend", {ManifestFixture("mesh-backend.yaml")});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("mesh am-multi-account-mesh is not visible to account "
                                         "222222222222") &&
                             Catch::Contains("accept the invitation first"));
  CHECK_THAT(result.err,
             Catch::Contains("stopped at step ") && Catch::Contains("; applied before it: "));
}

TEST_CASE("The --namespace-mesh flag gives a namespace that no document labels its mesh") {
  TestEmulator t;
  TempDir dir;
  RequireApplied(Apply(t, "frontend", {ManifestFixture("mesh-frontend.yaml")}));
  ShareMeshWithBackend(t);
  // The backend cluster with the shared Mesh but no Namespace document.
  std::string mesh_only = Edit(ReadText(ManifestFixture("mesh-backend.yaml")),
                               "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: yelb\n"
                               "  labels:\n    mesh: am-multi-account-mesh\n---\n",
                               "");
  RequireApplied(Apply(t, "backend", {dir.Write("mesh.yaml", mesh_only)}));

  auto unlabelled = Apply(t, "backend", {UpstreamFixture("mesh/yelb-redis.yaml")});
  CHECK(unlabelled.exit_code == 1);
  CHECK_THAT(unlabelled.err, Catch::Contains("namespace 'yelb' is not known"));

  RequireApplied(Apply(t, "backend", {UpstreamFixture("mesh/yelb-redis.yaml")},
                       {"--namespace-mesh", "yelb=am-multi-account-mesh"}));
  CHECK(Listener(Describe(t, "backend", "/virtualNodes/redis-server_yelb"))["port"] == 6379);
}

TEST_CASE("apply names a profile it cannot find and the files it looked in") {
  TestEmulator t;
  auto result = Apply(t, "nobody", {ManifestFixture("mesh-frontend.yaml")});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("profile 'nobody' is in neither") &&
                             Catch::Contains(t.profile_dir() + "/config"));
}

TEST_CASE("apply --dry-run without a profile says why a dry run needs one") {
  TestEmulator t;
  auto result = Apply(t, "nobody", {ManifestFixture("mesh-frontend.yaml")}, {"--dry-run"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("profile 'nobody' is in neither") &&
                             Catch::Contains("reads the emulator's state to plan creates and "
                                             "updates"));
}
