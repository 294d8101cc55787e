// Rendering proxy configurations from App Mesh state: the walkthrough's shared mesh loaded
// through the emulator's API as the two accounts, and hand-built meshes for the policy rules.
#include <catch2/catch.hpp>

#include "emulator/emulator.h"
#include "harness/control/gateway_renderer.h"
#include "harness/control/node_renderer.h"
#include "harness/control/secret_delivery.h"
#include "harness/proxy/config_json.h"
#include "tests/control/control_fixture.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

control::MeshView ReadWalkthroughMesh(TwoAccountMesh& m) {
  auto contents = m.t.emulator().Call("frontend", "", [&](const CallContext&) {
    return appmesh::ReadMesh(m.t.emulator().store(), kFrontendId, "us-west-2", kMesh);
  });
  REQUIRE(contents.ok());
  return control::MeshView(std::move(*contents));
}

appmesh::Resource MakeResource(appmesh::Kind kind, const std::string& name,
                               const std::string& owner, json spec,
                               const std::string& parent = "") {
  appmesh::Resource r;
  r.id = {.mesh_owner = kFrontendId,
          .region = "us-west-2",
          .mesh = "m",
          .kind = kind,
          .parent = parent,
          .name = name};
  r.arn = appmesh::ArnOf(r.id);
  r.resource_owner = owner;
  r.spec = std::move(spec);
  return r;
}

const proxy::Cluster* FindCluster(const proxy::ProxyConfig& config, const std::string& name) {
  for (const proxy::Cluster& cluster : config.clusters) {
    if (cluster.name == name) return &cluster;
  }
  return nullptr;
}

const control::SecretNeed* FindNeed(const control::RenderedNode& node,
                                    control::SecretNeed::Kind kind) {
  for (const control::SecretNeed& need : node.secrets) {
    if (need.kind == kind) return &need;
  }
  return nullptr;
}

constexpr char kCa[] = "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/ca-1";

json AcmTrustPolicy() {
  return {{"tls", {{"validation", {{"trust", {{"acm", {{"certificateAuthorityArns", {kCa}}}}}}}}}}};
}

}  // namespace

