// WebSocket through the sidecars. App Mesh's Envoy passes WebSocket upgrades on http listeners
// (its upgrade_configs), drops h2c ones and refuses any other with 403. After the app's 101
// the proxies copy bytes both ways, across the mesh hop's mutual TLS.
#include <catch2/catch.hpp>

#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

constexpr const char* kFrame = "WEBSOCKET-FRAME-5e1d";

std::string UpgradeRequest(const std::string& target, const std::string& protocol) {
  return "GET " + target + " HTTP/1.1\r\nhost: " + std::string(kService) +
         "\r\nconnection: Upgrade\r\nupgrade: " + protocol +
         "\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n";
}

std::optional<RawSocket> ConnectTo(uint16_t port) {
  std::optional<RawSocket> socket = RawSocket::Connect(port);
  REQUIRE(socket.has_value());
  return socket;
}

// A tapped mutual-TLS hop, and an app's connection to its outbound port.
struct Client {
  explicit Client(HopOptions options = TappedMutual(kFrame))
      : hop(mesh.runtime, mesh.pki, std::move(options)), socket(ConnectTo(hop.client_port())) {}

  Mesh mesh;
  Hop hop;
  std::optional<RawSocket> socket;
};

TEST_CASE("A WebSocket upgrade crosses both sidecars and carries bytes both ways, encrypted") {
  Client client;
  Hop& hop = client.hop;
  std::optional<RawSocket>& socket = client.socket;

  REQUIRE(socket->WriteAll(UpgradeRequest("/websocket", "websocket")));
  std::optional<RawHttpMessage> switched = socket->ReadMessage(true);

  REQUIRE(switched.has_value());
  CHECK(switched->status == 101);
  CHECK(switched->Header("upgrade") == "websocket");
  CHECK(switched->Header("connection") == "upgrade");
  CHECK(switched->Header("sec-websocket-accept") == "test");  // the app's, passed on
  CHECK(hop.app().last_header("upgrade") == "websocket");
  CHECK(hop.app().last_header("sec-websocket-key") == "dGhlIHNhbXBsZSBub25jZQ==");
  // The app's greeting left in the same write as its 101, before anyone spoke to it.
  CHECK(socket->WaitFor("hello"));
  std::string expected = "hello";
  for (int i = 0; i < 3; ++i) {
    const std::string frame = std::string(kFrame) + "-" + std::to_string(i);
    REQUIRE(socket->WriteAll(frame));
    expected += frame;
    CHECK(socket->WaitFor(expected));
  }
  socket.reset();

  CHECK(hop.client().StatValue("http.egress.downstream_rq_1xx") == 1);
  CHECK(hop.server().StatValue("http.ingress.downstream_rq_1xx") == 1);
  tap::HopReport report = hop.tap()->Report();
  INFO(report.Summary());
  CHECK(report.encrypted);
  CHECK_FALSE(report.plaintext_marker_seen);
}

TEST_CASE("An upgrade to anything but WebSocket gets 403 with no body, as from Envoy") {
  Client client;
  Hop& hop = client.hop;
  std::optional<RawSocket>& socket = client.socket;

  REQUIRE(socket->WriteAll(UpgradeRequest("/", "TLS/1.2")));
  bool closed = false;
  const std::string got = socket->ReadUntilClosed(std::chrono::milliseconds(5000), closed);

  CHECK(closed);
  CHECK(got.starts_with("HTTP/1.1 403 Forbidden\r\n"));
  CHECK(Contains(got, "content-length: 0\r\n"));
  CHECK(got.ends_with("\r\n\r\n"));
  CHECK(hop.app().requests() == 0);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_4xx") == 1);
}

TEST_CASE("Two Upgrade fields are one list, refused as the same list in one field would be") {
  Client client;

  REQUIRE(client.socket->WriteAll(
      "GET / HTTP/1.1\r\nhost: " + std::string(kService) +
      "\r\nconnection: Upgrade\r\nupgrade: websocket\r\nupgrade: h2c\r\n\r\n"));
  std::optional<RawHttpMessage> reply = client.socket->ReadMessage(true);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 403);
  CHECK(client.hop.app().requests() == 0);
}

TEST_CASE("An app's switch to another protocol than the one asked for is a 503") {
  Client client;

  REQUIRE(client.socket->WriteAll(UpgradeRequest("/websocket-as-h2c", "websocket")));
  std::optional<RawHttpMessage> reply = client.socket->ReadMessage(true);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 503);
  CHECK(Contains(reply->body, "the upstream sent a malformed response"));
}

TEST_CASE("An h2c upgrade is dropped and the request answered over HTTP/1.1") {
  Client client;
  Hop& hop = client.hop;
  std::optional<RawSocket>& socket = client.socket;

  REQUIRE(socket->WriteAll("GET /plain HTTP/1.1\r\nhost: " + std::string(kService) +
                           "\r\nconnection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\n"
                           "http2-settings: AAMAAABkAAQAAP__\r\n\r\n"));
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body == "yelb-appserver got GET /plain body=");
  CHECK(hop.app().last_header("upgrade").empty());
  CHECK(hop.app().last_header("http2-settings").empty());
}

TEST_CASE("An app that declines a WebSocket upgrade has its answer passed on, and HTTP goes on") {
  Client client;
  std::optional<RawSocket>& socket = client.socket;

  REQUIRE(socket->WriteAll(UpgradeRequest("/status/400", "websocket")));
  std::optional<RawHttpMessage> declined = socket->ReadMessage(true);
  REQUIRE(socket->WriteAll(BuildRequest("GET", "/after", "", kService, true)));
  std::optional<RawHttpMessage> after = socket->ReadMessage(true);

  REQUIRE(declined.has_value());
  CHECK(declined->status == 400);
  REQUIRE(after.has_value());
  CHECK(after->status == 200);
  CHECK(after->body == "yelb-appserver got GET /after body=");
}

TEST_CASE("A WebSocket upgrade to an http2 listener gets 503 saying where WebSocket works") {
  HopOptions options = TappedMutual(kFrame);
  options.protocol = Protocol::kHttp2;
  Client client(options);
  std::optional<RawSocket>& socket = client.socket;

  REQUIRE(socket->WriteAll(UpgradeRequest("/websocket", "websocket")));
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 503);
  CHECK(Contains(reply->body, "serve WebSocket on an http listener"));
}

}  // namespace
}  // namespace crossmesh::proxy::testing
