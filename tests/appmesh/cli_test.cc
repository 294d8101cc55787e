// The real Debian AWS CLI (2.9) against App Mesh: every resource kind created, described,
// updated, listed and deleted, and the tag operations, all in one CLI batch (AwsBatch).
#include <catch2/catch.hpp>

#include "tests/appmesh/appmesh_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

struct CliKind {
  std::string noun;     // "virtual-node"
  std::string payload;  // "virtualNode": the CLI's output member
  std::string name_flag;
  std::string name;
  std::string parent_flag;  // "--virtual-router-name" for routes
  std::string parent;
  json spec;
  json updated_spec;
  std::string list_member;  // "virtualNodes"
};

std::vector<CliKind> Kinds() {
  json node = HttpNodeSpec(8080, "colors.local");
  json node2 = node;
  node2["backends"] = {{{"virtualService", {{"virtualServiceName", "colors.local"}}}}};
  json gateway = {{"listeners", {{{"portMapping", {{"port", 9080}, {"protocol", "http"}}}}}}};
  json gateway2 = gateway;
  gateway2["listeners"][0]["portMapping"]["port"] = 9443;
  json service = {{"provider", {{"virtualRouter", {{"virtualRouterName", "colors-router"}}}}}};
  json gateway_route = {
      {"httpRoute",
       {{"match", {{"prefix", "/"}}},
        {"action", {{"target", {{"virtualService", {{"virtualServiceName", "colors.local"}}}}}}}}}};
  json gateway_route2 = gateway_route;
  gateway_route2["httpRoute"]["match"]["prefix"] = "/colors";
  json route2 = HttpRouteSpec("colors-node", 100);
  route2["priority"] = 10;
  return {
      {"mesh",
       "mesh",
       "--mesh-name",
       "cli-mesh",
       "",
       "",
       json::object(),
       {{"egressFilter", {{"type", "ALLOW_ALL"}}}},
       "meshes"},
      {"virtual-node", "virtualNode", "--virtual-node-name", "colors-node", "", "", node, node2,
       "virtualNodes"},
      {"virtual-router", "virtualRouter", "--virtual-router-name", "colors-router", "", "",
       RouterSpec(8080, "http"), RouterSpec(8081, "http"), "virtualRouters"},
      {"virtual-gateway", "virtualGateway", "--virtual-gateway-name", "colors-gateway", "", "",
       gateway, gateway2, "virtualGateways"},
      {"virtual-service", "virtualService", "--virtual-service-name", "colors.local", "", "",
       service, json::object(), "virtualServices"},
      {"route", "route", "--route-name", "colors-route", "--virtual-router-name", "colors-router",
       HttpRouteSpec("colors-node"), route2, "routes"},
      {"gateway-route", "gatewayRoute", "--gateway-route-name", "colors-gateway-route",
       "--virtual-gateway-name", "colors-gateway", gateway_route, gateway_route2, "gatewayRoutes"},
  };
}

// `aws appmesh VERB-NOUN` naming the resource (or only its parent, for list).
AwsCall Call(const std::string& verb, const CliKind& kind, bool with_name = true) {
  std::string noun = verb == "list" ? kind.noun + (kind.noun == "mesh" ? "es" : "s") : kind.noun;
  AwsCall call{"frontend", {"appmesh", verb + "-" + noun}};
  if (kind.noun != "mesh") call.args.insert(call.args.end(), {"--mesh-name", "cli-mesh"});
  if (!kind.parent_flag.empty()) call.args.insert(call.args.end(), {kind.parent_flag, kind.parent});
  if (with_name && !(verb == "list"))
    call.args.insert(call.args.end(), {kind.name_flag, kind.name});
  return call;
}

AwsCall WithSpec(AwsCall call, const json& spec) {
  call.args.insert(call.args.end(), {"--spec", spec.dump()});
  return call;
}