TEST_CASE("The walkthrough's ui renders its cross-account backend through the router") {
  TwoAccountMesh m;
  m.CreateWalkthroughNodes();
  control::MeshView mesh = ReadWalkthroughMesh(m);

  auto ui = control::RenderNode(mesh, "yelb-ui", {.node_address = "127.0.1.10"});
  REQUIRE(ui.ok());
  const proxy::ProxyConfig& config = ui->config;
  CHECK(proxy::ValidateConfig(config).ok());
  CHECK(ui->owner == kFrontendId);
  CHECK(ui->discovery_name == "yelb-ui.example.com");

  REQUIRE(config.listeners.size() == 1);
  const proxy::Listener& listener = config.listeners[0];
  CHECK(listener.address == "127.0.1.10");
  CHECK(listener.app_cluster == "cds_ingress_am-multi-account-mesh_yelb-ui_http_8080");
  REQUIRE(listener.tls);
  CHECK(listener.tls->mode == proxy::TlsMode::kStrict);
  CHECK(listener.tls->certificate_secret == m.frontend_certificate);

  // One port for the declared backend and the HTTP proxy port.
  REQUIRE(config.outbounds.size() == 2);
  CHECK(config.outbounds[0].virtual_service == kAppserverService);
  CHECK(config.outbounds[1].kind == proxy::OutboundKind::kHttpProxy);

  REQUIRE(config.virtual_services.size() == 1);
  const proxy::VirtualService& service = config.virtual_services[0];
  REQUIRE(service.routes.size() == 1);
  const proxy::Route& route = service.routes[0];
  CHECK(route.name == "route-to-yelb-appserver");
  REQUIRE(route.retry);
  CHECK(route.retry->max_retries == 2);
  CHECK(route.retry->per_retry_timeout == std::chrono::milliseconds(2000));
  CHECK(route.retry->http_events ==
        std::vector{proxy::HttpRetryEvent::kServerError, proxy::HttpRetryEvent::kGatewayError});
  REQUIRE(route.targets.size() == 1);
  const std::string cluster_name = "cds_egress_am-multi-account-mesh_yelb-appserver_http_4567";
  CHECK(route.targets[0].cluster == cluster_name);

  const proxy::Cluster* cluster = FindCluster(config, cluster_name);
  REQUIRE(cluster);
  CHECK(cluster->mesh_port == 4567);
  CHECK(cluster->source_address == "127.0.1.10");  // as a pod's connections leave from its IP
  REQUIRE(cluster->tls_policy);
  CHECK(cluster->tls_policy->enforce);
  REQUIRE(cluster->tls_policy->validation);
  // The trust is the ui's own account's view of the shared CA; the SAN rule falls back to the
  // target's Cloud Map name.
  CHECK(cluster->tls_policy->validation->trust_secret ==
        control::AcmTrustSecretName(kFrontendId, {m.ca_arn}));
  CHECK(cluster->tls_policy->validation->discovery_name == "yelb-appserver.example.com");
  CHECK(cluster->target_tls.mode == proxy::TlsMode::kStrict);
  REQUIRE(cluster->target_tls.auto_validation);
  CHECK(cluster->target_tls.auto_validation->trust_secret ==
        control::AcmRootSecretName(m.backend_certificate));

  const control::SecretNeed* own = FindNeed(*ui, control::SecretNeed::Kind::kAcmCertificate);
  REQUIRE(own);
  CHECK(own->account == kFrontendId);
  const control::SecretNeed* trust = FindNeed(*ui, control::SecretNeed::Kind::kAcmTrust);
  REQUIRE(trust);
  CHECK(trust->account == kFrontendId);
  CHECK(trust->arns == std::vector<std::string>{m.ca_arn});

  // The backend's node in the frontend's mesh exports its certificate as the backend.
  auto appserver = control::RenderNode(mesh, "yelb-appserver", {.node_address = "127.0.2.10"});
  REQUIRE(appserver.ok());
  const control::SecretNeed* backend_own =
      FindNeed(*appserver, control::SecretNeed::Kind::kAcmCertificate);
  REQUIRE(backend_own);
  CHECK(backend_own->name == m.backend_certificate);
  CHECK(backend_own->account == kBackendId);
  CHECK(appserver->config.outbounds.empty());
}

TEST_CASE("A listener certificate of another account is refused naming the node and the ARN") {
  const std::string frontend_cert =
      "arn:aws:acm:us-west-2:111111111111:certificate/11111111-2222-3333-4444-555555555555";
  json spec = {{"listeners",
                {{{"portMapping", {{"port", 4567}, {"protocol", "http"}}},
                  {"tls",
                   {{"mode", "STRICT"},
                    {"certificate", {{"acm", {{"certificateArn", frontend_cert}}}}}}}}}}};
  appmesh::MeshContents contents;
  contents.mesh = MakeResource(appmesh::Kind::kMesh, "m", kFrontendId, json::object());
  contents.virtual_nodes.push_back(
      MakeResource(appmesh::Kind::kVirtualNode, "appserver", kBackendId, spec));

  auto rendered = control::RenderNode(control::MeshView(contents), "appserver", {});
  REQUIRE_FALSE(rendered.ok());
  CHECK(rendered.status().code() == "AccessDeniedException");
  CHECK_THAT(rendered.status().message(), Catch::Contains("virtual node appserver") &&
                                              Catch::Contains(frontend_cert) &&
                                              Catch::Contains("own account"));
}

