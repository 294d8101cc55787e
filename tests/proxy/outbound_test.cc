// The outbound HTTP side: routing by Host on the proxy port, no route, retries per
// retryPolicy, and keep-alive reuse of upstream connections.
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <thread>

#include "tests/proxy/h2_test_client.h"
#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

TEST_CASE("A gateway-error retry policy retries 503 answers and passes on the last one") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.retry = RetryPolicy{2, Milliseconds(2000), {HttpRetryEvent::kGatewayError}, false};
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawHttpMessage> reply = hop.Get("/status/503");
  REQUIRE(reply.has_value());
  CHECK(reply->status == 503);
  CHECK(reply->Header("x-app") == "yelb-appserver");  // the app's answer, not a local one
  CHECK(hop.app().requests() == 3);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_retry") == 2);

  std::optional<RawHttpMessage> conflict = hop.Get("/status/409");
  REQUIRE(conflict.has_value());
  CHECK(conflict->status == 409);
  CHECK(hop.app().requests() == 4);  // client-error is not in the policy
}

TEST_CASE("A request that fails TLS is retried under a server-error policy and then fails") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.policy->validation->trust_secret = "other-ca";
  options.retry = RetryPolicy{3, Milliseconds(2000), {HttpRetryEvent::kServerError}, false};
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawHttpMessage> reply = hop.Get();
  REQUIRE(reply.has_value());
  CHECK(reply->status == 503);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.fail_verify_error") == 4);
}

TEST_CASE("Keep-alive requests from the app reuse one upstream TLS connection") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  for (int i = 0; i < 5; ++i) {
    REQUIRE(socket->WriteAll(BuildRequest("GET", "/" + std::to_string(i), "", kService, true)));
    std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
    REQUIRE(reply.has_value());
    CHECK(reply->status == 200);
  }
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.handshake") == 1);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_total") == 5);
}

TEST_CASE("The HTTP proxy port routes by Host and answers 404 for unknown hosts") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  ProxyConfig config =
      ClientConfig("ui-proxy-port", hop.server_port(), options, mesh.pki.clock.Function());
  config.outbounds[0].kind = OutboundKind::kHttpProxy;
  config.outbounds[0].virtual_service.clear();
  auto proxy = mesh.runtime.Start(config);
  INFO(proxy.status().ToString());
  REQUIRE(proxy.ok());
  const uint16_t port = proxy.value()->OutboundPort("backend");

  std::optional<RawHttpMessage> routed =
      HttpRequestOnce(port, "GET", "/votes", "", std::string(kService) + ":4567");
  REQUIRE(routed.has_value());
  CHECK(routed->status == 200);
  std::optional<RawHttpMessage> absolute =
      HttpRequestOnce(port, "GET", std::string("http://") + kService + "/abs", "", "ignored");
  REQUIRE(absolute.has_value());
  CHECK(absolute->status == 200);
  CHECK(absolute->body.find("GET /abs") != std::string::npos);
  std::optional<RawHttpMessage> unknown = HttpRequestOnce(port, "GET", "/", "", "nobody.local");
  REQUIRE(unknown.has_value());
  CHECK(unknown->status == 404);
  CHECK(proxy.value()->StatValue("http.egress.no_route") == 1);
  mesh.runtime.Stop("ui-proxy-port");
}

// A keep-alive connection to the client's sidecar that has had one request answered.
std::optional<RawSocket> ConnectAndAnswerOnce(Hop& hop) {
  std::optional<RawSocket> open = RawSocket::Connect(hop.client_port());
  REQUIRE(open.has_value());
  REQUIRE(open->WriteAll(BuildRequest("GET", "/before", "", kService, true)));
  REQUIRE(open->ReadMessage(true)->status == 200);
  return open;
}

