// The data plane end to end: the walkthrough's cross-account hop with real proxies, real mutual
// TLS from ACM and ACM-PCA material, and a tap proving the hop from its bytes; renewal on the
// virtual clock under load; the delivery delay; trust that RAM does not grant.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "emulator/acm/model/certificate_usage.h"
#include "emulator/emulator.h"
#include "emulator/pki/certificate.h"
#include "harness/control/data_plane.h"
#include "harness/control/node_renderer.h"
#include "harness/control/secret_delivery.h"
#include "tests/control/control_fixture.h"
#include "tests/proxy/grpc_peer.h"
#include "tests/proxy/test_app.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;
using proxy::testing::TestApp;

namespace {

constexpr char kMarker[] = "vote-for-the-secret-restaurant";

struct RunningHop {
  explicit RunningHop(TwoAccountMesh& m, control::DataPlaneOptions options = {}) : mesh(m) {
    options.plaintext_markers = {kMarker};
    auto started = control::DataPlane::Start(m.t.emulator(), options);
    REQUIRE(started.ok());
    plane = std::move(*started);
  }

  control::WorkloadInfo Add(const std::string& account, const std::string& node, uint16_t port) {
    auto info = plane->AddWorkload({.account = account,
                                    .mesh = kMesh,
                                    .mesh_owner = kFrontendId,
                                    .virtual_node = node,
                                    .app_host = "127.0.0.1",
                                    .app_port = port});
    INFO(info.status().ToString());
    REQUIRE(info.ok());
    return *info;
  }

  void StartBoth() {
    appserver = Add("backend", "yelb-appserver", app.port());
    ui = Add("frontend", "yelb-ui", ui_app.port());
  }

  std::optional<HttpReply> Vote() {
    return HttpCall(*ui.Backend(kAppserverService), "POST", "/api/vote", kAppserverService,
                    kMarker);
  }

  TwoAccountMesh& mesh;
  std::unique_ptr<control::DataPlane> plane;
  TestApp app{TestApp::Kind::kHttp, "appserver"};
  TestApp ui_app{TestApp::Kind::kHttp, "ui"};
  control::WorkloadInfo appserver, ui;
};

std::string CaIssuer(TwoAccountMesh& m) {
  json got = BodyJson(m.t.JsonCall("frontend", "acm-pca",
                                   "ACMPrivateCA.GetCertificateAuthorityCertificate",
                                   {{"CertificateAuthorityArn", m.ca_arn}}));
  auto ca = pki::Certificate::FromPem(got["Certificate"].get<std::string>());
  REQUIRE(ca.ok());
  return ca->subject_string();
}

}  // namespace