TEST_CASE("A virtual node naming an unknown certificate ARN fails with the node and the ARN") {
  TestEmulator t;
  const std::string unknown =
      "arn:aws:acm:us-west-2:222222222222:certificate/00000000-0000-0000-0000-000000000000";
  json spec = {
      {"listeners",
       {{{"portMapping", {{"port", 6379}, {"protocol", "tcp"}}},
         {"tls",
          {{"mode", "STRICT"}, {"certificate", {{"acm", {{"certificateArn", unknown}}}}}}}}}}};
  appmesh::MeshContents contents;
  contents.mesh = MakeResource(appmesh::Kind::kMesh, "m", kFrontendId, json::object());
  contents.virtual_nodes.push_back(
      MakeResource(appmesh::Kind::kVirtualNode, "redis-server", kBackendId, spec));
  auto rendered = control::RenderNode(control::MeshView(contents), "redis-server", {});
  REQUIRE(rendered.ok());

  proxy::SecretStore store;
  control::SecretDelivery delivery(t.emulator(), store, std::chrono::seconds(0), false);
  Status checked = delivery.CheckNode(*rendered);
  CHECK(checked.code() == "ResourceNotFoundException");
  CHECK_THAT(checked.message(),
             Catch::Contains("virtual node redis-server") && Catch::Contains(unknown));
}

TEST_CASE(
    "A per-backend client policy replaces backendDefaults and keeps ports, enforce and SANs") {
  json tcp_listener = {
      {"portMapping", {{"port", 6379}, {"protocol", "tcp"}}},
      {"tls",
       {{"mode", "PERMISSIVE"}, {"certificate", {{"sds", {{"secretName", "redis-cert"}}}}}}}};
  json own_policy = {
      {"tls",
       {{"enforce", false},
        {"ports", {6379}},
        {"certificate", {{"file", {{"certificateChain", "/c.pem"}, {"privateKey", "/k.pem"}}}}},
        {"validation",
         {{"trust", {{"file", {{"certificateChain", "/ca.pem"}}}}},
          {"subjectAlternativeNames", {{"match", {{"exact", {"redis.example.com"}}}}}}}}}}};
  json client = {
      {"listeners", {{{"portMapping", {{"port", 4567}, {"protocol", "http"}}}}}},
      {"backends",
       {{{"virtualService", {{"virtualServiceName", "redis"}, {"clientPolicy", own_policy}}}},
        {{"virtualService", {{"virtualServiceName", "db"}}}}}},
      {"backendDefaults", {{"clientPolicy", AcmTrustPolicy()}}}};

  appmesh::MeshContents contents;
  contents.mesh = MakeResource(appmesh::Kind::kMesh, "m", kFrontendId, json::object());
  contents.virtual_nodes = {
      MakeResource(appmesh::Kind::kVirtualNode, "app", kBackendId, client),
      MakeResource(appmesh::Kind::kVirtualNode, "db-node", kBackendId,
                   {{"listeners", {{{"portMapping", {{"port", 5432}, {"protocol", "tcp"}}}}}},
                    {"serviceDiscovery", {{"dns", {{"hostname", "db.example.com"}}}}}}),
      MakeResource(appmesh::Kind::kVirtualNode, "redis-node", kBackendId,
                   {{"listeners", {tcp_listener}}})};
  // Both services are provided directly by their nodes (no router).
  contents.virtual_services = {
      MakeResource(appmesh::Kind::kVirtualService, "db", kBackendId,
                   {{"provider", {{"virtualNode", {{"virtualNodeName", "db-node"}}}}}}),
      MakeResource(appmesh::Kind::kVirtualService, "redis", kBackendId,
                   {{"provider", {{"virtualNode", {{"virtualNodeName", "redis-node"}}}}}})};

  auto rendered = control::RenderNode(control::MeshView(contents), "app", {});
  REQUIRE(rendered.ok());
  const proxy::ProxyConfig& config = rendered->config;
  CHECK(proxy::ValidateConfig(config).ok());
  // Only TCP backends: no HTTP proxy port.
  CHECK(config.outbounds.size() == 2);

  const proxy::Cluster* redis = FindCluster(config, "cds_egress_m_redis-node_tcp_6379");
  REQUIRE(redis);
  REQUIRE(redis->tls_policy);
  CHECK_FALSE(redis->tls_policy->enforce);
  CHECK(redis->tls_policy->ports == std::vector<uint16_t>{6379});
  CHECK(redis->tls_policy->client_certificate_secret ==
        control::FileCertificateSecretName("/c.pem", "/k.pem"));
  REQUIRE(redis->tls_policy->validation);
  CHECK(redis->tls_policy->validation->trust_secret == control::FileTrustSecretName("/ca.pem"));
  CHECK(redis->tls_policy->validation->san_exact == std::vector<std::string>{"redis.example.com"});
  // An SDS certificate on the target: TLS (auto) without validation.
  CHECK(redis->target_tls.mode == proxy::TlsMode::kPermissive);
  CHECK_FALSE(redis->target_tls.auto_validation);

  const proxy::Cluster* db = FindCluster(config, "cds_egress_m_db-node_tcp_5432");
  REQUIRE(db);
  REQUIRE(db->tls_policy);
  CHECK(db->tls_policy->enforce);
  REQUIRE(db->tls_policy->validation);
  CHECK(db->tls_policy->validation->trust_secret == control::AcmTrustSecretName(kBackendId, {kCa}));
  CHECK(db->tls_policy->validation->san_exact.empty());
  CHECK(db->tls_policy->validation->discovery_name == "db.example.com");
  CHECK(db->target_tls.mode == proxy::TlsMode::kDisabled);

  // Files are declared for the proxy's watcher; both file secrets once.
  CHECK(config.file_secrets.size() == 2);
  // The trust is fetched as the client's account (the backend), not the mesh owner.
  const control::SecretNeed* trust = FindNeed(*rendered, control::SecretNeed::Kind::kAcmTrust);
  REQUIRE(trust);
  CHECK(trust->account == kBackendId);
}

