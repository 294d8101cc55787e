// A listener's connectionPool (App Mesh) as Envoy applies it, through the circuit breakers of
// the cluster to its app: HTTP/1.1 requests past maxConnections wait their turn, up to
// maxPendingRequests of them, and the next overflows with 503 "reset reason: overflow"; a TCP
// connection past maxConnections is closed. Both counted on the app's cluster.
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "tests/proxy/grpc_peer.h"
#include "tests/proxy/h2_test_client.h"
#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

using std::chrono::milliseconds;

// A hop whose server listener has `pool` as its connectionPool.
HopOptions Pooled(AppConnectionPool pool) {
  HopOptions options;
  options.policy = TrustMeshCa();
  options.server_connection_pool = pool;
  return options;
}

std::string AppCluster(Protocol protocol) {
  return "cluster.cds_ingress_" + std::string(kMesh) + "_yelb-appserver_" +
         std::string(ProtocolName(protocol)) + "_0.";
}

// The requests the app's sidecar took in, counted before any waits for its turn at the app.
constexpr const char* kIngressRequests = "http.ingress.downstream_rq_total";

// A request sent now is answered at once (not after the app's long answer to a client that
// left), and that client's leaving was counted.
void CheckNextAnsweredAtOnce(Hop& hop) {
  const auto started = std::chrono::steady_clock::now();
  std::optional<RawHttpMessage> next = hop.Get("/next");
  REQUIRE(next.has_value());
  CHECK(next->status == 200);
  CHECK(std::chrono::steady_clock::now() - started < milliseconds(2000));
  CHECK(hop.client().StatValue("http.egress.downstream_rq_rx_reset") == 1);
}

TEST_CASE("HTTP requests past maxConnections wait their turn, and past the queue overflow") {
  Mesh mesh;
  HopOptions options = Pooled({.max_connections = 1, .max_pending_requests = 1});
  Hop hop(mesh.runtime, mesh.pki, options);
  const std::string app = AppCluster(Protocol::kHttp);

  // The first holds the app's one connection for 3 s (long enough for the others to come
  // while it does on a loaded host); the second waits for it.
  auto first = std::async(std::launch::async, [&] { return hop.Get("/sleep/3000"); });
  REQUIRE(Eventually([&] { return hop.server().StatValue(app + "upstream_rq_total"); }, 1) == 1);
  auto second = std::async(std::launch::async, [&] { return hop.Get("/second"); });
  // The app's sidecar counts a request as it starts waiting for its turn: the second is queued.
  REQUIRE(Eventually([&] { return hop.server().StatValue(kIngressRequests); }, 2) == 2);
  std::optional<RawHttpMessage> third = hop.Get("/third");

  REQUIRE(third.has_value());
  CHECK(third->status == 503);
  CHECK(third->body ==
        "upstream connect error or disconnect/reset before headers. reset reason: overflow");
  CHECK(third->Header("x-envoy-overloaded") == "true");
  std::optional<RawHttpMessage> first_reply = first.get();
  std::optional<RawHttpMessage> second_reply = second.get();
  REQUIRE(first_reply.has_value());
  CHECK(first_reply->status == 200);
  REQUIRE(second_reply.has_value());
  CHECK(second_reply->status == 200);
  CHECK(second_reply->body == "yelb-appserver got GET /second body=");
  CHECK(hop.server().StatValue(app + "upstream_rq_pending_overflow") == 1);
  CHECK(hop.server().StatValue(app + "upstream_rq_pending_total") == 1);
  CHECK(hop.server().StatValue(app + "upstream_rq_total") == 2);  // the third never left
  CHECK(hop.server().StatValue(app + "upstream_rq_5xx") == 1);
}

