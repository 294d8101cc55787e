// Virtual gateways end to end: a gateway of the mesh owner (frontend) routes by its gateway
// routes to the walkthrough's appserver (backend, a RAM-shared mesh) over mutual TLS, answers
// Envoy's 404 when no gateway route matches, and Envoy's 503 when its client policy's trust
// does not verify the node.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "emulator/emulator.h"
#include "harness/control/data_plane.h"
#include "harness/proxy/proxy.h"
#include "tests/control/control_fixture.h"
#include "tests/proxy/test_app.h"
#include "tests/support/pca_fixture.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;
using proxy::testing::TestApp;

namespace {

constexpr char kGateway[] = "yelb-gateway";

// A PERMISSIVE listener on 8080 with the frontend's ACM certificate (so the gateway gets it
// delivered, yet a plaintext client gets in) and the mesh's client policy, presenting the
// "gateway-client" SDS certificate for mutual TLS.
json GatewaySpec(const TwoAccountMesh& m, json client_policy) {
  client_policy["tls"]["certificate"] = {{"sds", {{"secretName", "gateway-client"}}}};
  return {{"listeners",
           {{{"portMapping", {{"port", 8080}, {"protocol", "http"}}},
             {"tls",
              {{"mode", "PERMISSIVE"},
               {"certificate", {{"acm", {{"certificateArn", m.frontend_certificate}}}}}}}}}},
          {"backendDefaults", {{"clientPolicy", client_policy}}}};
}

// The walkthrough's nodes, the appserver asking for client certificates (trust by SDS), and a
// gateway whose one route sends "/api" to the appserver's virtual service.
void CreateGateway(TwoAccountMesh& m, const json& client_policy) {
  m.CreateWalkthroughNodes();
  json appserver = m.AppserverSpec();
  appserver["listeners"][0]["tls"]["validation"] = {
      {"trust", {{"sds", {{"secretName", "mesh-ca"}}}}}};
  MeshOk(m.t, "backend", "PUT", MeshPath(kMesh, "/virtualNodes/yelb-appserver"),
         {{"spec", appserver}}, kOwnerQuery);
  MeshOk(m.t, "frontend", "PUT", MeshPath(kMesh, "/virtualGateways"),
         {{"virtualGatewayName", kGateway}, {"spec", GatewaySpec(m, client_policy)}});
  json route = {
      {"httpRoute",
       {{"match", {{"prefix", "/api"}}},
        {"action",
         {{"target", {{"virtualService", {{"virtualServiceName", kAppserverService}}}}}}}}}};
  MeshOk(m.t, "frontend", "PUT",
         MeshPath(kMesh, std::string("/virtualGateway/") + kGateway + "/gatewayRoutes"),
         {{"gatewayRouteName", "api-to-appserver"}, {"spec", route}});
}

void AddGatewayRoute(TwoAccountMesh& m, const std::string& name, const json& match,
                     const json& rewrite) {
  json action = {{"target", {{"virtualService", {{"virtualServiceName", kAppserverService}}}}}};
  if (!rewrite.is_null()) action["rewrite"] = rewrite;
  json route = {{"httpRoute", {{"match", match}, {"action", action}}}};
  MeshOk(m.t, "frontend", "PUT",
         MeshPath(kMesh, std::string("/virtualGateway/") + kGateway + "/gatewayRoutes"),
         {{"gatewayRouteName", name}, {"spec", route}});
}

struct RunningGateway {
  explicit RunningGateway(TwoAccountMesh& m) {
    auto started = control::DataPlane::Start(m.t.emulator());
    REQUIRE(started.ok());
    plane = std::move(*started);

    json ca = BodyJson(m.t.JsonCall("backend", "acm-pca",
                                    "ACMPrivateCA.GetCertificateAuthorityCertificate",
                                    {{"CertificateAuthorityArn", m.ca_arn}}));
    REQUIRE(plane->secrets()
                .PushValidationContext("mesh-ca", ca["Certificate"].get<std::string>())
                .ok());
    REQUIRE(plane->secrets()
                .PushCertificate("gateway-client",
                                 ExportedClientCertificate(m, "frontend", m.frontend_certificate))
                .ok());

    auto appserver = plane->AddWorkload({.account = "backend",
                                         .mesh = kMesh,
                                         .mesh_owner = kFrontendId,
                                         .virtual_node = "yelb-appserver",
                                         .app_host = "127.0.0.1",
                                         .app_port = app.port()});
    INFO(appserver.status().ToString());
    REQUIRE(appserver.ok());
    auto info = plane->AddWorkload({.account = "frontend",
                                    .mesh = kMesh,
                                    .mesh_owner = kFrontendId,
                                    .virtual_gateway = kGateway});
    INFO(info.status().ToString());
    REQUIRE(info.ok());
    gateway = *info;
    REQUIRE(gateway.listeners.size() == 1);
  }