TEST_CASE("Routes keep their matches, weights, priorities and timeouts") {
  json route_a = {
      {"priority", 5},
      {"httpRoute",
       {{"match",
         {{"prefix", "/api"},
          {"method", "POST"},
          {"headers", {{{"name", "x-canary"}, {"match", {{"exact", "1"}}}}}}}},
        {"action",
         {{"weightedTargets",
           {{{"virtualNode", "v1"}, {"weight", 3}}, {{"virtualNode", "v2"}, {"weight", 1}}}}}},
        {"timeout",
         {{"perRequest", {{"unit", "s"}, {"value", 3}}},
          {"idle", {{"unit", "ms"}, {"value", 750}}}}}}}};
  json route_b = {
      {"httpRoute",
       {{"match",
         {{"path", {{"exact", "/health"}}},
          {"queryParameters",
           {{{"name", "deep"}, {"match", {{"exact", "1"}}}}, {{"name", "verbose"}}}},
          {"headers", {{{"name", "x-n"}, {"match", {{"range", {{"start", 2}, {"end", 8}}}}}}}}}},
        {"action", {{"weightedTargets", {{{"virtualNode", "v1"}, {"weight", 1}}}}}}}}};
  json node_spec = {{"listeners", {{{"portMapping", {{"port", 9080}, {"protocol", "http"}}}}}}};

  appmesh::MeshContents contents;
  contents.mesh = MakeResource(appmesh::Kind::kMesh, "m", kFrontendId, json::object());
  contents.virtual_nodes = {
      MakeResource(appmesh::Kind::kVirtualNode, "client", kFrontendId,
                   {{"backends", {{{"virtualService", {{"virtualServiceName", "svc"}}}}}}}),
      MakeResource(appmesh::Kind::kVirtualNode, "v1", kFrontendId, node_spec),
      MakeResource(appmesh::Kind::kVirtualNode, "v2", kFrontendId, node_spec)};
  contents.virtual_routers = {
      MakeResource(appmesh::Kind::kVirtualRouter, "r", kFrontendId,
                   {{"listeners", {{{"portMapping", {{"port", 9080}, {"protocol", "http"}}}}}}})};
  contents.routes = {MakeResource(appmesh::Kind::kRoute, "a", kFrontendId, route_a, "r"),
                     MakeResource(appmesh::Kind::kRoute, "b", kFrontendId, route_b, "r")};
  contents.virtual_services = {
      MakeResource(appmesh::Kind::kVirtualService, "svc", kFrontendId,
                   {{"provider", {{"virtualRouter", {{"virtualRouterName", "r"}}}}}})};

  auto rendered = control::RenderNode(control::MeshView(contents), "client", {});
  REQUIRE(rendered.ok());
  CHECK(proxy::ValidateConfig(rendered->config).ok());
  const auto& routes = rendered->config.virtual_services.at(0).routes;
  REQUIRE(routes.size() == 2);
  CHECK(routes[0].priority == 5);
  CHECK(routes[0].match.prefix == "/api");
  CHECK(routes[0].match.method == "POST");
  REQUIRE(routes[0].match.headers.size() == 1);
  CHECK(routes[0].match.headers[0].exact == "1");
  CHECK(routes[0].timeout == std::chrono::milliseconds(3000));
  CHECK(routes[0].idle_timeout == std::chrono::milliseconds(750));
  REQUIRE(routes[0].targets.size() == 2);
  CHECK(routes[0].targets[0].cluster == "cds_egress_m_v1_http_9080");
  CHECK(routes[0].targets[0].weight == 3);
  CHECK(routes[0].targets[1].cluster == "cds_egress_m_v2_http_9080");
  CHECK(routes[1].match.path_exact == "/health");
  CHECK(routes[1].match.query_parameters ==
        std::vector<proxy::QueryParameterMatch>{{.name = "deep", .exact = "1"},
                                                {.name = "verbose", .exact = {}}});
  REQUIRE(routes[1].match.headers.size() == 1);
  CHECK(routes[1].match.headers[0].range == proxy::IntRange{2, 8});
  CHECK(routes[1].timeout == std::chrono::milliseconds(15000));
  // Two targets, two clusters, no client policy (plaintext to plaintext targets).
  CHECK(rendered->config.clusters.size() == 2);
  CHECK_FALSE(rendered->config.clusters[0].tls_policy);
}