TEST_CASE("A client that leaves gives up its place at the app and in the queue at once") {
  Mesh mesh;
  HopOptions options = Pooled({.max_connections = 1, .max_pending_requests = 2});
  Hop hop(mesh.runtime, mesh.pki, options);
  const std::string app = AppCluster(Protocol::kHttp);

  // One client's request is at the app for 3 s, another's waits behind it; both leave.
  std::optional<RawSocket> at_app = RawSocket::Connect(hop.client_port());
  REQUIRE(at_app.has_value());
  REQUIRE(at_app->WriteAll(BuildRequest("GET", "/sleep/3000", "", kService, true)));
  REQUIRE(Eventually([&] { return hop.server().StatValue(app + "upstream_rq_total"); }, 1) == 1);
  std::optional<RawSocket> queued = RawSocket::Connect(hop.client_port());
  REQUIRE(queued.has_value());
  REQUIRE(queued->WriteAll(BuildRequest("GET", "/queued", "", kService, true)));
  REQUIRE(Eventually([&] { return hop.server().StatValue(kIngressRequests); }, 2) == 2);
  // The waiting one first: both sidecars see it go within a few looks at it, and the app's
  // counts it as it gives up its place, before the turn it waits for is freed (which one gets
  // a freed turn is otherwise a race, as in Envoy).
  queued.reset();
  REQUIRE(Eventually([&] { return hop.server().StatValue("http.ingress.downstream_rq_rx_reset"); },
                     1) == 1);
  at_app.reset();

  const auto start = std::chrono::steady_clock::now();
  std::optional<RawHttpMessage> next = hop.Get("/next");
  const auto waited = std::chrono::steady_clock::now() - start;

  REQUIRE(next.has_value());
  CHECK(next->status == 200);
  CHECK(waited < milliseconds(2000));  // not until the app answers the one that left
  CHECK(hop.app().requests() == 2);    // the queued one never reached the app
}

TEST_CASE("An HTTP/2 client whose connection is reset gives up its place at the app at once") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Pooled({.max_connections = 1, .max_pending_requests = 1}));
  const std::string app = AppCluster(Protocol::kHttp);
  {
    H2TestClient client(hop.client_port());
    client.Request("/sleep/3000", kService);
    REQUIRE(Eventually([&] { return hop.server().StatValue(app + "upstream_rq_total"); }, 1) == 1);
    client.ResetConnection();  // a crash: nothing can be sent to it any more
  }

  // Its request no longer holds the app's one turn: the next one is answered at once, not
  // after the 3 s the first would have taken.
  CheckNextAnsweredAtOnce(hop);
}

TEST_CASE("A client that leaves after sending a large upload gives up its place too") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.http_max_body_bytes = 64 * 1024;
  options.server_connection_pool = {.max_connections = 1, .max_pending_requests = 1};
  Hop hop(mesh.runtime, mesh.pki, options);
  const std::string app = AppCluster(Protocol::kHttp);

  // Its body streamed past the limit and ended; the app then takes 3 s to answer.
  std::optional<RawSocket> left = RawSocket::Connect(hop.client_port());
  REQUIRE(left.has_value());
  REQUIRE(left->WriteAll(
      BuildRequest("POST", "/sleep/3000", TestApp::PatternBytes(200000), kService, true)));
  REQUIRE(Eventually([&] { return hop.server().StatValue(app + "upstream_rq_total"); }, 1) == 1);
  std::this_thread::sleep_for(milliseconds(300));  // the whole body has crossed
  left.reset();

  CheckNextAnsweredAtOnce(hop);
}

TEST_CASE("A streamed answer keeps its turn at the app until its body is through") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.http_max_body_bytes = 64 * 1024;
  options.server_connection_pool = {.max_connections = 1, .max_pending_requests = 1};
  Hop hop(mesh.runtime, mesh.pki, options);
  const std::string app = AppCluster(Protocol::kHttp);

  // The answer's head comes at once and its body 3 s later: a request behind it waits.
  auto streamed =
      std::async(std::launch::async, [&] { return hop.Get("/bytes/200000/pause-3000"); });
  // The app's sidecar has passed the head on (and counted it): only the body holds the turn.
  REQUIRE(Eventually([&] { return hop.server().StatValue("http.ingress.downstream_rq_2xx"); }, 1) ==
          1);
  std::optional<RawHttpMessage> next = hop.Get("/next");
  std::optional<RawHttpMessage> streamed_reply = streamed.get();

  REQUIRE(next.has_value());
  CHECK(next->status == 200);
  REQUIRE(streamed_reply.has_value());
  CHECK(streamed_reply->body == TestApp::PatternBytes(200000));
  CHECK(hop.server().StatValue(app + "upstream_rq_pending_total") == 1);
}

TEST_CASE("A configuration update that keeps the limits keeps counting what is at the app") {
  Mesh mesh;
  HopOptions options = Pooled({.max_connections = 1, .max_pending_requests = 0});
  Hop hop(mesh.runtime, mesh.pki, options);
  const std::string app = AppCluster(Protocol::kHttp);

  // At the app for 3 s: long enough for the update and the next request on a loaded host.
  auto busy = std::async(std::launch::async, [&] { return hop.Get("/sleep/3000"); });
  REQUIRE(Eventually([&] { return hop.server().StatValue(app + "upstream_rq_total"); }, 1) == 1);
  ProxyConfig changed = hop.server().Config();
  changed.http.idle_timeout = Milliseconds(200000);  // anything but the listener's limits
  REQUIRE(hop.server().Update(changed).ok());
  std::optional<RawHttpMessage> refused = hop.Get("/after-update");

  REQUIRE(refused.has_value());
  CHECK(refused->status == 503);  // the one request the app may have is still the first's
  std::optional<RawHttpMessage> first = busy.get();
  REQUIRE(first.has_value());
  CHECK(first->status == 200);
}

