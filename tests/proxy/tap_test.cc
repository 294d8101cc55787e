// Proof of encryption: the tap on the hop between the proxies judges the bytes alone, and
// what it reads must agree with what both proxies recorded of their handshakes.
#include <catch2/catch.hpp>

#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

constexpr const char* kMarker = "VOTE-FOR-KITTENS-7f3a9c";

// The one successful handshake of a proxy (a copy: Handshakes() returns a fresh vector).
HandshakeRecord OnlyOk(const std::vector<HandshakeRecord>& records) {
  REQUIRE(records.size() == 1);
  REQUIRE(records[0].ok);
  return records[0];
}

TEST_CASE("The tap proves a TLS 1.2 mTLS hop encrypted and reads the same certificates") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, TappedMutual(kMarker));
  std::optional<RawHttpMessage> reply = hop.Get("/votes", kMarker);
  REQUIRE(reply.has_value());
  REQUIRE(reply->status == 200);
  REQUIRE(reply->body.find(kMarker) != std::string::npos);  // it did travel, encrypted

  tap::HopReport report = hop.tap()->Report();
  INFO(report.Summary());
  CHECK(report.encrypted);
  CHECK_FALSE(report.plaintext_marker_seen);
  CHECK(report.problems.empty());
  REQUIRE(report.connections.size() == 1);
  const tap::TapConnection& wire = report.connections[0];
  CHECK(wire.tls_from_first_byte);
  CHECK(wire.application_data_records >= 2);

  const HandshakeRecord client = OnlyOk(hop.client().Handshakes());
  const HandshakeRecord server = OnlyOk(hop.server().Handshakes());
  // The same connection, seen from three places.
  CHECK(wire.client_address == client.local_address);
  CHECK(wire.upstream_local_address == server.peer_address);

  CHECK(report.tls_version == "TLSv1.2");
  CHECK(report.tls_version == client.version);
  CHECK(report.cipher == client.cipher);
  CHECK(report.cipher == server.cipher);
  CHECK(report.server_cert_serial == mesh.pki.server.chain[0].serial_hex());
  CHECK(report.server_cert_serial == client.peer_certificate->serial_hex);
  CHECK(report.server_cert_serial == server.local_certificate->serial_hex);
  CHECK(report.server_cert_issuer == mesh.pki.ca.certificate.subject_string());
  CHECK(report.server_cert_sans == std::vector<std::string>{kService});
  CHECK(report.client_cert_present);
  CHECK(report.client_cert_issuer == mesh.pki.ca.certificate.subject_string());
  REQUIRE(wire.client_chain.size() == 1);
  CHECK(wire.client_chain[0].serial_hex == server.peer_certificate->serial_hex);
  CHECK(wire.client_certificate_requested);
}

TEST_CASE("On a TLS 1.3 hop the tap reports version and cipher and the proxies agree on certs") {
  Mesh mesh;
  HopOptions options = TappedMutual(kMarker);
  options.tls.upstream.max = TlsVersion::kTls13;
  Hop hop(mesh.runtime, mesh.pki, options);
  REQUIRE(hop.Get("/votes", kMarker)->status == 200);

  tap::HopReport report = hop.tap()->Report();
  INFO(report.Summary());
  CHECK(report.encrypted);
  CHECK_FALSE(report.plaintext_marker_seen);
  CHECK(report.tls_version == "TLSv1.3");
  CHECK(report.certificates_encrypted);
  CHECK(report.server_cert_serial.empty());  // not on the wire in cleartext
  CHECK_FALSE(report.connections[0].certificates_visible);

  const HandshakeRecord client = OnlyOk(hop.client().Handshakes());
  const HandshakeRecord server = OnlyOk(hop.server().Handshakes());
  CHECK(report.cipher == client.cipher);
  CHECK(report.cipher == "TLS_AES_128_GCM_SHA256");  // Envoy's (BoringSSL's) first choice
  CHECK(client.version == "TLSv1.3");
  CHECK(client.peer_certificate->serial_hex == server.local_certificate->serial_hex);
  CHECK(server.peer_certificate->serial_hex == client.local_certificate->serial_hex);
  CHECK(client.client_certificate_presented);
  CHECK(server.client_certificate_presented);
}

TEST_CASE("The tap flags a plaintext hop and the marker that crossed it") {
  Mesh mesh;
  HopOptions options;
  options.server_tls.reset();
  options.via_tap = true;
  options.markers = {kMarker};
  Hop hop(mesh.runtime, mesh.pki, options);
  REQUIRE(hop.Get("/votes", kMarker)->status == 200);

  tap::HopReport report = hop.tap()->Report();
  INFO(report.Summary());
  CHECK_FALSE(report.encrypted);
  CHECK(report.plaintext_marker_seen);
  REQUIRE(report.connections.size() == 1);
  CHECK_FALSE(report.connections[0].tls_from_first_byte);
  CHECK(report.connections[0].markers_seen == std::vector<std::string>{kMarker});
  CHECK(report.Summary().find("NOT ENCRYPTED") != std::string::npos);
}

TEST_CASE("A resumed TLS 1.2 session shows no certificate on the wire") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, TappedMutual(kMarker));
  REQUIRE(hop.Get("/one")->status == 200);
  REQUIRE(hop.Get("/two")->status == 200);  // a fresh app connection: a new upstream one
  tap::HopReport report = hop.tap()->Report();
  INFO(report.Summary());
  REQUIRE(report.connections.size() == 2);
  CHECK(report.encrypted);
  CHECK(report.connections[0].certificates_visible);
  CHECK(report.connections[1].resumed);
  CHECK_FALSE(report.connections[1].certificates_visible);
  const auto records = hop.client().Handshakes();
  REQUIRE(records.size() == 2);
  CHECK(records[1].session_reused);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.session_reused") == 1);
}

}  // namespace
}  // namespace crossmesh::proxy::testing