TEST_CASE("A grpc listener and its grpcRoute render as HTTP/2 with gRPC retry events") {
  json grpc_node = {{"listeners", {{{"portMapping", {{"port", 50051}, {"protocol", "grpc"}}}}}}};
  json route = {{"grpcRoute",
                 {{"match", {{"serviceName", "crossmesh.Echo"}}},
                  {"action", {{"weightedTargets", {{{"virtualNode", "echo"}, {"weight", 1}}}}}},
                  {"retryPolicy",
                   {{"maxRetries", 2},
                    {"perRetryTimeout", {{"unit", "ms"}, {"value", 500}}},
                    {"grpcRetryEvents", {"unavailable", "resource-exhausted"}}}}}}};
  appmesh::MeshContents contents;
  contents.mesh = MakeResource(appmesh::Kind::kMesh, "m", kFrontendId, json::object());
  contents.virtual_nodes = {
      MakeResource(appmesh::Kind::kVirtualNode, "client", kFrontendId,
                   {{"backends", {{{"virtualService", {{"virtualServiceName", "echo"}}}}}}}),
      MakeResource(appmesh::Kind::kVirtualNode, "echo", kFrontendId, grpc_node)};
  contents.virtual_routers = {
      MakeResource(appmesh::Kind::kVirtualRouter, "r", kFrontendId, grpc_node)};
  contents.routes = {MakeResource(appmesh::Kind::kRoute, "g", kFrontendId, route, "r")};
  contents.virtual_services = {
      MakeResource(appmesh::Kind::kVirtualService, "echo", kFrontendId,
                   {{"provider", {{"virtualRouter", {{"virtualRouterName", "r"}}}}}})};
  control::MeshView mesh(contents);

  auto client = control::RenderNode(mesh, "client", {});
  auto server = control::RenderNode(mesh, "echo", {});

  REQUIRE(client.ok());
  REQUIRE(server.ok());
  REQUIRE(server->config.listeners.size() == 1);
  CHECK(server->config.listeners[0].protocol == proxy::Protocol::kGrpc);
  CHECK(server->config.listeners[0].app_cluster == "cds_ingress_m_echo_grpc_50051");
  const proxy::Cluster* cluster = FindCluster(client->config, "cds_egress_m_echo_grpc_50051");
  REQUIRE(cluster != nullptr);
  CHECK(cluster->protocol == proxy::Protocol::kGrpc);
  const auto& routes = client->config.virtual_services.at(0).routes;
  REQUIRE(routes.size() == 1);
  REQUIRE(routes[0].retry.has_value());
  CHECK(routes[0].retry->grpc_statuses == std::vector<unsigned>{14, 8});
  CHECK(routes[0].retry->max_retries == 2);
  REQUIRE(client->backends.size() == 1);
  CHECK(client->backends[0].protocol == "grpc");
}

