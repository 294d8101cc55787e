// Response bodies passed on as they arrive (BodyTail): a body is never held whole on the way
// to an HTTP/1.1 client, so it is not bound by http.max_body_bytes; one that breaks off or
// stalls ends the client's connection, since its head is already sent.
#include <catch2/catch.hpp>

#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

using std::chrono::milliseconds;

HopOptions SmallBodyLimit() {
  HopOptions options;
  options.policy = TrustMeshCa();
  options.http_max_body_bytes = 64 * 1024;
  return options;
}

// Reads one response's head and what follows until the proxy closes the connection.
std::string ReadUntilClosed(RawSocket& socket, bool& closed) {
  return socket.ReadUntilClosed(milliseconds(5000), closed);
}

TEST_CASE("A response body over the body limit streams through both hops intact") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());

  std::optional<RawHttpMessage> reply = hop.Get("/bytes/1048576");

  REQUIRE(reply.has_value());
  INFO(reply->body.substr(0, 300));
  CHECK(reply->status == 200);
  CHECK(reply->Header("x-app") == "yelb-appserver");
  CHECK(reply->body.size() == 1048576);
  CHECK(reply->body == TestApp::PatternBytes(1048576));
}

TEST_CASE("Streamed bodies leave their upstream connections open for the next request") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  for (int i = 0; i < 3; ++i) {
    REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/300000", "", kService, true)));
    std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
    REQUIRE(reply.has_value());
    CHECK(reply->body == TestApp::PatternBytes(300000));
  }

  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.handshake") == 1);
  CHECK(hop.app().connections() == 1);
}

TEST_CASE("An upstream that closes halfway through a body closes the client's connection") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/200000/cut", "", kService, true)));
  bool closed = false;
  const std::string got = ReadUntilClosed(*socket, closed);

  CHECK(closed);
  CHECK(got.starts_with("HTTP/1.1 200"));
  CHECK(Contains(got, "content-length: 200000"));
  CHECK(got.size() < 200000);  // the head went ahead; the body never completed
  std::optional<RawHttpMessage> next = hop.Get("/");
  REQUIRE(next.has_value());
  CHECK(next->status == 200);
}

TEST_CASE("A body that stalls past the app's request timeout ends the client's connection") {
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.server_request_timeout = milliseconds(300);
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/200000/pause-3000", "", kService, true)));
  bool closed = false;
  const auto start = std::chrono::steady_clock::now();
  const std::string got = ReadUntilClosed(*socket, closed);

  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(2500));  // before the app goes on
  CHECK(got.starts_with("HTTP/1.1 200"));
  CHECK(got.size() < 200000);
}

TEST_CASE("A body silent for the route's idle timeout ends the client's connection") {
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.route_idle_timeout = milliseconds(300);
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/200000/pause-3000", "", kService, true)));
  bool closed = false;
  const auto start = std::chrono::steady_clock::now();
  const std::string got = ReadUntilClosed(*socket, closed);

  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(2500));
  CHECK(got.starts_with("HTTP/1.1 200"));
  CHECK(got.size() < 200000);
}

TEST_CASE("A large retriable answer is passed on whole when every retry fails too") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.retry = RetryPolicy{2, milliseconds(2000), {HttpRetryEvent::kGatewayError}, false};

  SECTION("within the body limit, the kept answer") {
    Hop hop(mesh.runtime, mesh.pki, options);
    std::optional<RawHttpMessage> reply = hop.Get("/bytes/100000/503");
    REQUIRE(reply.has_value());
    CHECK(reply->status == 503);
    CHECK(reply->body == TestApp::PatternBytes(100000));
    CHECK(hop.app().requests() == 3);
  }
  SECTION("over the body limit, the last attempt's answer, streamed") {
    options.http_max_body_bytes = 64 * 1024;
    Hop hop(mesh.runtime, mesh.pki, options);
    std::optional<RawHttpMessage> reply = hop.Get("/bytes/100000/503");
    REQUIRE(reply.has_value());
    CHECK(reply->status == 503);
    CHECK(reply->Header("x-app") == "yelb-appserver");
    CHECK(reply->body == TestApp::PatternBytes(100000));
    CHECK(hop.app().requests() == 3);
  }
}

TEST_CASE("A chunked response, which cannot be streamed, is held to the body limit") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());

  std::optional<RawHttpMessage> within = hop.Get("/bytes/30000/chunked");
  std::optional<RawHttpMessage> over = hop.Get("/bytes/100000/chunked");

  REQUIRE(within.has_value());
  CHECK(within->status == 200);
  CHECK(within->body == TestApp::PatternBytes(30000));
  REQUIRE(over.has_value());
  CHECK(over->status == 503);
  CHECK(Contains(over->body, "max_body_bytes"));
}

}  // namespace
}  // namespace crossmesh::proxy::testing
