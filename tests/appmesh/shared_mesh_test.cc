// Shared meshes: the backend works in the frontend's mesh through RAM, as in the walkthrough,
// and each share state decides what it may do (the mesh rows of the action x share state table).
#include <catch2/catch.hpp>

#include <functional>

#include "emulator/protocol/protocol.h"
#include "tests/appmesh/appmesh_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

constexpr char kWalkthroughMesh[] = "am-multi-account-mesh";

std::string OwnerQuery() { return std::string("meshOwner=") + kFrontendId; }

}  // namespace

TEST_CASE("The backend builds the walkthrough's services in the frontend's shared mesh") {
  TestEmulator t;
  std::string mesh_arn = CreateMesh(t, "frontend", kWalkthroughMesh);
  CHECK(mesh_arn == "arn:aws:appmesh:us-west-2:111111111111:mesh/am-multi-account-mesh");
  ShareMeshWithBackend(t, mesh_arn, true);

  json node = CreateNode(t, "backend", kWalkthroughMesh, "yelb-appserver_yelb",
                         HttpNodeSpec(4567, "yelb-appserver.yelb.svc.cluster.local"), kFrontendId);
  CHECK(node["meshName"] == kWalkthroughMesh);
  CHECK(node["virtualNodeName"] == "yelb-appserver_yelb");
  CHECK(node["metadata"]["arn"] ==
        "arn:aws:appmesh:us-west-2:111111111111:mesh/am-multi-account-mesh/virtualNode/"
        "yelb-appserver_yelb");
  CHECK(node["metadata"]["meshOwner"] == kFrontendId);
  CHECK(node["metadata"]["resourceOwner"] == kBackendId);
  CHECK(node["metadata"]["version"] == 1);
  CHECK(node["status"]["status"] == "ACTIVE");

  MeshOk(
      t, "backend", "PUT", MeshPath(kWalkthroughMesh, "/virtualRouters"),
      {{"virtualRouterName", "yelb-appserver-virtual-router"}, {"spec", RouterSpec(4567, "http")}},
      OwnerQuery());
  json route = MeshOk(
      t, "backend", "PUT",
      MeshPath(kWalkthroughMesh, "/virtualRouter/yelb-appserver-virtual-router/routes"),
      {{"routeName", "route-to-yelb-appserver"}, {"spec", HttpRouteSpec("yelb-appserver_yelb")}},
      OwnerQuery());
  CHECK(route["metadata"]["arn"] ==
        "arn:aws:appmesh:us-west-2:111111111111:mesh/am-multi-account-mesh/virtualRouter/"
        "yelb-appserver-virtual-router/route/route-to-yelb-appserver");
  json service =
      MeshOk(t, "backend", "PUT", MeshPath(kWalkthroughMesh, "/virtualServices"),
             {{"virtualServiceName", "yelb-appserver"},
              {"spec",
               {{"provider",
                 {{"virtualRouter", {{"virtualRouterName", "yelb-appserver-virtual-router"}}}}}}}},
             OwnerQuery());
  CHECK(service["metadata"]["resourceOwner"] == kBackendId);

  // The frontend sees the backend's resources in its own mesh, without meshOwner.
  json nodes = MeshOk(t, "frontend", "GET", MeshPath(kWalkthroughMesh, "/virtualNodes"));
  REQUIRE(nodes["virtualNodes"].size() == 1);
  CHECK(nodes["virtualNodes"][0]["resourceOwner"] == kBackendId);
  CHECK(nodes["virtualNodes"][0]["meshOwner"] == kFrontendId);

  // The frontend's yelb-ui names the backend's virtual service as its backend.
  json ui_spec = HttpNodeSpec(4567, "yelb-ui.yelb.svc.cluster.local");
  ui_spec["backends"] = {{{"virtualService", {{"virtualServiceName", "yelb-appserver"}}}}};
  json ui = CreateNode(t, "frontend", kWalkthroughMesh, "yelb-ui_yelb", ui_spec);
  CHECK(ui["metadata"]["resourceOwner"] == kFrontendId);

  // ListMeshes shows the shared mesh to the backend, with its owner.
  json meshes = MeshOk(t, "backend", "GET", "/v20190125/meshes");
  REQUIRE(meshes["meshes"].size() == 1);
  CHECK(meshes["meshes"][0]["meshOwner"] == kFrontendId);
  CHECK(meshes["meshes"][0]["resourceOwner"] == kFrontendId);
  json described = MeshOk(t, "backend", "GET", MeshPath(kWalkthroughMesh), nullptr, OwnerQuery());
  CHECK(described["metadata"]["arn"] == mesh_arn);
}