TEST_CASE("Gateway route pairs match as received, then their service route as rewritten") {
  json node_spec = {{"listeners", {{{"portMapping", {{"port", 9080}, {"protocol", "http"}}}}}}};
  json inner_api = {
      {"priority", 1},
      {"httpRoute",
       {{"match", {{"prefix", "/api/v2"}, {"headers", {{{"name", "x-canary"}}}}}},
        {"action", {{"weightedTargets", {{{"virtualNode", "v2"}, {"weight", 1}}}}}}}}};
  json inner_all = {
      {"priority", 9},
      {"httpRoute",
       {{"match", {{"prefix", "/"}}},
        {"action", {{"weightedTargets", {{{"virtualNode", "v1"}, {"weight", 1}}}}}}}}};
  json inner_other = {{"httpRoute",
                       {{"match", {{"prefix", "/other"}}},
                        {"action", {{"weightedTargets", {{{"virtualNode", "v1"}}}}}}}}};
  json gateway_route = {
      {"priority", 7},
      {"httpRoute",
       {{"match", {{"prefix", "/api"}, {"hostname", {{"exact", "shop.example.com"}}}}},
        {"action", {{"target", {{"virtualService", {{"virtualServiceName", "svc"}}}}}}}}}};
  json direct_route = {
      {"priority", 2},
      {"httpRoute",
       {{"match", {{"prefix", "/health"}}},
        {"action",
         {{"target", {{"virtualService", {{"virtualServiceName", "direct"}}}, {"port", 9081}}}}}}}};
  json gateway_spec = {{"listeners", {{{"portMapping", {{"port", 8080}, {"protocol", "http"}}}}}},
                       {"backendDefaults", {{"clientPolicy", AcmTrustPolicy()}}}};
  json two_ports = {{"listeners",
                     {{{"portMapping", {{"port", 9080}, {"protocol", "http"}}}},
                      {{"portMapping", {{"port", 9081}, {"protocol", "http"}}}}}}};

  appmesh::MeshContents contents;
  contents.mesh = MakeResource(appmesh::Kind::kMesh, "m", kFrontendId, json::object());
  contents.virtual_nodes = {MakeResource(appmesh::Kind::kVirtualNode, "v1", kBackendId, two_ports),
                            MakeResource(appmesh::Kind::kVirtualNode, "v2", kBackendId, node_spec)};
  contents.virtual_routers = {MakeResource(appmesh::Kind::kVirtualRouter, "r", kBackendId,
                                           {{"listeners", node_spec["listeners"]}})};
  contents.routes = {MakeResource(appmesh::Kind::kRoute, "all", kBackendId, inner_all, "r"),
                     MakeResource(appmesh::Kind::kRoute, "api", kBackendId, inner_api, "r"),
                     MakeResource(appmesh::Kind::kRoute, "other", kBackendId, inner_other, "r")};
  contents.virtual_services = {
      MakeResource(appmesh::Kind::kVirtualService, "direct", kBackendId,
                   {{"provider", {{"virtualNode", {{"virtualNodeName", "v1"}}}}}}),
      MakeResource(appmesh::Kind::kVirtualService, "svc", kBackendId,
                   {{"provider", {{"virtualRouter", {{"virtualRouterName", "r"}}}}}})};
  contents.virtual_gateways = {
      MakeResource(appmesh::Kind::kVirtualGateway, "gw", kFrontendId, gateway_spec)};
  contents.gateway_routes = {
      MakeResource(appmesh::Kind::kGatewayRoute, "health", kFrontendId, direct_route, "gw"),
      MakeResource(appmesh::Kind::kGatewayRoute, "shop", kFrontendId, gateway_route, "gw")};

  control::RenderOptions options{.node_address = "127.0.1.10"};
  auto rendered = control::RenderGateway(control::MeshView(contents), "gw", options);
  INFO(rendered.status().ToString());
  REQUIRE(rendered.ok());
  const proxy::ProxyConfig& config = rendered->config;
  CHECK(proxy::ValidateConfig(config).ok());

  // The listener routes by the table itself: no app, no routing port of its own.
  REQUIRE(config.listeners.size() == 1);
  CHECK(config.listeners[0].virtual_service == "gateway_8080");
  CHECK(config.listeners[0].app == proxy::Endpoint{});
  CHECK(config.listeners[0].app_cluster.empty());
  CHECK(config.listeners[0].http_stat_prefix == "ingress");
  CHECK(config.outbounds.empty());
  CHECK(config.virtual_services.at(0).name == "gateway_8080");
  const auto& routes = config.virtual_services.at(0).routes;
  REQUIRE(routes.size() == 4);  // one per (gateway route, service route) pair
  CHECK(routes[0].name == "health/direct");
  CHECK(routes[0].priority == 2);
  CHECK(routes[0].match.prefix == "/health");
  CHECK(routes[0].rewrite == proxy::RouteRewrite{.prefix = "/", .path = {}, .host = "direct"});
  CHECK(routes[0].targets.at(0).cluster == "cds_egress_m_v1_http_9081");

  // The gateway route matches the request as received; the service route the rewritten one.
  CHECK(routes[1].name == "shop/api");
  CHECK(routes[1].priority == 7);
  CHECK(routes[1].match.prefix == "/api");
  REQUIRE(routes[1].match.headers.size() == 1);
  CHECK(routes[1].match.headers[0].name == "host");
  CHECK(routes[1].match.headers[0].exact == "shop.example.com");
  CHECK(routes[1].rewrite == proxy::RouteRewrite{.prefix = "/", .path = {}, .host = "svc"});
  REQUIRE(routes[1].rewritten_match);
  CHECK(routes[1].rewritten_match->prefix == "/api/v2");
  REQUIRE(routes[1].rewritten_match->headers.size() == 1);
  CHECK(routes[1].rewritten_match->headers[0].name == "x-canary");
  CHECK(routes[2].name == "shop/all");
  CHECK(routes[2].rewritten_match->prefix == "/");
  CHECK(routes[2].targets.at(0).cluster == "cds_egress_m_v1_http_9080");
  CHECK(routes[3].name == "shop/other");
  CHECK(routes[3].rewritten_match->prefix == "/other");

  // The gateway's backendDefaults is every cluster's client policy, trust fetched as its owner.
  for (const proxy::Cluster& cluster : config.clusters) {
    CHECK(cluster.source_address == "127.0.1.10");
    REQUIRE(cluster.tls_policy);
    CHECK(cluster.tls_policy->validation->trust_secret ==
          control::AcmTrustSecretName(kFrontendId, {kCa}));
  }
}