TEST_CASE("After an update an open connection finishes its request as it was, then closes") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> open = ConnectAndAnswerOnce(hop);

  ProxyConfig broken = hop.client().Config();
  broken.clusters[0].tls_policy->validation->trust_secret = "other-ca";
  broken.outbounds[0].port = 0;
  REQUIRE(mesh.runtime.Update(broken).ok());

  CHECK(hop.Get()->status == 503);  // a new connection sees the new (failing) policy
  // The open one drains, as an Envoy listener update does: the request it sends next is
  // answered as before, and told the connection ends, so that its client reconnects and gets
  // the new configuration instead of keeping the old one for as long as it stays open.
  REQUIRE(open->WriteAll(BuildRequest("GET", "/after", "", kService, true)));
  std::optional<RawHttpMessage> reply = open->ReadMessage(true);
  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->Header("connection") == "close");
  bool closed = false;
  open->ReadUntilClosed(std::chrono::milliseconds(3000), closed);
  CHECK(closed);
  CHECK(hop.client().StatValue("http.egress.downstream_cx_drain_close") == 1);
}

TEST_CASE("After an update the next sidecar's open connections drain too") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> open = ConnectAndAnswerOnce(hop);

  // The server's listener changes (a new idle time will do): its connection from the client's
  // sidecar ends after its next answer, and the client's next request takes a new one.
  ProxyConfig changed = hop.server().Config();
  changed.http.idle_timeout = Milliseconds(200000);
  REQUIRE(hop.server().Update(changed).ok());
  const std::string handshakes = "cluster." + hop.cluster() + ".ssl.handshake";
  for (const char* target : {"/drained", "/reconnected"}) {
    REQUIRE(open->WriteAll(BuildRequest("GET", target, "", kService, true)));
    std::optional<RawHttpMessage> reply = open->ReadMessage(true);
    REQUIRE(reply.has_value());
    CHECK(reply->status == 200);
    CHECK(reply->Header("connection") != "close");  // the app's connection goes on
  }
  CHECK(hop.client().StatValue(handshakes) == 2);
  CHECK(hop.server().StatValue("http.ingress.downstream_cx_drain_close") == 1);
}

TEST_CASE("After an update an open HTTP/2 connection is told to go away once it is answered") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  H2TestClient client(hop.client_port());
  const int32_t before = client.Request("/before", kService);
  REQUIRE(client.ReadUntil([&] { return client.stream(before).closed; },
                           std::chrono::milliseconds(5000)));

  ProxyConfig changed = hop.client().Config();
  changed.http.idle_timeout = Milliseconds(200000);
  REQUIRE(hop.client().Update(changed).ok());
  const int32_t after = client.Request("/after", kService);
  REQUIRE(client.ReadUntil([&] { return client.stream(after).closed; },
                           std::chrono::milliseconds(5000)));

  CHECK(client.stream(after).status == 200);
  CHECK(client.goaway_last_stream() == after);
  CHECK(hop.client().StatValue("http.egress.downstream_cx_drain_close") == 1);
}

TEST_CASE("A 1 MiB body crosses two mutual-TLS hops intact both ways") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  std::string body;
  for (int i = 0; body.size() < 1024 * 1024; ++i) body += std::to_string(i) + ",";

  std::optional<RawHttpMessage> reply = hop.Get("/upload", body);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body == "yelb-appserver got POST /upload body=" + body);
}

TEST_CASE("A client that expects 100-continue is told to go on and its body goes through") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(std::string("POST /upload HTTP/1.1\r\nHost: ") + kService +
                           "\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  std::optional<RawHttpMessage> go_on = socket->ReadMessage(true);
  REQUIRE(go_on.has_value());
  CHECK(go_on->status == 100);

  REQUIRE(socket->WriteAll("hello"));
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body == "yelb-appserver got POST /upload body=hello");
}