  std::optional<HttpReply> Get(const std::string& path) {
    return HttpCall(gateway.listeners[0].proxy, "GET", path, "yelb.example.com");
  }

  TestApp app{TestApp::Kind::kHttp, "appserver"};
  std::unique_ptr<control::DataPlane> plane;
  control::WorkloadInfo gateway;
};

}  // namespace

TEST_CASE("A gateway routes a request by its gateway route over mutual TLS to another account") {
  TwoAccountMesh m;
  CreateGateway(m, m.ClientPolicy());
  RunningGateway running(m);
  CHECK(running.gateway.node_address.rfind("127.0.1.", 0) == 0);
  CHECK(running.gateway.listeners[0].tls_mode == "PERMISSIVE");

  auto reply = running.Get("/api/getvotes");
  REQUIRE(reply);
  INFO(reply->body);
  CHECK(reply->status == 200);
  // App Mesh's default rewrite: the matched prefix "/api" becomes "/", the Host the service's.
  CHECK_THAT(reply->body, Catch::Contains("appserver got GET /getvotes"));
  CHECK(running.app.last_host() == kAppserverService);

  std::vector<control::Hop> hops = running.plane->HopsBetween(kGateway, "yelb-appserver");
  REQUIRE(hops.size() == 1);
  INFO(hops[0].report.Summary());
  CHECK(hops[0].cross_account);
  CHECK(hops[0].report.encrypted);
  CHECK(hops[0].report.client_cert_present);
  CHECK(running.plane->Problems().empty());
}

TEST_CASE("A gateway counts a routed request once, under its listener and the target cluster") {
  TwoAccountMesh m;
  CreateGateway(m, m.ClientPolicy());
  RunningGateway running(m);
  for (const char* path : {"/api/getvotes", "/api/getstats", "/elsewhere"}) {
    auto reply = running.Get(path);
    REQUIRE(reply);
  }

  std::shared_ptr<proxy::Proxy> gateway = running.plane->FindProxy(kGateway);
  REQUIRE(gateway);
  const std::string target = fmt::format("cluster.cds_egress_{}_yelb-appserver_http_4567.", kMesh);
  CHECK(gateway->StatValue("http.ingress.downstream_rq_total") == 3);
  CHECK(gateway->StatValue("http.ingress.downstream_rq_2xx") == 2);
  CHECK(gateway->StatValue("http.ingress.downstream_rq_4xx") == 1);
  CHECK(gateway->StatValue("http.ingress.no_route") == 1);
  CHECK(gateway->StatValue(target + "upstream_rq_total") == 2);
  CHECK(gateway->StatValue(target + "upstream_rq_2xx") == 2);

  // No second pass through the proxy: no app cluster, no routing port, no other HTTP prefix.
  const std::string stats = gateway->stats().RenderText();
  INFO(stats);
  CHECK_THAT(stats, !Catch::Contains("cds_ingress_"));
  CHECK_THAT(stats, !Catch::Contains("http.gateway_"));
  CHECK(gateway->Config().outbounds.empty());
}