TEST_CASE("A listener's timeout for its own protocol bounds the app's answer and idle time") {
  json http_listener = {{"portMapping", {{"port", 9080}, {"protocol", "http"}}},
                        {"timeout",
                         {{"http",
                           {{"perRequest", {{"unit", "s"}, {"value", 3}}},
                            {"idle", {{"unit", "ms"}, {"value", 500}}}}},
                          // Another protocol's block is not this listener's.
                          {"tcp", {{"idle", {{"unit", "s"}, {"value", 9}}}}}}}};
  json tcp_listener = {{"portMapping", {{"port", 6379}, {"protocol", "tcp"}}},
                       {"timeout", {{"tcp", {{"idle", {{"unit", "s"}, {"value", 60}}}}}}}};
  json plain_listener = {{"portMapping", {{"port", 8080}, {"protocol", "http"}}}};

  appmesh::MeshContents contents;
  contents.mesh = MakeResource(appmesh::Kind::kMesh, "m", kFrontendId, json::object());
  contents.virtual_nodes = {
      MakeResource(appmesh::Kind::kVirtualNode, "node", kFrontendId,
                   {{"listeners", {http_listener, tcp_listener, plain_listener}}})};

  auto rendered = control::RenderNode(control::MeshView(contents), "node", {});
  REQUIRE(rendered.ok());
  CHECK(proxy::ValidateConfig(rendered->config).ok());
  const auto& listeners = rendered->config.listeners;
  REQUIRE(listeners.size() == 3);
  CHECK(listeners[0].request_timeout == std::chrono::milliseconds(3000));
  CHECK(listeners[0].idle_timeout == std::chrono::milliseconds(500));
  CHECK(listeners[1].idle_timeout == std::chrono::milliseconds(60000));
  // Without a timeout: App Mesh's 15 s per request, no idle timeout of the listener's own.
  CHECK(listeners[2].request_timeout == std::chrono::milliseconds(15000));
  CHECK(listeners[2].idle_timeout == std::chrono::milliseconds(0));

  // The proxy file carries them.
  const json written = proxy::ConfigToJson(rendered->config);
  CHECK(written["listeners"][0]["request_timeout_ms"] == 3000);
  CHECK(written["listeners"][0]["idle_timeout_ms"] == 500);
}

