// Spec validation as App Mesh did it: shapes (required members, unions, ranges, unknown
// members), references to other resources, route rules, deletes of resources still in use,
// names, paging and clientToken idempotency.
#include <catch2/catch.hpp>

#include "tests/appmesh/appmesh_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

// A mesh "rules" with: nodes n1 (http 8080) and n2 (tcp 6379), router r-http (http 8080),
// router r-two (http 8080 + grpc 9090), service svc (provider n1), route to-n1 in r-http,
// gateway gw (http 8080) with gateway route to-svc.
void MakeRulesMesh(TestEmulator& t) {
  CreateMesh(t, "frontend", "rules");
  CreateNode(t, "frontend", "rules", "n1", HttpNodeSpec(8080, "n1.local"));
  CreateNode(t, "frontend", "rules", "n2", TcpNodeSpec(6379, "n2.local"));
  MeshOk(t, "frontend", "PUT", MeshPath("rules", "/virtualRouters"),
         {{"virtualRouterName", "r-http"}, {"spec", RouterSpec(8080, "http")}});
  json two = RouterSpec(8080, "http");
  two["listeners"].push_back({{"portMapping", {{"port", 9090}, {"protocol", "grpc"}}}});
  MeshOk(t, "frontend", "PUT", MeshPath("rules", "/virtualRouters"),
         {{"virtualRouterName", "r-two"}, {"spec", two}});
  MeshOk(t, "frontend", "PUT", MeshPath("rules", "/virtualServices"),
         {{"virtualServiceName", "svc"},
          {"spec", {{"provider", {{"virtualNode", {{"virtualNodeName", "n1"}}}}}}}});
  MeshOk(t, "frontend", "PUT", MeshPath("rules", "/virtualRouter/r-http/routes"),
         {{"routeName", "to-n1"}, {"spec", HttpRouteSpec("n1")}});
  MeshOk(t, "frontend", "PUT", MeshPath("rules", "/virtualGateways"),
         {{"virtualGatewayName", "gw"},
          {"spec", {{"listeners", {{{"portMapping", {{"port", 8080}, {"protocol", "http"}}}}}}}}});
  MeshOk(t, "frontend", "PUT", MeshPath("rules", "/virtualGateway/gw/gatewayRoutes"),
         {{"gatewayRouteName", "to-svc"},
          {"spec",
           {{"httpRoute",
             {{"match", {{"prefix", "/"}}},
              {"action", {{"target", {{"virtualService", {{"virtualServiceName", "svc"}}}}}}}}}}}});
}

struct Case {
  std::string name;
  std::string method;
  std::string path;  // under /v20190125/meshes/rules
  json body;
  int status;
  std::string code;
  std::string message;  // a part of the message
  std::string query = "";
};

json Node(json spec) { return {{"virtualNodeName", "new-node"}, {"spec", std::move(spec)}}; }
json Route(json spec) { return {{"routeName", "new-route"}, {"spec", std::move(spec)}}; }

json WithListener(const json& patch) {
  json spec = HttpNodeSpec(8080, "new.local");
  spec["listeners"][0].merge_patch(patch);
  return spec;
}

json TargetsSpec(size_t count, int weight) {
  json targets = json::array();
  for (size_t i = 0; i < count; ++i)
    targets.push_back(
        {{"virtualNode", "n1"}, {"weight", weight}, {"port", 8080 + static_cast<int>(i)}});
  return {
      {"httpRoute", {{"match", {{"prefix", "/"}}}, {"action", {{"weightedTargets", targets}}}}}};
}

