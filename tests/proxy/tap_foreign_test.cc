// Regression for a reported bug: any local process could dial a tap's port and its bytes were
// judged as hop traffic (a plaintext GET turned the verdict to "not TLS at byte 0", a foreign
// TLS 1.3 client changed the reported version and cipher). The client proxy's cluster now
// binds its node's address, and the tap judges only connections from it.
#include <catch2/catch.hpp>

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "harness/proxy/upstream_connector.h"
#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

constexpr const char* kForeignTestMarker = "VOTE-FOR-KITTENS-7f3a9c";
constexpr const char* kSidecarAddress = "127.0.0.2";  // the client node's; foreigners: 127.0.0.1

// A plaintext request carrying the marker, straight to the tap port; the server proxy (STRICT)
// refuses it. Returns once the server side closed, so the tap has judged every byte.
void ForeignPlaintextGet(uint16_t tap_port) {
  std::optional<RawSocket> socket = RawSocket::Connect(tap_port);
  REQUIRE(socket.has_value());
  REQUIRE(socket->WriteAll(BuildRequest("POST", "/votes", kForeignTestMarker, kService, false)));
  bool closed = false;
  socket->ReadUntilClosed(std::chrono::seconds(5), closed);
  CHECK(closed);
}

// A TLS client of another process: TLS 1.3 (the server proxy's downstream allows it, the hop's
// client proxy does not), with a valid client certificate, so it reaches the app.
void ForeignTls13Get(const Mesh& mesh, uint16_t tap_port) {
  std::optional<RawSocket> socket = RawSocket::Connect(tap_port);
  REQUIRE(socket.has_value());
  SSL_CTX* context = MakeClientContext({mesh.pki.ca.certificate}, mesh.pki.client);
  const std::string failure = socket->StartTls(context);
  SSL_CTX_free(context);
  REQUIRE(failure.empty());
  CHECK(std::string(SSL_get_version(socket->ssl())) == "TLSv1.3");
  REQUIRE(socket->WriteAll(BuildRequest("GET", "/votes", "", kService, false)));
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);  // relayed: a foreign client still reaches the server
}

TEST_CASE("Foreign clients on a tap's port are relayed and counted but never judged") {
  Mesh mesh;
  HopOptions options = TappedMutual(kForeignTestMarker);
  options.client_source = kSidecarAddress;
  Hop hop(mesh.runtime, mesh.pki, options);
  REQUIRE(hop.Get("/votes", kForeignTestMarker)->status == 200);
  ForeignPlaintextGet(hop.tap()->port());
  ForeignTls13Get(mesh, hop.tap()->port());

  // The foreign connections did reach the tap, and would have spoiled the hop's facts.
  std::vector<tap::TapConnection> all = hop.tap()->Connections();
  REQUIRE(all.size() == 3);
  CHECK(std::count_if(all.begin(), all.end(), [](const auto& c) { return c.foreign; }) == 2);
  CHECK_FALSE(all[1].tls_from_first_byte);
  CHECK(all[1].plaintext_marker_seen);
  CHECK(all[2].tls_version == "TLSv1.3");

  tap::HopReport report = hop.tap()->Report();
  INFO(report.Summary());
  CHECK(report.foreign_connections == 2);
  CHECK(report.encrypted);
  CHECK(report.problems.empty());
  CHECK_FALSE(report.plaintext_marker_seen);
  REQUIRE(report.connections.size() == 1);
  const tap::TapConnection& wire = report.connections[0];
  CHECK_FALSE(wire.foreign);

  // The facts are the sidecars' own connection's: TLS 1.2 and its certificates.
  const std::vector<HandshakeRecord> records = hop.client().Handshakes();
  REQUIRE(records.size() == 1);
  const HandshakeRecord& client = records[0];
  CHECK(wire.client_address == client.local_address);
  CHECK(client.local_address.rfind(std::string(kSidecarAddress) + ":", 0) == 0);
  CHECK(report.tls_version == "TLSv1.2");
  CHECK(report.cipher == client.cipher);
  CHECK(report.server_cert_serial == mesh.pki.server.chain[0].serial_hex());
  CHECK(report.client_cert_present);
  CHECK(report.client_cert_issuer == mesh.pki.ca.certificate.subject_string());
  CHECK(report.Summary().find("2 foreign connections") != std::string::npos);
}

TEST_CASE("A tap refuses a client source address that is not loopback") {
  tap::TapOptions options;
  options.client_source_address = "10.1.2.3";
  auto tap = tap::Tap::Start(options);
  REQUIRE_FALSE(tap.ok());
  CHECK(tap.status().message().find("'10.1.2.3'") != std::string::npos);
}

}  // namespace
}  // namespace crossmesh::proxy::testing

namespace crossmesh::proxy::testing {

// Apps listen on their node's address on ports picked ahead of time, and sidecars' outgoing
// connections leave from the same address: the port one of those connections uses must not
// keep an app from listening on it (scenarios running side by side hit this).
TEST_CASE("A sidecar's outgoing connection from its node address leaves that port to listeners") {
  asio::io_context io;
  tcp::acceptor server(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const Endpoint target{"127.0.0.1", server.local_endpoint().port()};

  std::optional<tcp::socket> connected;
  TransportFailure failure;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        connected.emplace(
            co_await ConnectTcp(target, std::chrono::seconds(5), failure, kSidecarAddress));
      },
      asio::detached);
  io.run();
  REQUIRE(failure.kind == FailureKind::kNone);
  REQUIRE(connected.has_value());
  const tcp::endpoint local = connected->local_endpoint();
  CHECK(local.address().to_string() == kSidecarAddress);

  tcp::acceptor app(io);
  app.open(tcp::v4());
  app.set_option(asio::socket_base::reuse_address(true));
  ErrorCode ec;
  app.bind(local, ec);
  CHECK_FALSE(ec);
  if (!ec) app.listen(asio::socket_base::max_listen_connections, ec);
  CHECK_FALSE(ec);
}

}  // namespace crossmesh::proxy::testing