TEST_CASE("A cross-account call runs over mutual TLS 1.2 from the shared CA, proven by the tap") {
  TwoAccountMesh m;
  // mTLS: the appserver asks for client certificates (trust by SDS) and the ui presents one.
  json appserver = m.AppserverSpec();
  appserver["listeners"][0]["tls"]["validation"] = {
      {"trust", {{"sds", {{"secretName", "mesh-ca"}}}}}};
  json ui = m.UiSpec();
  ui["backendDefaults"]["clientPolicy"]["tls"]["certificate"] = {
      {"sds", {{"secretName", "ui-client"}}}};
  m.CreateWalkthroughNodes();
  MeshOk(m.t, "backend", "PUT", MeshPath(kMesh, "/virtualNodes/yelb-appserver"),
         {{"spec", appserver}}, kOwnerQuery);
  MeshOk(m.t, "frontend", "PUT", MeshPath(kMesh, "/virtualNodes/yelb-ui"), {{"spec", ui}});

  RunningHop hop(m);
  json ca =
      BodyJson(m.t.JsonCall("backend", "acm-pca", "ACMPrivateCA.GetCertificateAuthorityCertificate",
                            {{"CertificateAuthorityArn", m.ca_arn}}));
  REQUIRE(hop.plane->secrets()
              .PushValidationContext("mesh-ca", ca["Certificate"].get<std::string>())
              .ok());
  REQUIRE(hop.plane->secrets()
              .PushCertificate("ui-client",
                               ExportedClientCertificate(m, "frontend", m.frontend_certificate))
              .ok());
  hop.StartBoth();

  // Addressing: each account is its own loopback network.
  CHECK(hop.plane->AccountNetwork("frontend") == "127.0.1.0/24");
  CHECK(hop.plane->AccountNetwork(kBackendId) == "127.0.2.0/24");
  CHECK(hop.ui.node_address.rfind("127.0.1.", 0) == 0);
  CHECK(hop.appserver.node_address.rfind("127.0.2.", 0) == 0);
  CHECK(hop.plane->Resolve("yelb-appserver.example.com").value() == hop.appserver.node_address);
  CHECK(hop.plane->Resolve("yelb-ui.example.com").value() == hop.ui.node_address);

  auto reply = hop.Vote();
  REQUIRE(reply);
  INFO(reply->body);
  CHECK(reply->status == 200);
  CHECK_THAT(reply->body, Catch::Contains("appserver got POST /api/vote"));
  // The HTTP proxy port routes by Host to the same service.
  REQUIRE(hop.ui.http_proxy);
  auto by_host = HttpCall(*hop.ui.http_proxy, "GET", "/api/getvotes", kAppserverService);
  REQUIRE(by_host);
  CHECK(by_host->status == 200);

  std::vector<control::Hop> hops = hop.plane->HopsBetween("yelb-ui", "yelb-appserver");
  REQUIRE(hops.size() == 1);
  const control::Hop& h = hops[0];
  INFO(h.report.Summary());
  CHECK(h.cross_account);
  CHECK(h.from_account == kFrontendId);
  CHECK(h.to_account == kBackendId);
  CHECK(h.protocol == "http");
  CHECK(h.cluster == "cds_egress_am-multi-account-mesh_yelb-appserver_http_4567");
  CHECK(h.report.encrypted);
  CHECK_FALSE(h.report.plaintext_marker_seen);
  CHECK(h.report.tls_version == "TLSv1.2");
  CHECK(h.report.server_cert_issuer == CaIssuer(m));
  CHECK(HexOnly(h.report.server_cert_serial) == m.SerialOf("backend", m.backend_certificate));
  CHECK(h.report.client_cert_present);
  CHECK(h.report.client_cert_issuer == CaIssuer(m));
  CHECK(hop.plane->Problems().empty());

  // Regression: another local process dialling the tap is relayed but only counted, and the
  // ui's connections are told apart by its node's address.
  HttpCall(h.tap, "GET", "/api/getvotes", kAppserverService);
  hops = hop.plane->HopsBetween("yelb-ui", "yelb-appserver");
  REQUIRE(hops.size() == 1);
  const tap::HopReport& after = hops[0].report;
  INFO(after.Summary());
  CHECK(after.foreign_connections == 1);
  CHECK(after.encrypted);
  CHECK(after.problems.empty());
  REQUIRE_FALSE(after.connections.empty());
  for (const tap::TapConnection& connection : after.connections) {
    CHECK(connection.client_address.rfind(hop.ui.node_address + ":", 0) == 0);
  }

  auto server = hop.plane->FindProxy("yelb-appserver");
  REQUIRE(server);
  CHECK(server->StatValue(fmt::format("listener.{}_{}.ssl.handshake",
                                      hop.appserver.listeners.at(0).proxy.host,
                                      hop.appserver.listeners.at(0).proxy.port)) >= 1);
}

