// What apply will send, computed without any HTTP: names, paths, specs and order, as the App
// Mesh controller would have made them.
#include <catch2/catch.hpp>

#include "harness/manifests/plan.h"
#include "tests/manifests/manifest_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using namespace crossmesh::manifests;
using nlohmann::json;

namespace {

constexpr const char* kFrontend = "111111111111";
constexpr const char* kBackend = "222222222222";

constexpr const char* kBackendCluster = R"(
apiVersion: v1
kind: Namespace
metadata:
  name: yelb
  labels:
    mesh: am-multi-account-mesh
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata:
  name: am-multi-account-mesh
spec:
  meshOwner: "111111111111"
  namespaceSelector:
    matchLabels:
      mesh: am-multi-account-mesh
)";

std::vector<K8sObject> Objects(const std::string& text, const std::string& name = "f.yaml") {
  return ObjectsFromFile(ParseSource(name, text));
}

ClusterState Cluster(const std::string& account, const std::string& stored_text = "") {
  ClusterState state;
  state.account = account;
  if (!stored_text.empty()) state.stored = Objects(stored_text, "stored.yaml");
  return state;
}

Plan MustPlan(const std::vector<K8sObject>& applied, const ClusterState& state) {
  auto plan = PlanApply(applied, state);
  INFO(plan.status().ToString());
  REQUIRE(plan.ok());
  return *plan;
}

std::vector<const PlanStep*> AppMeshSteps(const Plan& plan) {
  std::vector<const PlanStep*> out;
  for (const auto& step : plan.steps) {
    if (step.call.service == "appmesh") out.push_back(&step);
  }
  return out;
}

}  // namespace

TEST_CASE("The upstream appserver manifest plans the controller's names, paths and specs") {
  auto stored = Cluster(kBackend, std::string(kBackendCluster) + "---\n" +
                                      ReadText(UpstreamFixture("mesh/yelb-db.yaml")) + "\n---\n" +
                                      ReadText(UpstreamFixture("mesh/yelb-redis.yaml")));
  Plan plan = MustPlan(Objects(ReadText(UpstreamFixture("mesh/yelb-appserver.yaml"))), stored);
  auto steps = AppMeshSteps(plan);
  REQUIRE(steps.size() == 4);

  const std::string mesh = "/v20190125/meshes/am-multi-account-mesh";
  struct Expected {
    std::string path, name_field, name;
  } expected[] = {
      {mesh + "/virtualNodes", "virtualNodeName", "yelb-appserver_yelb"},
      {mesh + "/virtualRouters", "virtualRouterName", "yelb-appserver-virtual-router"},
      {mesh + "/virtualRouter/yelb-appserver-virtual-router/routes", "routeName",
       "route-to-yelb-appserver"},
      {mesh + "/virtualServices", "virtualServiceName", "yelb-appserver"},
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    INFO(steps[i]->call.ToString());
    CHECK(steps[i]->kind == StepKind::kCreateOrUpdate);
    CHECK(steps[i]->call.method == "PUT");
    CHECK(steps[i]->call.path == expected[i].path);
    CHECK(steps[i]->call.query == "meshOwner=111111111111");
    CHECK(steps[i]->call.body[expected[i].name_field] == expected[i].name);
    REQUIRE(steps[i]->update);
    CHECK(steps[i]->update->path == expected[i].path + "/" + expected[i].name);
  }

  json node = steps[0]->call.body["spec"];
  CHECK(node["backends"] == json::parse(R"([{"virtualService":{"virtualServiceName":"yelb-db"}},
      {"virtualService":{"virtualServiceName":"redis-server"}}])"));
  CHECK(node["serviceDiscovery"]["awsCloudMap"]["namespaceName"] == "am-multi-account.local");
  CHECK_FALSE(node.contains("podSelector"));
  CHECK(steps[1]->call.body["spec"] ==
        json::parse(R"({"listeners":[{"portMapping":{"port":4567,"protocol":"http"}}]})"));
  json route = steps[2]->call.body["spec"]["httpRoute"];
  CHECK(route["action"]["weightedTargets"] ==
        json::parse(R"([{"virtualNode":"yelb-appserver_yelb","weight":1}])"));
  CHECK(route["retryPolicy"]["perRetryTimeout"] == json({{"unit", "ms"}, {"value", 2000}}));
  CHECK(steps[3]->call.body["spec"] ==
        json::parse(R"({"provider":{"virtualRouter":{"virtualRouterName":
                       "yelb-appserver-virtual-router"}}})"));
}