TEST_CASE("A listener's connectionPool for its own protocol limits the way to its app") {
  json http_listener = {
      {"portMapping", {{"port", 9080}, {"protocol", "http"}}},
      {"connectionPool", {{"http", {{"maxConnections", 8}, {"maxPendingRequests", 2}}}}}};
  json grpc_listener = {{"portMapping", {{"port", 9090}, {"protocol", "grpc"}}},
                        {"connectionPool", {{"grpc", {{"maxRequests", 16}}}}}};
  json tcp_listener = {{"portMapping", {{"port", 6379}, {"protocol", "tcp"}}},
                       {"connectionPool", {{"tcp", {{"maxConnections", 3}}}}}};
  json plain_listener = {{"portMapping", {{"port", 8080}, {"protocol", "http"}}}};
  // The API takes any positive integer; a proxy file at most a million.
  json huge_listener = {
      {"portMapping", {{"port", 8081}, {"protocol", "http"}}},
      {"connectionPool",
       {{"http", {{"maxConnections", 2000000}, {"maxPendingRequests", 2147483647}}}}}};

  appmesh::MeshContents contents;
  contents.mesh = MakeResource(appmesh::Kind::kMesh, "m", kFrontendId, json::object());
  contents.virtual_nodes = {MakeResource(
      appmesh::Kind::kVirtualNode, "node", kFrontendId,
      {{"listeners",
        {http_listener, grpc_listener, tcp_listener, plain_listener, huge_listener}}})};

  auto rendered = control::RenderNode(control::MeshView(contents), "node", {});
  REQUIRE(rendered.ok());
  CHECK(proxy::ValidateConfig(rendered->config).ok());
  const auto& listeners = rendered->config.listeners;
  REQUIRE(listeners.size() == 5);
  CHECK(listeners[4].connection_pool ==
        proxy::AppConnectionPool{.max_connections = 1000000, .max_pending_requests = 1000000});
  CHECK(listeners[0].connection_pool ==
        proxy::AppConnectionPool{.max_connections = 8, .max_pending_requests = 2});
  CHECK(listeners[1].connection_pool.max_requests == 16);
  CHECK(listeners[2].connection_pool.max_connections == 3);
  // Unset: no limit (and Envoy's default queue, should a limit come).
  CHECK(listeners[3].connection_pool == proxy::AppConnectionPool{});

  // The proxy file carries them, and reads them back.
  const json written = proxy::ConfigToJson(rendered->config);
  CHECK(written["listeners"][0]["connection_pool"]["max_pending_requests"] == 2);
  auto read_back = proxy::ConfigFromJson(written);
  REQUIRE(read_back.ok());
  CHECK(read_back->listeners[0].connection_pool == listeners[0].connection_pool);
}