std::vector<Case> Cases() {
  json both_discovery = HttpNodeSpec(8080, "x.local");
  both_discovery["serviceDiscovery"]["awsCloudMap"] = {{"namespaceName", "ns"},
                                                       {"serviceName", "x"}};
  json two_listeners = HttpNodeSpec(8080, "x.local");
  two_listeners["listeners"].push_back(two_listeners["listeners"][0]);
  json duplicate_backends = HttpNodeSpec(8080, "x.local");
  duplicate_backends["backends"] = {{{"virtualService", {{"virtualServiceName", "svc"}}}},
                                    {{"virtualService", {{"virtualServiceName", "svc"}}}}};
  json no_discovery = HttpNodeSpec(8080, "x.local");
  no_discovery.erase("serviceDiscovery");
  json tcp_route = {
      {"tcpRoute", {{"action", {{"weightedTargets", {{{"virtualNode", "n2"}, {"weight", 1}}}}}}}}};
  json two_kinds = HttpRouteSpec("n1");
  two_kinds["tcpRoute"] = tcp_route["tcpRoute"];
  json no_slash = HttpRouteSpec("n1");
  no_slash["httpRoute"]["match"]["prefix"] = "api";
  json priority = HttpRouteSpec("n1");
  priority["priority"] = 1001;
  json null_weight = HttpRouteSpec("n1");
  null_weight["httpRoute"]["action"]["weightedTargets"][0]["weight"] = nullptr;
  json empty_range = HttpRouteSpec("n1");
  empty_range["httpRoute"]["match"]["headers"] = {
      {{"name", "x-n"}, {"match", {{"range", {{"start", 5}, {"end", 5}}}}}}};
  json bad_path_regex = HttpRouteSpec("n1");
  bad_path_regex["httpRoute"]["match"].erase("prefix");
  bad_path_regex["httpRoute"]["match"]["path"] = {{"regex", "(("}};
  // Envoy (and the sidecars) match with RE2, which has no backreferences.
  json backreference = HttpRouteSpec("n1");
  backreference["httpRoute"]["match"].erase("prefix");
  backreference["httpRoute"]["match"]["path"] = {{"regex", "/(a)\\1"}};
  json bad_header_regex = HttpRouteSpec("n1");
  bad_header_regex["httpRoute"]["match"]["headers"] = {
      {{"name", "x-n"}, {"match", {{"regex", "[a-"}}}}};
  json grpc_range = {
      {"grpcRoute",
       {{"match",
         {{"serviceName", "s"},
          {"metadata", {{{"name", "x-n"}, {"match", {{"range", {{"start", 9}, {"end", 2}}}}}}}}}},
        {"action", {{"weightedTargets", {{{"virtualNode", "n1"}, {"weight", 1}}}}}}}}};
  json grpc_retry = grpc_range;
  grpc_retry["grpcRoute"]["match"].erase("metadata");
  grpc_retry["grpcRoute"]["retryPolicy"] = {{"maxRetries", 1},
                                            {"perRetryTimeout", {{"unit", "ms"}, {"value", 100}}},
                                            {"grpcRetryEvents", {"unavailable", "aborted"}}};
  json tls = json::parse(R"({"tls": {"mode": "STRICT", "protocol": "TLSv1.2",
      "certificate": {"file": {"certificateChain": "/c", "privateKey": "/k"}}}})");
  json timeout = json::parse(R"({"timeout": {"http2": {"idle": {"unit": "s", "value": 5}}}})");
  json port_string = HttpNodeSpec(8080, "x.local");
  port_string["listeners"][0]["portMapping"]["port"] = "8080";

  json twice_tagged = Node(HttpNodeSpec(8080, "new.local"));
  twice_tagged["tags"] = {{{"key", "team"}, {"value", "a"}}, {{"key", "team"}, {"value", "b"}}};

  return {
      {"a tag key given twice", "PUT", "/virtualNodes", twice_tagged, 400, "BadRequestException",
       "tags: the key 'team' appears twice"},
      {"an unknown member names its path", "PUT", "/virtualNodes", Node(WithListener(tls)), 400,
       "BadRequestException", "spec.listeners[0].tls.protocol"},
      {"service discovery sets both dns and awsCloudMap", "PUT", "/virtualNodes",
       Node(both_discovery), 400, "BadRequestException",
       "spec.serviceDiscovery must set exactly one of awsCloudMap, dns"},
      {"service discovery sets nothing", "PUT", "/virtualNodes",
       Node({{"serviceDiscovery", json::object()}}), 400, "BadRequestException", "it sets none"},
      {"port 0 is out of range", "PUT", "/virtualNodes",
       Node(WithListener({{"portMapping", {{"port", 0}}}})), 400, "BadRequestException",
       "spec.listeners[0].portMapping.port is 0; it must be between 1 and 65535"},
      {"port 65536 is out of range", "PUT", "/virtualNodes",
       Node(WithListener({{"portMapping", {{"port", 65536}}}})), 400, "BadRequestException",
       "between 1 and 65535"},
      {"a port must be an integer", "PUT", "/virtualNodes", Node(port_string), 400,
       "BadRequestException", "spec.listeners[0].portMapping.port must be an integer"},
      {"an unknown protocol", "PUT", "/virtualNodes",
       Node(WithListener({{"portMapping", {{"protocol", "https"}}}})), 400, "BadRequestException",
       "it must be one of http, tcp, http2, grpc"},
      {"a listener needs a port mapping", "PUT", "/virtualNodes",
       Node({{"listeners", json::array({json::object()})}}), 400, "BadRequestException",
       "spec.listeners[0].portMapping is required"},
      {"listeners need service discovery", "PUT", "/virtualNodes", Node(no_discovery), 400,
       "BadRequestException", "spec.serviceDiscovery is required"},
      {"two listeners on one port", "PUT", "/virtualNodes", Node(two_listeners), 400,
       "BadRequestException", "each listener needs its own port"},
      {"a backend named twice", "PUT", "/virtualNodes", Node(duplicate_backends), 400,
       "BadRequestException", "spec.backends[1]"},
      {"a timeout of another protocol", "PUT", "/virtualNodes", Node(WithListener(timeout)), 400,
       "BadRequestException", "but the listener's protocol is http"},
      {"a name taken in the mesh",
       "PUT",
       "/virtualNodes",
       {{"virtualNodeName", "n1"}, {"spec", HttpNodeSpec(8080, "n1.local")}},
       409,
       "ConflictException",
       "VirtualNode with name n1 already exists in mesh rules"},
      {"a name with a slash",
       "PUT",
       "/virtualNodes",
       {{"virtualNodeName", "a/b"}, {"spec", json::object()}},
       400,
       "BadRequestException",
       "is not valid"},
      {"a name with a NUL",
       "PUT",
       "/virtualNodes",
       {{"virtualNodeName", std::string("zz") + '\0' + "null"}, {"spec", json::object()}},
       400,
       "BadRequestException",
       "holds the control character 0x00 at position 2"},
      {"an empty DNS hostname",
       "PUT",
       "/virtualNodes",
       {{"virtualNodeName", "x"}, {"spec", HttpNodeSpec(8080, "")}},
       400,
       "BadRequestException",
       "spec.serviceDiscovery.dns.hostname '' is not a DNS name"},
      {"a DNS hostname with a space",
       "PUT",
       "/virtualNodes",
       {{"virtualNodeName", "x"}, {"spec", HttpNodeSpec(8080, "bad host!")}},
       400,
       "BadRequestException",
       "'bad host!' is not a DNS name"},
      {"create without a spec",
       "PUT",
       "/virtualNodes",
       {{"virtualNodeName", "x"}},
       400,
       "BadRequestException",
       "'spec' is missing"},
      {"an unknown body member",
       "PUT",
       "/virtualNodes",
       {{"virtualNodeName", "x"}, {"spec", json::object()}, {"meshOwner", "111111111111"}},
       400,
       "BadRequestException",
       "unknown member 'meshOwner'"},
      {"a provider that does not exist",
       "PUT",
       "/virtualServices",
       {{"virtualServiceName", "ghost.local"},
        {"spec", {{"provider", {{"virtualNode", {{"virtualNodeName", "ghost"}}}}}}}},
       404,
       "NotFoundException",
       "VirtualNode with name ghost is not present under mesh rules"},
      {"a provider union with nothing set",
       "PUT",
       "/virtualServices",
       {{"virtualServiceName", "x.local"}, {"spec", {{"provider", json::object()}}}},
       400,
       "BadRequestException",
       "spec.provider must set exactly one of virtualNode, virtualRouter"},
      {"a route with no route kind", "PUT", "/virtualRouter/r-http/routes",
       Route({{"priority", 1}}), 400, "BadRequestException",
       "spec must set exactly one of grpcRoute, http2Route, httpRoute, tcpRoute; it sets none"},
      {"a route with two route kinds", "PUT", "/virtualRouter/r-http/routes", Route(two_kinds), 400,
       "BadRequestException", "it sets httpRoute and tcpRoute"},
      {"a tcp route on an http router", "PUT", "/virtualRouter/r-http/routes", Route(tcp_route),
       400, "BadRequestException",
       "does not match the protocol of VirtualRouter r-http's listener on port 8080 (http); a "
       "http listener serves spec.httpRoute"},
      {"a route target that does not exist", "PUT", "/virtualRouter/r-http/routes",
       Route(HttpRouteSpec("ghost")), 404, "NotFoundException",
       "VirtualNode with name ghost is not present"},
      {"a weight above 100", "PUT", "/virtualRouter/r-http/routes", Route(HttpRouteSpec("n1", 101)),
       400, "BadRequestException",
       "weightedTargets[0].weight is 101; it must be between 0 and 100"},
      {"a negative weight", "PUT", "/virtualRouter/r-http/routes", Route(HttpRouteSpec("n1", -1)),
       400, "BadRequestException", "between 0 and 100"},
      {"a null weight", "PUT", "/virtualRouter/r-http/routes", Route(null_weight), 400,
       "BadRequestException", "weightedTargets[0].weight must be an integer, got null"},
      {"no weighted targets", "PUT", "/virtualRouter/r-http/routes", Route(TargetsSpec(0, 1)), 400,
       "BadRequestException", "has 0 items; it must have between 1 and 10"},
      {"eleven weighted targets", "PUT", "/virtualRouter/r-http/routes", Route(TargetsSpec(11, 1)),
       400, "BadRequestException", "has 11 items"},
      {"a priority above 1000", "PUT", "/virtualRouter/r-http/routes", Route(priority), 400,
       "BadRequestException", "spec.priority is 1001; it must be between 0 and 1000"},
      {"a header range that is empty", "PUT", "/virtualRouter/r-http/routes", Route(empty_range),
       400, "BadRequestException",
       "spec.httpRoute.match.headers[0].match.range: start must be below end"},
      {"a path regex that does not compile", "PUT", "/virtualRouter/r-http/routes",
       Route(bad_path_regex), 400, "BadRequestException",
       "spec.httpRoute.match.path.regex '((' does not compile"},
      {"a path regex with a backreference, which RE2 has not", "PUT",
       "/virtualRouter/r-http/routes", Route(backreference), 400, "BadRequestException",
       "spec.httpRoute.match.path.regex '/(a)\\1' does not compile: invalid escape sequence"},
      {"a header regex that does not compile", "PUT", "/virtualRouter/r-http/routes",
       Route(bad_header_regex), 400, "BadRequestException",
       "spec.httpRoute.match.headers[0].match.regex '[a-' does not compile"},
      {"a gRPC metadata range that is reversed", "PUT", "/virtualRouter/r-two/routes",
       Route(grpc_range), 400, "BadRequestException",
       "spec.grpcRoute.match.metadata[0].match.range: start must be below end"},
      {"a gRPC retry event App Mesh does not know (the known ones pass)", "PUT",
       "/virtualRouter/r-two/routes", Route(grpc_retry), 400, "BadRequestException",
       "spec.grpcRoute.retryPolicy.grpcRetryEvents[1] is 'aborted'; it must be one of "
       "cancelled, deadline-exceeded, internal, resource-exhausted, unavailable"},
      {"a prefix without a slash", "PUT", "/virtualRouter/r-http/routes", Route(no_slash), 400,
       "BadRequestException", "it must start with /"},
      {"no port match on a router with two listeners", "PUT", "/virtualRouter/r-two/routes",
       Route(HttpRouteSpec("n1")), 400, "BadRequestException",
       "Route must define a port match criteria if the Virtual Router has multiple listeners"},
      {"a route in a router that does not exist", "PUT", "/virtualRouter/ghost/routes",
       Route(HttpRouteSpec("n1")), 404, "NotFoundException",
       "VirtualRouter with name ghost is not present"},
      {"a gateway route to a service that does not exist",
       "PUT",
       "/virtualGateway/gw/gatewayRoutes",
       {{"gatewayRouteName", "x"},
        {"spec",
         {{"httpRoute",
           {{"match", {{"prefix", "/"}}},
            {"action", {{"target", {{"virtualService", {{"virtualServiceName", "ghost"}}}}}}}}}}}},
       404,
       "NotFoundException",
       "VirtualService with name ghost is not present"},
      {"a tcp gateway route",
       "PUT",
       "/virtualGateway/gw/gatewayRoutes",
       {{"gatewayRouteName", "x"}, {"spec", tcp_route}},
       400,
       "BadRequestException",
       "Unknown member spec.tcpRoute"},
      {"a second router listener while a route has no port match",
       "PUT",
       "/virtualRouters/r-http",
       {{"spec",
         {{"listeners",
           {{{"portMapping", {{"port", 8080}, {"protocol", "http"}}}},
            {{"portMapping", {{"port", 8081}, {"protocol", "http"}}}}}}}}},
       400,
       "BadRequestException",
       "All Routes for this Virtual Router must define a port match before adding multiple "
       "listeners to this Virtual Router. 1 Route(s) are missing port. Listing up to 5 route "
       "names: [to-n1]"},
      {"deleting a node that provides a service", "DELETE", "/virtualNodes/n1", nullptr, 409,
       "ResourceInUseException", "VirtualService svc"},
      {"deleting a router with routes", "DELETE", "/virtualRouters/r-http", nullptr, 409,
       "ResourceInUseException", "Route to-n1 of r-http"},
      {"deleting a gateway with gateway routes", "DELETE", "/virtualGateways/gw", nullptr, 409,
       "ResourceInUseException", "GatewayRoute to-svc of gw"},
      {"deleting a mesh that is not empty", "DELETE", "", nullptr, 409, "ResourceInUseException",
       "Mesh rules is not empty"},
      {"describing a node that does not exist", "GET", "/virtualNodes/ghost", nullptr, 404,
       "NotFoundException",
       "VirtualNode with name ghost is not present under mesh rules for "
       "account 111111111111"},
      {"a limit of 0", "GET", "/virtualNodes", nullptr, 400, "BadRequestException",
       "limit is 0; it must be between 1 and 100", "limit=0"},
      {"a limit of 101", "GET", "/virtualNodes", nullptr, 400, "BadRequestException",
       "limit is 101", "limit=101"},
      {"a nextToken this service did not issue", "GET", "/virtualNodes", nullptr, 400,
       "BadRequestException", "was not issued by this service", "nextToken=zz"},
      {"a meshOwner that is not an account id", "GET", "/virtualNodes", nullptr, 400,
       "BadRequestException", "is not an AWS account id", "meshOwner=frontend"},
  };
}

}  // namespace