TEST_CASE("Every applied object is stored after its App Mesh calls, with its awsName and mesh") {
  Plan plan = MustPlan(Objects(ReadText(ManifestFixture("yelb-redis.yaml"))),
                       Cluster(kBackend, kBackendCluster));
  std::vector<std::string> order;
  for (const auto& step : plan.steps) {
    order.push_back(step.call.method + " " + step.call.path);
  }
  CHECK(order == std::vector<std::string>{
                     "PUT /k8s/v1/objects/Service/yelb/redis-server",
                     "PUT /k8s/v1/objects/Deployment/yelb/redis-server",
                     "PUT /v20190125/meshes/am-multi-account-mesh/virtualNodes",
                     "PUT /k8s/v1/objects/VirtualNode/yelb/redis-server",
                     "PUT /v20190125/meshes/am-multi-account-mesh/virtualServices",
                     "PUT /k8s/v1/objects/VirtualService/yelb/redis-server",
                 });
  const json& stored = plan.steps[3].call.body;
  CHECK(stored["spec"]["awsName"] == "redis-server_yelb");
  CHECK(stored["spec"]["meshRef"]["name"] == "am-multi-account-mesh");
}

TEST_CASE("CRD spellings and fields become the API's in a TLS node") {
  Plan plan = MustPlan(Objects(ReadText(ManifestFixture("yelb-redis.yaml"))),
                       Cluster(kBackend, kBackendCluster));
  json spec = AppMeshSteps(plan).at(0)->call.body["spec"];
  INFO(spec.dump(2));
  CHECK(spec["listeners"][0]["tls"]["certificate"]["acm"].contains("certificateArn"));
  CHECK(spec["backendDefaults"]["clientPolicy"]["tls"]["validation"]["trust"]["acm"]
            ["certificateAuthorityArns"]
                .size() == 1);
  CHECK(spec["backendDefaults"]["clientPolicy"]["tls"]["enforce"] == true);
  CHECK_FALSE(spec.contains("podSelector"));
  CHECK_FALSE(spec.contains("awsName"));
}

TEST_CASE("Names default as the controller's webhooks defaulted them") {
  std::string text = R"(
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: web, namespace: shop}
spec: {}
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: {name: web, namespace: shop}
spec:
  listeners: [{portMapping: {port: 80, protocol: http}}]
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  provider: {virtualRouter: {virtualRouterRef: {name: web}}}
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualGateway
metadata: {name: edge, namespace: shop}
spec:
  listeners: [{portMapping: {port: 8080, protocol: http}}]
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: GatewayRoute
metadata: {name: to-web, namespace: shop}
spec:
  virtualGatewayRef: {name: edge}
  httpRoute:
    match: {prefix: /}
    action: {target: {virtualService: {virtualServiceRef: {name: web}}}}
)";
  ClusterState state = Cluster(kFrontend);
  state.namespace_mesh["shop"] = "shop-mesh";
  Plan plan = MustPlan(Objects(text), state);
  std::vector<std::string> names;
  for (const auto* step : AppMeshSteps(plan)) {
    names.push_back(step->call.path.substr(step->call.path.rfind('/') + 1) + " " + step->resource);
  }
  CHECK(names == std::vector<std::string>{
                     "shop-mesh mesh shop-mesh",
                     "virtualNodes virtual node web_shop",
                     "virtualRouters virtual router web_shop",
                     "virtualServices virtual service web.shop",
                     "virtualGateways virtual gateway edge_shop",
                     "gatewayRoutes gateway route to-web_shop",
                 });
  const PlanStep* gateway_route = AppMeshSteps(plan).back();
  CHECK(gateway_route->call.path ==
        "/v20190125/meshes/shop-mesh/virtualGateway/edge_shop/gatewayRoutes");
  CHECK(gateway_route->call.body["spec"]["httpRoute"]["action"]["target"]["virtualService"] ==
        json({{"virtualServiceName", "web.shop"}}));
  CHECK(AppMeshSteps(plan).front()->kind == StepKind::kVerifyMesh);
}