TEST_CASE("Each share state decides what the backend may do in the frontend's mesh") {
  TestEmulator t;
  // One mesh per share state; "target" is a node the backend acts on where it cannot create.
  struct State {
    std::string name;
    std::string mesh;
  };
  std::vector<State> states = {{"no share", "m-none"},
                               {"pending", "m-pending"},
                               {"accepted", "m-accepted"},
                               {"rejected", "m-rejected"},
                               {"share deleted", "m-deleted"}};
  for (const auto& s : states) {
    std::string arn = CreateMesh(t, "frontend", s.mesh);
    CreateNode(t, "frontend", s.mesh, "target", HttpNodeSpec(80, "target.local"));
    if (s.name == "no share") continue;
    std::string share =
        ShareMeshWithBackend(t, arn, s.name == "accepted" || s.name == "share deleted");
    if (s.name == "rejected") {
      Ram(t, "backend", "/rejectresourceshareinvitation",
          {{"resourceShareInvitationArn", InvitationFor(t, share)}});
    }
    if (s.name == "share deleted") {
      CreateNode(t, "backend", s.mesh, "mine", HttpNodeSpec(81, "mine.local"), kFrontendId);
      WireResponse deleted = t.RestCall("frontend", "ram", "DELETE", "/deleteresourceshare",
                                        nullptr, "resourceShareArn=" + PercentEncode(share));
      REQUIRE(deleted.status == 200);
    }
  }

  // The node each cell acts on: the backend's own where it has one, else the frontend's.
  auto node_of = [](const State& s) {
    return s.name == "accepted" ? "created" : s.name == "share deleted" ? "mine" : "target";
  };
  struct Action {
    std::string name;
    std::function<WireResponse(const State&)> call;
    std::vector<int> expected;  // per state, in the order above
  };
  json spec = HttpNodeSpec(82, "created.local");
  std::vector<Action> actions = {
      {"create node",
       [&](const State& s) {
         return t.RestCall("backend", "appmesh", "PUT", MeshPath(s.mesh, "/virtualNodes"),
                           {{"virtualNodeName", "created"}, {"spec", spec}}, OwnerQuery());
       },
       {403, 403, 200, 403, 403}},
      {"describe node",
       [&](const State& s) {
         return t.RestCall("backend", "appmesh", "GET",
                           MeshPath(s.mesh, "/virtualNodes/") + node_of(s), nullptr, OwnerQuery());
       },
       {403, 403, 200, 403, 403}},
      {"list nodes",
       [&](const State& s) {
         return t.RestCall("backend", "appmesh", "GET", MeshPath(s.mesh, "/virtualNodes"), nullptr,
                           OwnerQuery());
       },
       {403, 403, 200, 403, 403}},
      {"update node",
       [&](const State& s) {
         return t.RestCall("backend", "appmesh", "PUT",
                           MeshPath(s.mesh, "/virtualNodes/") + node_of(s), {{"spec", spec}},
                           OwnerQuery());
       },
       {403, 403, 200, 403, 403}},
      {"delete node",
       [&](const State& s) {
         return t.RestCall("backend", "appmesh", "DELETE",
                           MeshPath(s.mesh, "/virtualNodes/") + node_of(s), nullptr, OwnerQuery());
       },
       {403, 403, 200, 403, 403}},
      // UpdateMesh and DeleteMesh take no meshOwner: the backend only ever names its own meshes.
      {"update mesh",
       [&](const State& s) {
         return t.RestCall("backend", "appmesh", "PUT", MeshPath(s.mesh),
                           {{"spec", {{"egressFilter", {{"type", "ALLOW_ALL"}}}}}});
       },
       {404, 404, 404, 404, 404}},
      {"delete mesh",
       [&](const State& s) { return t.RestCall("backend", "appmesh", "DELETE", MeshPath(s.mesh)); },
       {404, 404, 404, 404, 404}},
  };

  for (const auto& action : actions) {
    for (size_t i = 0; i < states.size(); ++i) {
      WireResponse r = action.call(states[i]);
      INFO(action.name << " / " << states[i].name << ": " << r.body);
      CHECK(r.status == action.expected[i]);
      if (r.status == 403) {
        CHECK(BodyJson(r)["__type"] == "ForbiddenException");
        CHECK_THAT(BodyJson(r)["message"].get<std::string>(), Catch::Contains(kBackendId));
      }
      if (r.status == 404) CHECK(BodyJson(r)["__type"] == "NotFoundException");
    }
  }

  // The mesh owner may still delete what the backend created after the share is gone.
  json deleted = MeshOk(t, "frontend", "DELETE", MeshPath("m-deleted", "/virtualNodes/mine"));
  CHECK(deleted["status"]["status"] == "DELETED");
  CHECK(deleted["metadata"]["resourceOwner"] == kBackendId);
}