TEST_CASE("A gateway rewrites the path and Host as each gateway route's rewrite says") {
  TwoAccountMesh m;
  CreateGateway(m, m.ClientPolicy());
  const json disabled = {{"defaultTargetHostname", "DISABLED"}};
  AddGatewayRoute(m, "keep", {{"prefix", "/keep"}},
                  {{"prefix", {{"defaultPrefix", "DISABLED"}}}, {"hostname", disabled}});
  AddGatewayRoute(m, "v1-to-v2", {{"prefix", "/v1/"}}, {{"prefix", {{"value", "/v2/"}}}});
  AddGatewayRoute(m, "old-to-new", {{"path", {{"exact", "/old"}}}},
                  {{"path", {{"exact", "/new"}}}, {"hostname", disabled}});
  AddGatewayRoute(m, "regex", {{"path", {{"regex", "/r[0-9]+"}}}}, nullptr);
  RunningGateway running(m);

  struct Case {
    const char* sent;
    const char* seen;  // the target the appserver gets
    const char* host;  // the Host it gets
  };
  const Case cases[] = {
      {"/api/getvotes?x=1", "/getvotes?x=1", kAppserverService},  // the defaults
      {"/api", "/", kAppserverService},
      {"/keep/a?b=c", "/keep/a?b=c", "yelb.example.com"},  // both defaults turned off
      {"/v1/items", "/v2/items", kAppserverService},
      {"/old?q", "/new?q", "yelb.example.com"},
      {"/r42", "/r42", kAppserverService},  // no prefix matched: the path is kept
  };
  for (const Case& c : cases) {
    INFO(c.sent);
    auto reply = running.Get(c.sent);
    REQUIRE(reply);
    CHECK(reply->status == 200);
    CHECK(reply->body == std::string("appserver got GET ") + c.seen + " body=");
    CHECK(running.app.last_host() == c.host);
  }
}

TEST_CASE("A gateway route matches on query parameters and a header's integer range") {
  TwoAccountMesh m;
  CreateGateway(m, m.ClientPolicy());
  json query = {{"prefix", "/q/"},
                {"queryParameters",
                 {{{"name", "version"}, {"match", {{"exact", "2"}}}}, {{"name", "debug"}}}}};
  AddGatewayRoute(m, "by-query", query, nullptr);
  json range = {
      {"prefix", "/n/"},
      {"headers", {{{"name", "x-tier"}, {"match", {{"range", {{"start", 1}, {"end", 3}}}}}}}}};
  AddGatewayRoute(m, "by-range", range, nullptr);
  RunningGateway running(m);

  struct Case {
    const char* target;
    const char* tier;  // the x-tier header, or null
    int status;
  };
  const Case cases[] = {
      {"/q/a?version=2&debug", nullptr, 200},
      {"/q/a?version=1&debug", nullptr, 404},
      {"/q/a?version=2", nullptr, 404},
      {"/n/a", "1", 200},
      {"/n/a", "3", 404},
      {"/n/a", nullptr, 404},
  };
  for (const Case& c : cases) {
    INFO(c.target << " x-tier=" << (c.tier ? c.tier : "none"));
    std::vector<std::pair<std::string, std::string>> headers;
    if (c.tier) headers.emplace_back("x-tier", c.tier);
    auto reply = HttpCall(running.gateway.listeners[0].proxy, "GET", c.target, "yelb.example.com",
                          "", std::chrono::seconds(10), headers);
    REQUIRE(reply);
    CHECK(reply->status == c.status);
  }
}

TEST_CASE("A gateway answers a request that matches no gateway route with Envoy's 404") {
  TwoAccountMesh m;
  CreateGateway(m, m.ClientPolicy());
  RunningGateway running(m);

  auto reply = running.Get("/elsewhere");
  REQUIRE(reply);
  CHECK(reply->status == 404);
  CHECK(reply->body.empty());
  for (const control::Hop& hop : running.plane->HopsBetween(kGateway, "yelb-appserver")) {
    CHECK(hop.report.connections.empty());  // nothing left the gateway
  }
}