TEST_CASE("A mesh the caller owns is created; one another account owns is only described") {
  Plan owned =
      MustPlan(Objects(ReadText(ManifestFixture("mesh-frontend.yaml"))), Cluster(kFrontend));
  auto owned_steps = AppMeshSteps(owned);
  REQUIRE(owned_steps.size() == 1);
  CHECK(owned_steps[0]->call.ToString() ==
        "PUT /v20190125/meshes "
        R"({"meshName":"am-multi-account-mesh","spec":{"egressFilter":{"type":"DROP_ALL"}}})");
  CHECK(owned_steps[0]->update->ToString() ==
        "PUT /v20190125/meshes/am-multi-account-mesh "
        R"({"spec":{"egressFilter":{"type":"DROP_ALL"}}})");

  Plan adopted =
      MustPlan(Objects(ReadText(ManifestFixture("mesh-backend.yaml"))), Cluster(kBackend));
  auto adopted_steps = AppMeshSteps(adopted);
  REQUIRE(adopted_steps.size() == 1);
  CHECK(adopted_steps[0]->kind == StepKind::kVerifyMesh);
  CHECK(adopted_steps[0]->call.ToString() ==
        "GET /v20190125/meshes/am-multi-account-mesh?meshOwner=111111111111");
}

TEST_CASE("A virtualServiceARN backend becomes its name, but only within the node's mesh") {
  std::string ui = ReadText(ManifestFixture("yelb-ui.yaml"));
  Plan plan =
      MustPlan(Objects(ui), Cluster(kFrontend, ReadText(ManifestFixture("mesh-frontend.yaml"))));
  CHECK(AppMeshSteps(plan).at(0)->call.body["spec"]["backends"] ==
        json::parse(R"([{"virtualService":{"virtualServiceName":"yelb-appserver"}}])"));

  for (const char* other : {"mesh/other-mesh/virtualService", "222222222222:mesh/am-multi"}) {
    std::string from = other[0] == 'm' ? "mesh/am-multi-account-mesh/virtualService"
                                       : "111111111111:mesh/am-multi";
    auto refused = PlanApply(Objects(Edit(ui, from, other)),
                             Cluster(kFrontend, ReadText(ManifestFixture("mesh-frontend.yaml"))));
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.status().message(),
               Catch::Contains("can only name resources of its own mesh"));
  }
}

TEST_CASE("The mesh comes from meshRef, the flag, the selecting Mesh, or the mesh label") {
  std::string node = R"(
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: n, namespace: yelb}
spec: {}
)";
  std::string two_meshes = std::string(kBackendCluster) + R"(
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: {name: other}
spec:
  awsName: other-aws
  namespaceSelector: {matchLabels: {team: a}}
)";
  auto mesh_path = [&](const std::string& text, const ClusterState& state) {
    Plan plan = MustPlan(Objects(text), state);
    for (const auto* step : AppMeshSteps(plan)) {
      if (step->kind == StepKind::kCreateOrUpdate) return step->call.path + "?" + step->call.query;
    }
    return std::string();
  };
  CHECK(mesh_path(node, Cluster(kBackend, two_meshes)) ==
        "/v20190125/meshes/am-multi-account-mesh/virtualNodes?meshOwner=111111111111");
  CHECK(mesh_path(Edit(node, "spec: {}", "spec: {meshRef: {name: other}}"),
                  Cluster(kBackend, two_meshes)) == "/v20190125/meshes/other-aws/virtualNodes?");
  ClusterState flagged = Cluster(kBackend, two_meshes);
  flagged.namespace_mesh["yelb"] = "other";
  CHECK(mesh_path(node, flagged) == "/v20190125/meshes/other-aws/virtualNodes?");

  auto unknown_ns = PlanApply(Objects(node), Cluster(kBackend));
  REQUIRE_FALSE(unknown_ns.ok());
  CHECK_THAT(unknown_ns.status().message(), Catch::Contains("namespace 'yelb' is not known") &&
                                                Catch::Contains("--namespace-mesh yelb=MESH"));
}