TEST_CASE("In a shared mesh each account changes only what it created") {
  TestEmulator t;
  std::string arn = CreateMesh(t, "frontend", "shared");
  ShareMeshWithBackend(t, arn, true);
  CreateNode(t, "frontend", "shared", "frontend-node", HttpNodeSpec(80, "fe.local"));
  CreateNode(t, "backend", "shared", "backend-node", HttpNodeSpec(80, "be.local"), kFrontendId);

  ApiError update =
      MeshFails(t, "backend", "PUT", MeshPath("shared", "/virtualNodes/frontend-node"),
                {{"spec", HttpNodeSpec(81, "fe.local")}}, OwnerQuery());
  CHECK(update.status == 403);
  CHECK(update.code == "ForbiddenException");
  CHECK_THAT(update.message, Catch::Contains("appmesh:UpdateVirtualNode"));

  ApiError remove =
      MeshFails(t, "backend", "DELETE", MeshPath("shared", "/virtualNodes/frontend-node"), nullptr,
                OwnerQuery());
  CHECK(remove.status == 403);

  ApiError owner_update =
      MeshFails(t, "frontend", "PUT", MeshPath("shared", "/virtualNodes/backend-node"),
                {{"spec", HttpNodeSpec(81, "be.local")}});
  CHECK(owner_update.status == 403);

  ApiError gateway = MeshFails(
      t, "backend", "PUT", MeshPath("shared", "/virtualGateways"),
      {{"virtualGatewayName", "gw"},
       {"spec", {{"listeners", {{{"portMapping", {{"port", 8080}, {"protocol", "http"}}}}}}}}},
      OwnerQuery());
  CHECK(gateway.status == 403);
  CHECK_THAT(gateway.message, Catch::Contains("only be created by the mesh owner"));

  ApiError tags = MeshFails(t, "backend", "GET", "/v20190125/tags", nullptr,
                            "resourceArn=" + PercentEncode(arn));
  CHECK(tags.status == 403);

  json owner_delete =
      MeshOk(t, "frontend", "DELETE", MeshPath("shared", "/virtualNodes/backend-node"));
  CHECK(owner_delete["status"]["status"] == "DELETED");
}