TEST_CASE("Without a connectionPool nothing waits or overflows") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  const std::string app = AppCluster(Protocol::kHttp);

  std::vector<std::future<std::optional<RawHttpMessage>>> replies;
  for (int i = 0; i < 4; ++i) {
    replies.push_back(std::async(std::launch::async, [&] { return hop.Get("/sleep/300"); }));
  }
  for (auto& reply : replies) {
    std::optional<RawHttpMessage> got = reply.get();
    REQUIRE(got.has_value());
    CHECK(got->status == 200);
  }
  CHECK(hop.server().StatValue(app + "upstream_rq_pending_total") == 0);
}

TEST_CASE("A gRPC call past maxRequests overflows at once, as UNAVAILABLE") {
  GrpcServer grpc_app;
  Mesh mesh;
  HopOptions options = TappedMutual("connection-pool-marker");
  options.protocol = Protocol::kGrpc;
  options.external_app_port = grpc_app.port();
  options.server_connection_pool = {.max_requests = 1};
  Hop hop(mesh.runtime, mesh.pki, options);
  const std::string app = AppCluster(Protocol::kGrpc);
  const std::string target = "127.0.0.1:" + std::to_string(hop.client_port());

  // A streaming call holds the one request the app may have until it ends: 5 s, as the
  // refused call is a fresh python3 process, slow to start on a loaded host.
  auto open_call = std::async(std::launch::async, [&] {
    return ChatGrpcAt(target, {"one", "pause:5000", "two"});
  });
  REQUIRE(Eventually([&] { return hop.server().StatValue(app + "upstream_rq_total"); }, 1,
                     std::chrono::seconds(20)) == 1);
  const nlohmann::json refused = CallGrpcAt(target, 1);
  const nlohmann::json finished = open_call.get();
  const nlohmann::json after = CallGrpcAt(target, 1);

  INFO(refused.dump() << finished.dump() << after.dump());
  CHECK(refused[0].value("code", "") == "UNAVAILABLE");
  CHECK(refused[0].value("details", "").find("reset reason: overflow") != std::string::npos);
  CHECK(finished.value("code", "") == "OK");
  CHECK(after[0].contains("reply"));
  CHECK(hop.server().StatValue(app + "upstream_rq_pending_overflow") == 1);
}

TEST_CASE("A TCP connection past maxConnections is closed, and counted") {
  Mesh mesh;
  HopOptions options;
  options.protocol = Protocol::kTcp;
  options.policy = TrustMeshCa();
  options.server_connection_pool = {.max_connections = 1};
  Hop hop(mesh.runtime, mesh.pki, options);
  const std::string app = AppCluster(Protocol::kTcp);

  std::optional<RawSocket> first = RawSocket::Connect(hop.client_port());
  REQUIRE(first.has_value());
  REQUIRE(first->WriteAll("one"));
  REQUIRE(first->WaitFor("one"));  // echoed: the first holds the app's one connection
  std::optional<RawSocket> second = RawSocket::Connect(hop.client_port());
  REQUIRE(second.has_value());
  second->WriteAll("two");
  bool closed = false;
  const std::string got = second->ReadUntilClosed(milliseconds(5000), closed);

  CHECK(closed);
  CHECK(got.empty());
  CHECK(hop.server().StatValue(app + "upstream_cx_overflow") == 1);
  CHECK(hop.app().connections() == 1);

  // Once the first has gone (its close takes a moment to cross both sidecars), a new one
  // gets through.
  first.reset();
  bool echoed = false;
  for (int attempt = 0; attempt < 50 && !echoed; ++attempt) {
    std::optional<RawSocket> next = RawSocket::Connect(hop.client_port());
    REQUIRE(next.has_value());
    echoed = next->WriteAll("three") && next->WaitFor("three");
    if (!echoed) std::this_thread::sleep_for(milliseconds(100));
  }
  CHECK(echoed);
}

}  // namespace
}  // namespace crossmesh::proxy::testing