// Regression (COVERAGE.md): the request fell through to the next gateway route when its
// gateway route matched but no route of the target service did; Envoy answers 404 at once.
TEST_CASE("A gateway answers 404 when its gateway route matches but no service route does") {
  TwoAccountMesh m;
  CreateGateway(m, m.ClientPolicy());
  // The appserver's only route now takes /getvotes...
  json service_route = HttpRouteSpec("yelb-appserver");
  service_route["httpRoute"]["match"]["prefix"] = "/getvotes";
  MeshOk(m.t, "backend", "PUT",
         MeshPath(kMesh, "/virtualRouter/yelb-appserver-router/routes/route-to-yelb-appserver"),
         {{"spec", service_route}}, kOwnerQuery);
  // ...and "api-to-appserver" (priority 0, /api -> /) comes before a gateway route that would
  // send /api/x on as /getvotes/x.
  const std::string routes = std::string("/virtualGateway/") + kGateway + "/gatewayRoutes";
  json first = {
      {"priority", 0},
      {"httpRoute",
       {{"match", {{"prefix", "/api"}}},
        {"action",
         {{"target", {{"virtualService", {{"virtualServiceName", kAppserverService}}}}}}}}}};
  MeshOk(m.t, "frontend", "PUT", MeshPath(kMesh, routes + "/api-to-appserver"), {{"spec", first}});
  json second = first;
  second["priority"] = 10;
  second["httpRoute"]["match"]["prefix"] = "/api/";
  second["httpRoute"]["action"]["rewrite"] = {{"prefix", {{"value", "/getvotes/"}}}};
  MeshOk(m.t, "frontend", "PUT", MeshPath(kMesh, routes),
         {{"gatewayRouteName", "api-as-votes"}, {"spec", second}});
  RunningGateway running(m);

  auto served = running.Get("/api/getvotes");
  REQUIRE(served);
  CHECK(served->status == 200);
  CHECK(served->body == "appserver got GET /getvotes body=");
  const size_t requests = running.app.requests();
  auto missed = running.Get("/api/other");
  REQUIRE(missed);
  CHECK(missed->status == 404);
  CHECK(running.app.requests() == requests);  // not sent on as /getvotes/other
}

TEST_CASE("A gateway whose client policy trusts another CA gets Envoy's 503 verify failure") {
  TwoAccountMesh m;
  std::string other_ca = CreateActiveRootCa(m.t, "frontend");  // did not sign the appserver's
  json policy = {
      {"tls",
       {{"enforce", true},
        {"validation", {{"trust", {{"acm", {{"certificateAuthorityArns", {other_ca}}}}}}}}}}};
  CreateGateway(m, policy);
  RunningGateway running(m);

  auto reply = running.Get("/api/getvotes");
  REQUIRE(reply);
  INFO(reply->body);
  CHECK(reply->status == 503);
  CHECK_THAT(reply->body, Catch::Contains("upstream connect error or disconnect/reset before "
                                          "headers") &&
                              Catch::Contains("CERTIFICATE_VERIFY_FAILED"));
}

TEST_CASE("A gateway's connectionPool queues requests to a cluster past maxConnections") {
  TwoAccountMesh m;
  CreateGateway(m, m.ClientPolicy());
  json spec = GatewaySpec(m, m.ClientPolicy());
  spec["listeners"][0]["connectionPool"] = {
      {"http", {{"maxConnections", 1}, {"maxPendingRequests", 1}}}};
  MeshOk(m.t, "frontend", "PUT", MeshPath(kMesh, std::string("/virtualGateways/") + kGateway),
         {{"spec", spec}});
  RunningGateway running(m);
  std::shared_ptr<proxy::Proxy> gateway = running.plane->FindProxy(kGateway);
  REQUIRE(gateway);
  const std::string target = fmt::format("cluster.cds_egress_{}_yelb-appserver_http_4567.", kMesh);
  const auto at_cluster = [&] { return gateway->StatValue(target + "upstream_rq_total"); };

  // The first holds the cluster's one turn for 1.5 s; the second waits for it; the third finds
  // the queue full.
  auto first = std::async(std::launch::async, [&] { return running.Get("/api/sleep/1500"); });
  for (int i = 0; i < 100 && at_cluster() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(at_cluster() == 1);
  auto second = std::async(std::launch::async, [&] { return running.Get("/api/second"); });
  // Counted as it arrives, on its way to the queue with no wait between.
  const auto arrived = [&] { return gateway->StatValue("http.ingress.downstream_rq_total"); };
  for (int i = 0; i < 250 && arrived() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(arrived() == 2);
  std::optional<HttpReply> third = running.Get("/api/third");

  REQUIRE(third);
  CHECK(third->status == 503);
  CHECK(third->body ==
        "upstream connect error or disconnect/reset before headers. reset reason: overflow");
  std::optional<HttpReply> first_reply = first.get();
  std::optional<HttpReply> second_reply = second.get();
  REQUIRE(first_reply);
  CHECK(first_reply->status == 200);
  REQUIRE(second_reply);
  CHECK(second_reply->status == 200);
  CHECK_THAT(second_reply->body, Catch::Contains("appserver got GET /second"));
  CHECK(gateway->StatValue(target + "upstream_rq_pending_overflow") == 1);
  CHECK(gateway->StatValue(target + "upstream_rq_pending_total") == 1);
  CHECK(at_cluster() == 2);  // the third never left
}