TEST_CASE("Services follow their providers, and a backend cycle is broken by a later update") {
  std::string text = R"(
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: {name: a, namespace: yelb}
spec: {awsName: a, provider: {virtualNode: {virtualNodeRef: {name: a}}}}
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: {name: b, namespace: yelb}
spec: {awsName: b, provider: {virtualNode: {virtualNodeRef: {name: b}}}}
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: a, namespace: yelb}
spec: {backends: [{virtualService: {virtualServiceRef: {name: b}}}]}
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: b, namespace: yelb}
spec: {backends: [{virtualService: {virtualServiceRef: {name: a}}}]}
)";
  Plan plan = MustPlan(Objects(text), Cluster(kBackend, kBackendCluster));
  std::vector<std::string> order;
  for (const auto* step : AppMeshSteps(plan)) {
    if (step->kind == StepKind::kVerifyMesh) continue;
    order.push_back((step->kind == StepKind::kUpdate ? "update " : "create ") + step->resource +
                    (step->call.body["spec"].contains("backends") ? " +backends" : ""));
  }
  CHECK(order == std::vector<std::string>{
                     "create virtual node a_yelb",
                     "create virtual service a",
                     "create virtual node b_yelb +backends",
                     "create virtual service b",
                     "update virtual node a_yelb +backends",
                 });
}

TEST_CASE("A reference to an object that is nowhere is refused, naming it") {
  std::string text = ReadText(UpstreamFixture("mesh/yelb-appserver.yaml"));
  auto plan = PlanApply(Objects(text), Cluster(kBackend, kBackendCluster));
  REQUIRE_FALSE(plan.ok());
  CHECK_THAT(plan.status().message(),
             Catch::Contains("VirtualService yelb/yelb-db") &&
                 Catch::Contains("neither in these files nor applied earlier"));
}

TEST_CASE("Typed views read ports, labels and replicas for the harness") {
  auto objects = Objects(ReadText(ManifestFixture("yelb-ui.yaml")));
  REQUIRE(objects.size() == 4);
  ServiceView service = ViewService(objects[2]);
  CHECK(service.type == "LoadBalancer");
  REQUIRE(service.ports.size() == 1);
  CHECK(service.ports[0].port == 80);
  CHECK(service.ports[0].target_port == "80");
  CHECK(service.selector == Labels{{"app", "yelb-ui"}});
  DeploymentView deployment = ViewDeployment(objects[3]);
  CHECK(deployment.replicas == 1);
  CHECK(deployment.containers.at(0).image == "mreferre/yelb-ui:0.6");
  CHECK(deployment.containers.at(0).ports == std::vector<int64_t>{80});
  VirtualNodeView node = ViewVirtualNode(objects[0]);
  CHECK(node.aws_name == "yelb-ui_yelb");
  CHECK(node.dns_hostname == "yelb-ui.yelb.svc.cluster.local");
  REQUIRE(node.listeners.size() == 1);
  CHECK(node.listeners[0].port == 80);
  CHECK(node.listeners[0].tls_mode == "STRICT");
  MeshView mesh = ViewMesh(Objects(ReadText(ManifestFixture("mesh-backend.yaml")))[1]);
  CHECK(mesh.mesh_owner == std::optional<std::string>("111111111111"));
  CHECK(mesh.namespace_selector.Matches({{"mesh", "am-multi-account-mesh"}}));
  CHECK_FALSE(mesh.namespace_selector.Matches({{"mesh", "other"}}));
}

TEST_CASE("The same object in two applied files is refused as defined twice, not as a cycle") {
  std::vector<K8sObject> applied = Objects(kBackendCluster, "a.yaml");
  std::vector<K8sObject> copy = Objects(kBackendCluster, "b.yaml");
  applied.insert(applied.end(), copy.begin(), copy.end());

  auto plan = PlanApply(applied, Cluster(kBackend));

  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().code() == "InvalidInput");
  CHECK_THAT(plan.status().message(),
             Catch::Contains("is defined twice, at a.yaml:") && Catch::Contains("and at b.yaml:"));
}