TEST_CASE("A grpc service across accounts is served over HTTP/2 and mutual TLS with retries") {
  TwoAccountMesh m;
  json appserver = m.AppserverSpec();
  appserver["listeners"][0]["portMapping"]["protocol"] = "grpc";
  CreateNode(m.t, "backend", kMesh, "yelb-appserver", appserver, kFrontendId);
  MeshOk(m.t, "backend", "PUT", MeshPath(kMesh, "/virtualRouters"),
         {{"virtualRouterName", "echo-router"}, {"spec", RouterSpec(4567, "grpc")}}, kOwnerQuery);
  json route = {
      {"grpcRoute",
       {{"match", {{"serviceName", "crossmesh.Echo"}}},
        {"action", {{"weightedTargets", {{{"virtualNode", "yelb-appserver"}, {"weight", 1}}}}}},
        {"retryPolicy",
         {{"maxRetries", 2},
          {"perRetryTimeout", {{"unit", "ms"}, {"value", 2000}}},
          {"grpcRetryEvents", {"unavailable"}}}}}}};
  MeshOk(m.t, "backend", "PUT", MeshPath(kMesh, "/virtualRouter/echo-router/routes"),
         {{"routeName", "echo"}, {"spec", route}}, kOwnerQuery);
  MeshOk(m.t, "backend", "PUT", MeshPath(kMesh, "/virtualServices"),
         {{"virtualServiceName", kAppserverService},
          {"spec", {{"provider", {{"virtualRouter", {{"virtualRouterName", "echo-router"}}}}}}}},
         kOwnerQuery);
  CreateNode(m.t, "frontend", kMesh, "yelb-ui", m.UiSpec());
  proxy::testing::GrpcServer echo(/*fail_first=*/1);
  RunningHop hop(m);
  hop.appserver = hop.Add("backend", "yelb-appserver", echo.port());
  hop.ui = hop.Add("frontend", "yelb-ui", hop.ui_app.port());

  const proxy::Endpoint backend = *hop.ui.Backend(kAppserverService);
  json calls = proxy::testing::CallGrpcAt(backend.ToString(), 4);

  REQUIRE(calls.size() == 4);
  for (size_t i = 0; i < calls.size(); ++i) {
    INFO(calls[i].dump());
    CHECK(calls[i].value("reply", "") == "echo:#" + std::to_string(i));
  }
  std::vector<control::Hop> hops = hop.plane->HopsBetween("yelb-ui", "yelb-appserver");
  REQUIRE(hops.size() == 1);
  INFO(hops[0].report.Summary());
  CHECK(hops[0].protocol == "grpc");
  CHECK(hops[0].cluster == "cds_egress_am-multi-account-mesh_yelb-appserver_grpc_4567");
  CHECK(hops[0].report.encrypted);
  CHECK(hops[0].report.tls_version == "TLSv1.2");
  CHECK(HexOnly(hops[0].report.server_cert_serial) == m.SerialOf("backend", m.backend_certificate));
  auto ui = hop.plane->FindProxy("yelb-ui");
  REQUIRE(ui);
  CHECK(ui->StatValue("cluster." + hops[0].cluster + ".upstream_rq_retry") == 1);
}

