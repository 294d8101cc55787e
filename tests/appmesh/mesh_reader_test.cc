// The data path's view of App Mesh (mesh_reader.h): a mesh with everything in it, and the change
// log that tells it what to rebuild.
#include <catch2/catch.hpp>

#include <functional>

#include "emulator/appmesh/model/mesh_reader.h"
#include "tests/appmesh/appmesh_test_util.h"

using namespace crossmesh;
using namespace crossmesh::appmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

template <typename T>
T InProcess(TestEmulator& t, std::function<Result<T>(Store&)> read) {
  auto result = t.emulator().Call(
      "frontend", "", [&](const CallContext&) -> Result<T> { return read(t.emulator().store()); });
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return std::move(*result);
}

}  // namespace

TEST_CASE("The data path reads a shared mesh with every resource's spec and owner") {
  TestEmulator t;
  ShareMeshWithBackend(t, CreateMesh(t, "frontend", "yelb"), true);
  CreateNode(t, "backend", "yelb", "yelb-db_yelb", TcpNodeSpec(5432, "db.local"), kFrontendId);
  CreateNode(t, "frontend", "yelb", "yelb-ui_yelb", HttpNodeSpec(80, "ui.local"));
  MeshOk(t, "frontend", "PUT", MeshPath("yelb", "/virtualRouters"),
         {{"virtualRouterName", "ui-router"}, {"spec", RouterSpec(80, "http")}});
  MeshOk(t, "frontend", "PUT", MeshPath("yelb", "/virtualRouter/ui-router/routes"),
         {{"routeName", "to-ui"}, {"spec", HttpRouteSpec("yelb-ui_yelb")}});

  MeshContents mesh = InProcess<MeshContents>(
      t, [](Store& store) { return ReadMesh(store, kFrontendId, "us-west-2", "yelb"); });
  CHECK(mesh.mesh.arn == "arn:aws:appmesh:us-west-2:111111111111:mesh/yelb");
  REQUIRE(mesh.virtual_nodes.size() == 2);
  CHECK(mesh.virtual_nodes[0].id.name == "yelb-db_yelb");
  CHECK(mesh.virtual_nodes[0].resource_owner == kBackendId);
  CHECK(mesh.virtual_nodes[0].spec == TcpNodeSpec(5432, "db.local"));
  REQUIRE(mesh.routes.size() == 1);
  CHECK(mesh.routes[0].id.parent == "ui-router");
  CHECK(mesh.virtual_routers.size() == 1);
  CHECK(mesh.virtual_services.empty());

  auto all = InProcess<std::vector<Resource>>(t, [](Store& store) { return AllMeshes(store); });
  REQUIRE(all.size() == 1);
  CHECK(all[0].id.mesh_owner == kFrontendId);
}

TEST_CASE("The change log lists every create, update and delete in commit order") {
  TestEmulator t;
  CreateMesh(t, "frontend", "changes");
  CreateNode(t, "frontend", "changes", "n", HttpNodeSpec(80, "n.local"));
  MeshOk(t, "frontend", "PUT", MeshPath("changes", "/virtualNodes/n"),
         {{"spec", HttpNodeSpec(81, "n.local")}});
  MeshFails(t, "frontend", "PUT", MeshPath("changes", "/virtualNodes/n"),
            {{"spec", {{"listeners", "not a list"}}}});
  MeshOk(t, "frontend", "DELETE", MeshPath("changes", "/virtualNodes/n"));

  auto changes = InProcess<std::vector<MeshChange>>(
      t, [](Store& store) { return MeshChangesSince(store, 0); });
  std::vector<std::string> seen;
  for (const auto& c : changes) seen.push_back(std::string(KindName(c.kind)) + " " + c.change);
  CHECK(seen == std::vector<std::string>{"mesh CREATED", "virtualNode CREATED",
                                         "virtualNode UPDATED", "virtualNode DELETED"});
  CHECK(changes[2].version == 2);
  CHECK(changes[3].mesh.mesh == "changes");

  auto later = InProcess<std::vector<MeshChange>>(
      t, [&](Store& store) { return MeshChangesSince(store, changes[1].sequence); });
  CHECK(later.size() == 2);
}
