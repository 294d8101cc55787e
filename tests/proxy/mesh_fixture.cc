#include "tests/proxy/mesh_fixture.h"

#include <catch2/catch.hpp>

#include <thread>

namespace crossmesh::proxy::testing {

int64_t Eventually(const std::function<int64_t()>& read, int64_t expected,
                   std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  int64_t value = read();
  while (value != expected && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    value = read();
  }
  return value;
}

std::string ClusterName(Protocol protocol) {
  return std::string("cds_egress_") + kMesh + "_yelb-appserver_" +
         std::string(ProtocolName(protocol)) + "_" + std::to_string(kMeshPort);
}

MeshPki::MeshPki()
    : ca(MakeCa("Shared Private CA", clock.Now())),
      other_ca(MakeCa("Somebody Else's CA", clock.Now())),
      server(IssueCertificate(ca, {kService}, clock.Now())),
      client(IssueCertificate(ca, {"yelb-ui.yelb.svc.cluster.local"}, clock.Now())),
      rogue_client(IssueCertificate(other_ca, {"yelb-ui.yelb.svc.cluster.local"}, clock.Now())) {}

void MeshPki::PushAll(SecretStore& secrets) const {
  REQUIRE(secrets.PushCertificate("server-cert", server).ok());
  REQUIRE(secrets.PushCertificate("client-cert", client).ok());
  REQUIRE(secrets.PushCertificate("rogue-client-cert", rogue_client).ok());
  secrets.PushValidationContext("mesh-ca", TrustOf(ca));
  secrets.PushValidationContext("other-ca", TrustOf(other_ca));
}

ClientTlsPolicy TrustMeshCa(std::vector<std::string> san_exact) {
  ClientTlsPolicy policy;
  policy.validation = PeerValidation{"mesh-ca", std::move(san_exact), kService};
  return policy;
}

HopOptions TappedMutual(const std::string& marker) {
  HopOptions options;
  options.server_tls->validation = ListenerValidation{"mesh-ca", {}, true};
  options.policy = TrustMeshCa();
  options.policy->client_certificate_secret = "client-cert";
  options.via_tap = true;
  options.markers = {marker};
  return options;
}

ProxyConfig ServerConfig(const std::string& name, uint16_t app_port, const HopOptions& options,
                         std::function<TimePoint()> clock) {
  ProxyConfig config;
  config.name = name;
  config.mesh = kMesh;
  Listener listener;
  listener.name = "ingress";
  listener.protocol = options.protocol;
  listener.tls = options.server_tls;
  listener.app = Endpoint{"127.0.0.1", app_port};
  listener.request_timeout = options.server_request_timeout;
  listener.idle_timeout = options.server_idle_timeout;
  listener.connection_pool = options.server_connection_pool;
  config.listeners.push_back(listener);
  config.tls = options.tls;
  config.http.idle_timeout = options.http_idle_timeout;
  config.http.max_body_bytes = options.http_max_body_bytes;
  config.error_style = options.error_style;
  config.clock = std::move(clock);
  return config;
}

ProxyConfig ClientConfig(const std::string& name, uint16_t endpoint_port, const HopOptions& options,
                         std::function<TimePoint()> clock) {
  ProxyConfig config;
  config.name = name;
  config.mesh = kMesh;
  Cluster cluster;
  cluster.name = ClusterName(options.protocol);
  cluster.endpoints = {Endpoint{"127.0.0.1", endpoint_port}};
  cluster.source_address = options.client_source;
  cluster.mesh_port = kMeshPort;
  cluster.protocol = options.protocol;
  cluster.tls_policy = options.policy;
  if (options.target) {
    cluster.target_tls = *options.target;
  } else if (options.server_tls) {
    cluster.target_tls.mode = options.server_tls->mode;
  }
  config.clusters.push_back(cluster);

  Route route;
  route.name = "default";
  route.match.prefix = "/";
  route.targets = {WeightedTarget{cluster.name, 1}};
  route.retry = options.retry;
  route.timeout = options.route_timeout;
  route.idle_timeout = options.route_idle_timeout;
  config.virtual_services.push_back(VirtualService{kServiceName, options.protocol, {route}});
  Outbound outbound;
  outbound.name = "backend";
  outbound.virtual_service = kServiceName;
  config.outbounds.push_back(outbound);
  config.tls = options.tls;
  config.http.idle_timeout = options.http_idle_timeout;
  config.http.max_body_bytes = options.http_max_body_bytes;
  config.http.accept_http_10 = options.http_accept_http_10;
  config.error_style = options.error_style;
  config.clock = std::move(clock);
  return config;
}

Hop::Hop(ProxyRuntime& runtime, const MeshPki& pki, HopOptions options)
    : runtime_(runtime), options_(std::move(options)) {
  uint16_t app_port = options_.external_app_port;
  if (app_port == 0) {
    app_ = std::make_unique<TestApp>(
        IsHttp(options_.protocol) ? TestApp::Kind::kHttp : TestApp::Kind::kEcho, "yelb-appserver");
    app_port = app_->port();
  }
  auto clock = pki.clock.Function();
  auto server = runtime_.Start(ServerConfig("yelb-appserver", app_port, options_, clock));
  INFO(server.status().ToString());
  REQUIRE(server.ok());
  server_ = server.value();

  uint16_t endpoint = server_port();
  if (options_.via_tap) {
    tap::TapOptions tap_options;
    tap_options.from = "yelb-ui";
    tap_options.to = "yelb-appserver";
    tap_options.target_port = endpoint;
    tap_options.plaintext_markers = options_.markers;
    tap_options.client_source_address = options_.client_source;
    auto tap = tap::Tap::Start(tap_options);
    REQUIRE(tap.ok());
    tap_ = std::move(tap).value();
    endpoint = tap_->port();
  }
  auto client = runtime_.Start(ClientConfig("yelb-ui", endpoint, options_, clock));
  INFO(client.status().ToString());
  REQUIRE(client.ok());
  client_ = client.value();
}

Hop::~Hop() {
  runtime_.Stop("yelb-ui");
  if (tap_) tap_->Stop();
  runtime_.Stop("yelb-appserver");
}

uint16_t Hop::client_port() const { return client_->OutboundPort("backend"); }

uint16_t Hop::server_port() const { return server_->ListenerPort("ingress"); }

std::string Hop::server_listener_prefix() const {
  return "listener.127.0.0.1_" + std::to_string(server_port()) + ".";
}

std::optional<RawHttpMessage> Hop::Get(const std::string& target, const std::string& body) {
  return HttpRequestOnce(client_port(), body.empty() ? "GET" : "POST", target, body, kService);
}

}  // namespace crossmesh::proxy::testing