TEST_CASE("A renewed certificate reaches the proxies with no failed request") {
  TwoAccountMesh m;
  m.CreateWalkthroughNodes();
  RunningHop hop(m);
  hop.StartBoth();
  REQUIRE(hop.Vote().value().status == 200);
  std::string old_serial = m.SerialOf("backend", m.backend_certificate);

  // A client sending requests throughout, each on a fresh connection (fresh handshakes).
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread client([&] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int i = 0; i < 5000 && !stop && std::chrono::steady_clock::now() < deadline; ++i) {
      auto reply = hop.Vote();
      (reply && reply->status == 200 ? ok : failed)++;
    }
  });
  while (ok < 5 && failed == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  // Day 340: ACM renewed both certificates on day 335 (60 days before expiry).
  REQUIRE(m.t.emulator().AdvanceClock(std::chrono::hours(24 * 340)).ok());
  auto synced = hop.plane->OnClockAdvanced();
  REQUIRE(synced.ok());
  CHECK(synced->certificate_changes >= 2);
  CHECK_THAT(synced->pushed_secrets, Catch::VectorContains(m.backend_certificate));
  int ok_at_push = ok;
  while (ok < ok_at_push + 20 && failed == 0 && ok < 4000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  client.join();

  CHECK(failed == 0);
  CHECK(ok > ok_at_push);
  std::string new_serial = m.SerialOf("backend", m.backend_certificate);
  CHECK(new_serial != old_serial);
  // The handshakes after the push present the new serial, on the wire and in the ui's records.
  control::Hop h = hop.plane->HopsBetween("yelb-ui", "yelb-appserver").at(0);
  INFO(h.report.Summary());
  CHECK(HexOnly(h.report.server_cert_serial) == new_serial);
  CHECK(h.report.encrypted);
  auto records = hop.plane->FindProxy("yelb-ui")->Handshakes();
  auto last = std::find_if(records.rbegin(), records.rend(),
                           [](const auto& r) { return r.ok && r.peer_certificate.has_value(); });
  REQUIRE(last != records.rend());
  CHECK(HexOnly(last->peer_certificate->serial_hex) == new_serial);
}

TEST_CASE("A delivery delay holds a renewed certificate until the virtual clock passes it") {
  TwoAccountMesh m;
  m.CreateWalkthroughNodes();
  RunningHop hop(m, {.certificate_delivery_delay = std::chrono::minutes(30)});
  hop.StartBoth();
  REQUIRE(hop.Vote().value().status == 200);
  std::string old_serial = m.SerialOf("backend", m.backend_certificate);

  // RenewCertificate renews an exported certificate at once.
  REQUIRE(m.t.JsonCall(
                 "backend", "acm", "CertificateManager.ExportCertificate",
                 {{"CertificateArn", m.backend_certificate}, {"Passphrase", Base64("pass-phrase")}})
              .status == 200);
  REQUIRE(m.t.JsonCall("backend", "acm", "CertificateManager.RenewCertificate",
                       {{"CertificateArn", m.backend_certificate}})
              .status == 200);
  REQUIRE(m.t.emulator().AdvanceClock(std::chrono::seconds(1)).ok());  // the renewal settles
  std::string new_serial = m.SerialOf("backend", m.backend_certificate);
  REQUIRE(new_serial != old_serial);

  auto early = hop.plane->Sync();
  REQUIRE(early.ok());
  CHECK_THAT(early->pending_secrets, Catch::VectorContains(m.backend_certificate));
  CHECK_THAT(early->pushed_secrets, !Catch::VectorContains(m.backend_certificate));
  REQUIRE(hop.Vote().value().status == 200);
  auto report = [&] { return hop.plane->HopsBetween("yelb-ui", "yelb-appserver").at(0).report; };
  CHECK(HexOnly(report().server_cert_serial) == old_serial);

  REQUIRE(m.t.emulator().AdvanceClock(std::chrono::minutes(29)).ok());
  CHECK_THAT(hop.plane->OnClockAdvanced()->pending_secrets,
             Catch::VectorContains(m.backend_certificate));
  REQUIRE(m.t.emulator().AdvanceClock(std::chrono::minutes(2)).ok());
  auto due = hop.plane->OnClockAdvanced();
  REQUIRE(due.ok());
  CHECK_THAT(due->pushed_secrets, Catch::VectorContains(m.backend_certificate));
  REQUIRE(hop.Vote().value().status == 200);
  CHECK(HexOnly(report().server_cert_serial) == new_serial);
}

TEST_CASE("A certificate not delivered yet fails the connections that need it until it arrives") {
  TwoAccountMesh m;
  m.CreateWalkthroughNodes();
  RunningHop hop(
      m, {.certificate_delivery_delay = std::chrono::minutes(10), .delay_first_delivery = true});
  hop.StartBoth();

  auto before = hop.Vote();
  REQUIRE(before);
  CHECK(before->status == 503);
  CHECK(hop.app.requests() == 0);

  REQUIRE(m.t.emulator().AdvanceClock(std::chrono::minutes(11)).ok());
  auto synced = hop.plane->OnClockAdvanced();
  REQUIRE(synced.ok());
  CHECK_THAT(synced->pushed_secrets, Catch::VectorContains(m.backend_certificate));
  auto after = hop.Vote();
  REQUIRE(after);
  CHECK(after->status == 200);
}

TEST_CASE("CA trust is fetched as the node's account and only through a RAM share") {
  TwoAccountMesh m;
  std::string private_ca = CreateActiveRootCa(m.t, "frontend");  // never shared
  proxy::SecretStore store;
  control::SecretDelivery delivery(m.t.emulator(), store, std::chrono::seconds(0), false);

  auto need = [&](const std::string& account, const std::string& ca) {
    return control::SecretNeed{.kind = control::SecretNeed::Kind::kAcmTrust,
                               .name = control::AcmTrustSecretName(account, {ca}),
                               .account = account,
                               .region = "us-west-2",
                               .arns = {ca},
                               .node = "yelb-appserver"};
  };
  control::SyncReport report;
  delivery.Deliver(
      {need(kBackendId, m.ca_arn), need(kBackendId, private_ca), need(kFrontendId, private_ca)},
      m.t.emulator().clock().Now(), report);

  CHECK(store.Get(control::AcmTrustSecretName(kBackendId, {m.ca_arn})));
  CHECK(store.Get(control::AcmTrustSecretName(kFrontendId, {private_ca})));
  // The backend has no share of the private CA: that trust is never supplied.
  CHECK_FALSE(store.Get(control::AcmTrustSecretName(kBackendId, {private_ca})));
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].code == "AccessDeniedException");
  CHECK(report.problems[0].node == "yelb-appserver");
  CHECK_THAT(report.problems[0].message,
             Catch::Contains(private_ca) && Catch::Contains(kBackendId));
}