TEST_CASE("App Mesh refuses invalid specs, references and deletes as the service did") {
  TestEmulator t;
  MakeRulesMesh(t);
  for (const auto& c : Cases()) {
    INFO(c.name);
    ApiError error = MeshFails(t, "frontend", c.method, MeshPath("rules", c.path), c.body, c.query);
    CHECK(error.status == c.status);
    CHECK(error.code == c.code);
    CHECK_THAT(error.message, Catch::Contains(c.message));
  }
}

TEST_CASE("Lists come in pages of limit with a nextToken until the last") {
  TestEmulator t;
  CreateMesh(t, "frontend", "paged");
  for (int i = 0; i < 5; ++i) {
    CreateNode(t, "frontend", "paged", "node-" + std::to_string(i), json::object());
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    json page = MeshOk(t, "frontend", "GET", MeshPath("paged", "/virtualNodes"), nullptr,
                       "limit=2" + (token.empty() ? "" : "&nextToken=" + token));
    for (const auto& ref : page["virtualNodes"]) seen.push_back(ref["virtualNodeName"]);
    token = page.value("nextToken", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  CHECK(pages == 3);
  CHECK(seen == std::vector<std::string>{"node-0", "node-1", "node-2", "node-3", "node-4"});
}

TEST_CASE("A nextToken fits only the listing that issued it") {
  TestEmulator t;
  CreateMesh(t, "frontend", "paged");
  CreateMesh(t, "frontend", "other");
  for (int i = 0; i < 3; ++i) {
    CreateNode(t, "frontend", "paged", "node-" + std::to_string(i), json::object());
  }
  json first = MeshOk(t, "frontend", "GET", MeshPath("paged", "/virtualNodes"), nullptr, "limit=1");
  const std::string token = first.value("nextToken", "");
  REQUIRE_FALSE(token.empty());

  ApiError other_mesh = MeshFails(t, "frontend", "GET", MeshPath("other", "/virtualNodes"), nullptr,
                                  "nextToken=" + token);
  ApiError other_kind = MeshFails(t, "frontend", "GET", MeshPath("paged", "/virtualServices"),
                                  nullptr, "nextToken=" + token);

  CHECK(other_mesh.code == "BadRequestException");
  CHECK_THAT(other_mesh.message, Catch::Contains("was issued for another listing"));
  CHECK(other_kind.code == "BadRequestException");
  json next = MeshOk(t, "frontend", "GET", MeshPath("paged", "/virtualNodes"), nullptr,
                     "limit=1&nextToken=" + token);
  CHECK(next["virtualNodes"][0]["virtualNodeName"] == "node-1");
}

TEST_CASE("A clientToken repeats an answer for the same request and conflicts for another") {
  TestEmulator t;
  CreateMesh(t, "frontend", "tokens");
  json body = {
      {"virtualNodeName", "n"}, {"spec", HttpNodeSpec(80, "n.local")}, {"clientToken", "token-1"}};
  json first = MeshOk(t, "frontend", "PUT", MeshPath("tokens", "/virtualNodes"), body);
  json again = MeshOk(t, "frontend", "PUT", MeshPath("tokens", "/virtualNodes"), body);
  CHECK(again["metadata"]["uid"] == first["metadata"]["uid"]);
  CHECK(again["metadata"]["version"] == 1);

  body["spec"] = HttpNodeSpec(81, "n.local");
  ApiError conflict = MeshFails(t, "frontend", "PUT", MeshPath("tokens", "/virtualNodes"), body);
  CHECK(conflict.status == 409);
  CHECK(conflict.code == "ConflictException");
  CHECK_THAT(conflict.message, Catch::Contains("client token"));

  json update = {{"spec", HttpNodeSpec(82, "n.local")}, {"clientToken", "token-2"}};
  json updated = MeshOk(t, "frontend", "PUT", MeshPath("tokens", "/virtualNodes/n"), update);
  json replayed = MeshOk(t, "frontend", "PUT", MeshPath("tokens", "/virtualNodes/n"), update);
  CHECK(updated["metadata"]["version"] == 2);
  CHECK(replayed["metadata"]["version"] == 2);
}

TEST_CASE("Updates count versions, move lastUpdatedAt with the clock and keep createdAt") {
  TestEmulator t;
  CreateMesh(t, "frontend", "versions");
  json created = CreateNode(t, "frontend", "versions", "n", HttpNodeSpec(80, "n.local"));
  REQUIRE(t.emulator().AdvanceClock(std::chrono::hours(24)).ok());
  json updated = MeshOk(t, "frontend", "PUT", MeshPath("versions", "/virtualNodes/n"),
                        {{"spec", HttpNodeSpec(81, "n.local")}});
  CHECK(updated["metadata"]["version"] == 2);
  CHECK(updated["metadata"]["createdAt"] == created["metadata"]["createdAt"]);
  double moved = updated["metadata"]["lastUpdatedAt"].get<double>() -
                 created["metadata"]["lastUpdatedAt"].get<double>();
  CHECK(moved >= 86400.0);
  CHECK(moved < 86400.0 + 60);
}
