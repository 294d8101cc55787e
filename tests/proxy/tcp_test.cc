// TCP listeners and backends: bytes spliced through two mTLS proxies, and a failed upstream
// shown to the app the only way TCP can: the connection closes.
#include <catch2/catch.hpp>

#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

HopOptions TcpMutual() {
  HopOptions options;
  options.protocol = Protocol::kTcp;
  options.server_tls->validation = ListenerValidation{"mesh-ca", {}, true};
  options.policy = TrustMeshCa();
  options.policy->client_certificate_secret = "client-cert";
  return options;
}

TEST_CASE("TCP bytes cross two mTLS proxies both ways, counted once each way at every hop") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, TcpMutual());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  const std::string payload = "*1\r\n$4\r\nPING\r\n" + std::string(40000, 'x');
  REQUIRE(socket->WriteAll(payload));
  ::shutdown(socket->fd(), SHUT_WR);  // the echo ends when our half-close arrives
  bool closed = false;
  std::string echoed = socket->ReadUntilClosed(std::chrono::seconds(10), closed);
  CHECK(closed);
  CHECK(echoed == payload);
  CHECK(hop.server().StatValue(hop.server_listener_prefix() + "ssl.handshake") == 1);
  // Every hop counts the payload's bytes once each way (application bytes, not TLS records).
  const std::string cluster = "cluster." + hop.cluster() + ".";
  CHECK(hop.client().StatValue(cluster + "upstream_cx_tx_bytes_total") ==
        static_cast<int64_t>(payload.size()));
  CHECK(hop.client().StatValue(cluster + "upstream_cx_rx_bytes_total") ==
        static_cast<int64_t>(payload.size()));
  const std::string listener = hop.server_listener_prefix();
  CHECK(hop.server().StatValue(listener + "downstream_cx_rx_bytes_total") ==
        static_cast<int64_t>(payload.size()));
  CHECK(hop.server().StatValue(listener + "downstream_cx_tx_bytes_total") ==
        static_cast<int64_t>(payload.size()));
}

TEST_CASE("A TCP upstream that fails TLS verification just closes the app's connection") {
  Mesh mesh;
  HopOptions options = TcpMutual();
  options.policy->validation->trust_secret = "other-ca";
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  socket->WriteAll("PING\r\n");
  bool closed = false;
  std::string answer = socket->ReadUntilClosed(std::chrono::seconds(10), closed);
  CHECK(closed);
  CHECK(answer.empty());
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.fail_verify_error") == 1);
  CHECK(hop.app().connections() == 0);
}

TEST_CASE("A TCP upstream that refuses connections closes the app's connection") {
  Mesh mesh;
  HopOptions options = TcpMutual();
  options.retry = RetryPolicy{2, Milliseconds(1000), {}, true};
  ProxyConfig config = ClientConfig("lonely", 1, options, mesh.pki.clock.Function());
  auto proxy = mesh.runtime.Start(config);
  REQUIRE(proxy.ok());
  std::optional<RawSocket> socket = RawSocket::Connect(proxy.value()->OutboundPort("backend"));
  REQUIRE(socket.has_value());
  bool closed = false;
  CHECK(socket->ReadUntilClosed(std::chrono::seconds(10), closed).empty());
  CHECK(closed);
  const std::string cluster = "cluster." + ClusterName(Protocol::kTcp) + ".";
  CHECK(proxy.value()->StatValue(cluster + "upstream_cx_connect_fail") == 3);
  CHECK(proxy.value()->StatValue(cluster + "upstream_rq_retry") == 2);
  mesh.runtime.Stop("lonely");
}

}  // namespace
}  // namespace crossmesh::proxy::testing