TEST_CASE("A stopped proxy fails its peers' requests and a restart brings it back") {
  TwoAccountMesh m;
  m.CreateWalkthroughNodes();
  RunningHop hop(m);
  hop.StartBoth();
  REQUIRE(hop.Vote().value().status == 200);

  REQUIRE(hop.plane->StopProxy("yelb-appserver").ok());
  CHECK_FALSE(hop.plane->FindProxy("yelb-appserver"));
  auto down = hop.Vote();
  REQUIRE(down);
  CHECK(down->status == 503);

  REQUIRE(hop.plane->RestartProxy("yelb-appserver").ok());
  auto info = hop.plane->Info("yelb-appserver");
  REQUIRE(info.ok());
  CHECK(info->listeners.at(0).proxy == hop.appserver.listeners.at(0).proxy);
  auto back = hop.Vote();
  REQUIRE(back);
  CHECK(back->status == 200);
}

TEST_CASE("A mesh change reaches a running proxy without dropping it") {
  TwoAccountMesh m;
  m.CreateWalkthroughNodes();
  RunningHop hop(m);
  hop.StartBoth();
  REQUIRE(hop.Vote().value().status == 200);

  // The backend sends /api/ to a path the appserver answers with 503 from now on.
  json route = HttpRouteSpec("yelb-appserver");
  route["httpRoute"]["match"] = {{"prefix", "/status/"}};
  MeshOk(m.t, "backend", "PUT",
         MeshPath(kMesh, "/virtualRouter/yelb-appserver-router/routes/route-to-yelb-appserver"),
         {{"spec", route}}, kOwnerQuery);
  auto synced = hop.plane->Sync();
  REQUIRE(synced.ok());
  CHECK(synced->mesh_changes >= 1);
  CHECK_THAT(synced->updated_nodes, Catch::VectorContains(std::string("yelb-ui")));

  auto unrouted = hop.Vote();
  REQUIRE(unrouted);
  CHECK(unrouted->status == 404);
  auto routed =
      HttpCall(*hop.ui.Backend(kAppserverService), "GET", "/status/201", kAppserverService);
  REQUIRE(routed);
  CHECK(routed->status == 201);
}

TEST_CASE("AddWorkload refuses a node of another account and a node that is not in the mesh") {
  TwoAccountMesh m;
  m.CreateWalkthroughNodes();
  RunningHop hop(m);

  // The appserver is the backend's node: a frontend proxy cannot stream its configuration.
  auto wrong_account = hop.plane->AddWorkload({.account = "frontend",
                                               .mesh = kMesh,
                                               .mesh_owner = kFrontendId,
                                               .virtual_node = "yelb-appserver"});
  CHECK(wrong_account.status().code() == "AccessDeniedException");
  CHECK_THAT(wrong_account.status().message(),
             Catch::Contains("yelb-appserver") && Catch::Contains(kBackendId));

  auto missing = hop.plane->AddWorkload({.account = "backend",
                                         .mesh = kMesh,
                                         .mesh_owner = kFrontendId,
                                         .virtual_node = "redis-server"});
  CHECK(missing.status().code() == "NotFoundException");
  CHECK_THAT(missing.status().message(), Catch::Contains("redis-server"));
  // Nothing was left behind: the right account can still add the node.
  CHECK(hop.plane->Workloads().empty());
  hop.StartBoth();
  CHECK(hop.plane->Workloads().size() == 2);
}
