// App Mesh's timeouts. A listener's perRequest bounds how long the app behind the sidecar has
// to answer (504 after it, as Envoy), its idle closes a connection that stays silent. A route's
// idle ends a request whose upstream stays silent (408, as Envoy's route idle_timeout), or a
// TCP connection that does.
#include <sys/socket.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

using std::chrono::milliseconds;

// Waits up to `limit` for the peer to close, reading (and dropping) what arrives.
bool ClosedWithin(RawSocket& socket, milliseconds limit) {
  bool closed = false;
  socket.ReadUntilClosed(limit, closed);
  return closed;
}

// The idle limit of the tests that keep a connection busy with messages 150 ms apart: a gap
// stretched several times over by a loaded host still falls short of it.
constexpr milliseconds kIdleLimit{800};

// A TCP connection with a kIdleLimit idle limit: echoes 150 ms apart keep it open well past
// the limit, then silence closes it.
void CheckEchoesKeepItOpenThenSilenceClosesIt(uint16_t port) {
  std::optional<RawSocket> socket = RawSocket::Connect(port);
  REQUIRE(socket.has_value());
  const auto opened = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    REQUIRE(socket->WriteAll("PING\r\n"));
    std::this_thread::sleep_for(milliseconds(150));
  }
  CHECK(std::chrono::steady_clock::now() - opened > milliseconds(1350));
  CHECK(ClosedWithin(*socket, milliseconds(3000)));
}

}  // namespace

TEST_CASE("An app slower than its listener's perRequest gets 504 upstream request timeout") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  // Long enough for the quick request's connect to the app on a loaded host; the slow one
  // outlasts it threefold.
  options.server_request_timeout = milliseconds(1000);
  Hop hop(mesh.runtime, mesh.pki, options);

  std::optional<RawHttpMessage> quick =
      HttpRequestOnce(hop.client_port(), "GET", "/sleep/20", "", kService);
  REQUIRE(quick.has_value());
  CHECK(quick->status == 200);

  std::optional<RawHttpMessage> slow =
      HttpRequestOnce(hop.client_port(), "GET", "/sleep/3000", "", kService);
  REQUIRE(slow.has_value());
  CHECK(slow->status == 504);
  CHECK(slow->body == "upstream request timeout");
}

TEST_CASE("A listener's idle timeout closes a silent HTTP connection, not a busy one") {
  Mesh mesh;
  HopOptions options;
  options.server_tls.reset();  // plaintext, so the test speaks to the listener itself
  options.server_idle_timeout = kIdleLimit;
  Hop hop(mesh.runtime, mesh.pki, options);

  std::optional<RawSocket> busy = RawSocket::Connect(hop.server_port());
  REQUIRE(busy.has_value());
  // 10 requests 150 ms apart: never 800 ms of silence, yet open for longer than that in all.
  for (int i = 0; i < 10; ++i) {
    REQUIRE(busy->WriteAll(BuildRequest("GET", "/busy", "", kService, true)));
    std::optional<RawHttpMessage> answer = busy->ReadMessage(true);
    REQUIRE(answer.has_value());
    CHECK(answer->status == 200);
    std::this_thread::sleep_for(milliseconds(150));
  }

  std::optional<RawSocket> silent = RawSocket::Connect(hop.server_port());
  REQUIRE(silent.has_value());
  REQUIRE(silent->WriteAll(BuildRequest("GET", "/once", "", kService, true)));
  REQUIRE(silent->ReadMessage(true).has_value());
  CHECK(ClosedWithin(*silent, milliseconds(3000)));
}

TEST_CASE("A TCP listener's idle timeout closes a connection after its silence") {
  Mesh mesh;
  HopOptions options;
  options.protocol = Protocol::kTcp;
  options.policy = TrustMeshCa();
  options.server_idle_timeout = kIdleLimit;
  Hop hop(mesh.runtime, mesh.pki, options);

  CheckEchoesKeepItOpenThenSilenceClosesIt(hop.client_port());
}

TEST_CASE("A route's idle timeout answers 408 stream timeout when the upstream stays silent") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  // Long enough for the quick request's connects and mutual handshake on a loaded host; the
  // silent one outlasts it threefold.
  options.route_idle_timeout = milliseconds(1000);
  Hop hop(mesh.runtime, mesh.pki, options);

  std::optional<RawHttpMessage> quick =
      HttpRequestOnce(hop.client_port(), "GET", "/sleep/20", "", kService);
  std::optional<RawHttpMessage> silent =
      HttpRequestOnce(hop.client_port(), "GET", "/sleep/3000", "", kService);

  REQUIRE(quick.has_value());
  CHECK(quick->status == 200);
  REQUIRE(silent.has_value());
  CHECK(silent->status == 408);
  CHECK(silent->body == "stream timeout");
  CHECK(hop.client().StatValue("http.egress.downstream_rq_idle_timeout") == 1);
}

TEST_CASE("A TCP route's idle timeout closes a spliced connection after its silence") {
  Mesh mesh;
  HopOptions options;
  options.protocol = Protocol::kTcp;
  options.policy = TrustMeshCa();
  options.route_idle_timeout = kIdleLimit;
  Hop hop(mesh.runtime, mesh.pki, options);

  CheckEchoesKeepItOpenThenSilenceClosesIt(hop.client_port());
}

TEST_CASE("A TCP client reading its echo slowly keeps the connection past the route's idle time") {
  Mesh mesh;
  HopOptions options;
  options.protocol = Protocol::kTcp;
  options.policy = TrustMeshCa();
  options.route_idle_timeout = milliseconds(300);
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  // The upload stalls once every buffer on the way is full; from then on, bytes move only as
  // the client reads, 64 KiB every 20 ms, while each sidecar's write waits longer than the
  // idle time for its send buffer to drain by half.
  const size_t total = 6 * 1024 * 1024;
  std::string sent(total, 'e');
  std::thread upload([&socket, &sent] { socket->WriteAll(sent); });
  size_t echoed = 0;
  std::vector<char> piece(64 * 1024);
  const auto give_up = std::chrono::steady_clock::now() + milliseconds(20000);
  while (echoed < total && std::chrono::steady_clock::now() < give_up) {
    const ssize_t n = recv(socket->fd(), piece.data(), piece.size(), 0);
    if (n <= 0) break;
    echoed += static_cast<size_t>(n);
    std::this_thread::sleep_for(milliseconds(20));
  }
  shutdown(socket->fd(), SHUT_RDWR);  // ends an upload still waiting, whatever happened
  upload.join();

  CHECK(echoed == total);
}

}  // namespace crossmesh::proxy::testing