// The calls of a test, run in one CLI batch; results by the index Add returned.
class Script {
 public:
  size_t Add(AwsCall call) {
    calls_.push_back(std::move(call));
    return calls_.size() - 1;
  }
  void Run(TestEmulator& t) {
    results_ = AwsBatch(t, calls_);
    for (size_t i = 0; i < results_.size(); ++i) {
      INFO(calls_[i].args[1] << ": " << results_[i].err << results_[i].out);
      REQUIRE(results_[i].exit_code == 0);
    }
  }
  json Json(size_t i) const { return results_[i].Json(); }

 private:
  std::vector<AwsCall> calls_;
  std::vector<CommandResult> results_;
};

}  // namespace

TEST_CASE("The AWS CLI creates, describes, updates, lists and deletes every App Mesh kind") {
  TestEmulator t;
  auto kinds = Kinds();  // mesh, node, router, gateway, service, route, gateway route
  std::string node_arn =
      "arn:aws:appmesh:us-west-2:111111111111:mesh/cli-mesh/virtualNode/colors-node";
  Script script;
  std::vector<size_t> created, described, updated, listed, deleted;
  for (size_t i = 0; i < kinds.size(); ++i) {  // in order of what each needs
    AwsCall call = Call("create", kinds[i]);
    created.push_back(script.Add(i == 0 ? call : WithSpec(call, kinds[i].spec)));
  }
  for (const auto& kind : kinds) described.push_back(script.Add(Call("describe", kind)));
  script.Add(
      {"frontend",
       {"appmesh", "tag-resource", "--resource-arn", node_arn, "--tags", "key=team,value=colors"}});
  for (const auto& kind : kinds) {
    updated.push_back(script.Add(WithSpec(Call("update", kind), kind.updated_spec)));
  }
  for (const auto& kind : kinds) listed.push_back(script.Add(Call("list", kind, false)));
  size_t tags =
      script.Add({"frontend", {"appmesh", "list-tags-for-resource", "--resource-arn", node_arn}});
  size_t untag =
      script.Add({"frontend",
                  {"appmesh", "untag-resource", "--resource-arn", node_arn, "--tag-keys", "team"}});
  // Deleting runs against the references: routes first, the mesh last.
  for (size_t i : {5, 6, 4, 3, 2, 1, 0}) deleted.push_back(script.Add(Call("delete", kinds[i])));
  size_t meshes = script.Add({"frontend", {"appmesh", "list-meshes"}});
  script.Run(t);

  for (size_t i = 0; i < kinds.size(); ++i) {
    const CliKind& kind = kinds[i];
    INFO(kind.noun);
    json c = script.Json(created[i])[kind.payload];
    CHECK(c["status"]["status"] == "ACTIVE");
    CHECK(c["metadata"]["version"] == 1);
    CHECK(c["metadata"]["meshOwner"] == kFrontendId);
    CHECK(c["metadata"]["resourceOwner"] == kFrontendId);
    CHECK(c["spec"] == kind.spec);
    json d = script.Json(described[i])[kind.payload];
    CHECK(d["metadata"]["arn"] == c["metadata"]["arn"]);
    CHECK(d["spec"] == kind.spec);
    json u = script.Json(updated[i])[kind.payload];
    CHECK(u["metadata"]["version"] == 2);
    CHECK(u["spec"] == kind.updated_spec);
    CHECK(u["metadata"]["uid"] == c["metadata"]["uid"]);
    json refs = script.Json(listed[i])[kind.list_member];
    REQUIRE(refs.size() == 1);
    CHECK(refs[0]["arn"] == c["metadata"]["arn"]);
    CHECK(refs[0]["version"] == 2);
  }
  for (size_t j = 0; j < deleted.size(); ++j) {
    const CliKind& kind = kinds[std::vector<size_t>{5, 6, 4, 3, 2, 1, 0}[j]];
    INFO(kind.noun);
    CHECK(script.Json(deleted[j])[kind.payload]["status"]["status"] == "DELETED");
  }
  CHECK(script.Json(tags)["tags"] == json::array({{{"key", "team"}, {"value", "colors"}}}));
  CHECK(script.Json(untag).is_discarded());  // untag-resource prints nothing
  CHECK(script.Json(meshes)["meshes"].empty());
}