TEST_CASE("An HTTP/1.1 request without Host, or with two, gets 400 and is not forwarded") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);

  for (const std::string hosts : {"", "host: a\r\nHost: b\r\n"}) {
    INFO(hosts);
    std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
    REQUIRE(socket.has_value());
    REQUIRE(socket->WriteAll("GET /hosts HTTP/1.1\r\n" + hosts + "\r\n"));
    std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
    REQUIRE(reply.has_value());
    CHECK(reply->status == 400);
  }
  CHECK(hop.app().requests() == 0);
  CHECK(hop.client().StatValue("http.egress.downstream_cx_protocol_error") == 2);
}

TEST_CASE("A client that stalls partway through a request gets 408 at the idle time") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.http_idle_timeout = Milliseconds(300);
  // The app's sidecar sees the same silence a moment later: a loaded host's scheduling could
  // let it answer first.
  options.server_idle_timeout = Milliseconds(3000);
  options.http_max_body_bytes = 64 * 1024;  // larger bodies stream to the app as they come
  Hop hop(mesh.runtime, mesh.pki, options);

  // In its head, in its body (held whole, or streaming by length or in chunks), and (not
  // told: nothing was asked) between requests.
  const std::string host = std::string("host: ") + kService + "\r\n";
  const std::string part(100000, 'p');
  for (const std::string& sent :
       {"GET /stalled HTTP/1.1\r\n" + host,
        "POST /stalled HTTP/1.1\r\n" + host + "content-length: 100\r\n\r\nonly part",
        "POST /stalled HTTP/1.1\r\n" + host + "content-length: 200000\r\n\r\n" + part,
        "POST /stalled HTTP/1.1\r\n" + host + "transfer-encoding: chunked\r\n\r\n186a0\r\n" + part +
            "\r\n3\r\nab",
        std::string()}) {
    INFO(sent);
    std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
    REQUIRE(socket.has_value());
    if (!sent.empty()) REQUIRE(socket->WriteAll(sent));
    bool closed = false;
    const std::string got = socket->ReadUntilClosed(std::chrono::milliseconds(5000), closed);
    CHECK(closed);
    INFO("got: " << got.substr(0, 300));
    CHECK(got.starts_with(sent.empty() ? "" : "HTTP/1.1 408"));
    if (sent.empty()) CHECK(got.empty());
  }
  CHECK(hop.client().StatValue("http.egress.downstream_rq_timeout") == 4);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_4xx") == 4);
  CHECK(hop.app().requests() == 0);
}

TEST_CASE("A body held whole may take longer than the idle time while it keeps coming") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.http_idle_timeout = Milliseconds(500);
  options.server_idle_timeout = Milliseconds(5000);
  Hop hop(mesh.runtime, mesh.pki, options);

  // Ten bytes every 150 ms: 750 ms in all, never silent for the 500 ms idle time (a gap
  // stretched by a loaded host still falls short of it).
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  REQUIRE(socket->WriteAll(std::string("POST /slow HTTP/1.1\r\nhost: ") + kService +
                           "\r\ncontent-length: 50\r\n\r\n"));
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(Milliseconds(150));
    REQUIRE(socket->WriteAll("piece" + std::to_string(i) + "...."));
  }
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body ==
        "yelb-appserver got POST /slow body=piece0....piece1....piece2...."
        "piece3....piece4....");
  CHECK(hop.client().StatValue("http.egress.downstream_rq_timeout") == 0);
}

TEST_CASE("A client that half-closes after its request is gone: it is sent no answer") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  // Envoy resets such a request; a made-up 503 "client reset" would be a lie to read.
  REQUIRE(socket->WriteAll(BuildRequest("GET", "/sleep/1000", "", kService, true)));
  ::shutdown(socket->fd(), SHUT_WR);
  bool closed = false;
  const std::string got = socket->ReadUntilClosed(std::chrono::milliseconds(5000), closed);

  CHECK(closed);
  CHECK(got.empty());
  CHECK(hop.client().StatValue("http.egress.downstream_rq_rx_reset") == 1);
}

}  // namespace
}  // namespace crossmesh::proxy::testing
