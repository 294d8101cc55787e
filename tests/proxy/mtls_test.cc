// Mutual TLS on the listener side (ListenerTls.validation): with, without and with a wrong
// client certificate; SAN lists; and an SDS validation without a SAN list.
#include <catch2/catch.hpp>

#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

// A server-side failure counter. The server counts a failed handshake after it has sent its
// alert, so the client's 503 can arrive first: let the counter settle.
int64_t ServerStat(Hop& hop, const std::string& stat, int64_t expected) {
  return Eventually([&] { return hop.server().StatValue(hop.server_listener_prefix() + stat); },
                    expected);
}

HopOptions Mutual(std::string client_secret, std::vector<std::string> san_exact = {}) {
  HopOptions options;
  options.server_tls->validation = ListenerValidation{"mesh-ca", std::move(san_exact), true};
  options.policy = TrustMeshCa();
  options.policy->client_certificate_secret = std::move(client_secret);
  return options;
}

const HandshakeRecord* LastOk(const std::vector<HandshakeRecord>& records) {
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (it->ok) return &*it;
  }
  return nullptr;
}

TEST_CASE("mTLS with a client certificate from the shared CA is accepted") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Mutual("client-cert"));
  std::optional<RawHttpMessage> reply = hop.Get();
  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);

  const std::string listener = hop.server_listener_prefix() + "ssl.";
  CHECK(hop.server().StatValue(listener + "handshake") == 1);
  CHECK(hop.server().StatValue(listener + "no_certificate") == 0);
  const auto server_records = hop.server().Handshakes();
  const auto client_records = hop.client().Handshakes();
  const HandshakeRecord* server = LastOk(server_records);
  const HandshakeRecord* client = LastOk(client_records);
  REQUIRE(server != nullptr);
  REQUIRE(client != nullptr);
  CHECK(server->client_certificate_presented);
  CHECK(client->client_certificate_presented);
  REQUIRE(server->peer_certificate.has_value());
  CHECK(server->peer_certificate->serial_hex == mesh.pki.client.chain[0].serial_hex());
  CHECK(client->peer_certificate->serial_hex == mesh.pki.server.chain[0].serial_hex());
}

TEST_CASE("mTLS without a client certificate is refused and counted as fail_verify_no_cert") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Mutual(""));
  std::optional<RawHttpMessage> reply = hop.Get();
  REQUIRE(reply.has_value());
  INFO(reply->body);
  CHECK(reply->status == 503);
  CHECK(Contains(reply->body, "SSLV3_ALERT_HANDSHAKE_FAILURE"));
  CHECK(ServerStat(hop, "ssl.fail_verify_no_cert", 1) == 1);
  CHECK(hop.app().requests() == 0);
}

TEST_CASE("mTLS with a client certificate from another CA is refused") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Mutual("rogue-client-cert"));
  std::optional<RawHttpMessage> reply = hop.Get();
  REQUIRE(reply.has_value());
  INFO(reply->body);
  CHECK(reply->status == 503);
  CHECK(Contains(reply->body, "TLSV1_ALERT_UNKNOWN_CA"));
  CHECK(ServerStat(hop, "ssl.fail_verify_error", 1) == 1);
  const auto records = hop.server().Handshakes();
  REQUIRE_FALSE(records.empty());
  CHECK(Contains(records.back().failure, "unable to get local issuer certificate"));
}

TEST_CASE("Under TLS 1.3 a missing client certificate shows as certificate_required") {
  Mesh mesh;
  HopOptions options = Mutual("");
  options.tls.upstream.max = TlsVersion::kTls13;
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawHttpMessage> reply = hop.Get();
  REQUIRE(reply.has_value());
  INFO(reply->body);
  CHECK(reply->status == 503);
  CHECK(Contains(reply->body, "TLSV1_ALERT_CERTIFICATE_REQUIRED"));
  CHECK(ServerStat(hop, "ssl.fail_verify_no_cert", 1) == 1);
}

TEST_CASE("A listener SAN list admits only client certificates that carry one of its names") {
  Mesh mesh;
  {
    Hop hop(mesh.runtime, mesh.pki, Mutual("client-cert", {"yelb-ui.yelb.svc.cluster.local"}));
    REQUIRE(hop.Get()->status == 200);
  }
  Hop hop(mesh.runtime, mesh.pki, Mutual("client-cert", {"yelb-db.yelb.svc.cluster.local"}));
  CHECK(hop.Get()->status == 503);
  CHECK(ServerStat(hop, "ssl.fail_verify_san", 1) == 1);
}

TEST_CASE("An SDS validation with an empty SAN list checks the client chain only") {
  Mesh mesh;
  REQUIRE(mesh.runtime.secrets()
              .PushCertificate("odd-client", IssueCertificate(mesh.pki.ca, {"unrelated.example"},
                                                              mesh.pki.clock.Now()))
              .ok());
  Hop hop(mesh.runtime, mesh.pki, Mutual("odd-client"));
  std::optional<RawHttpMessage> reply = hop.Get();
  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(hop.server().StatValue(hop.server_listener_prefix() + "ssl.fail_verify_san") == 0);
}

TEST_CASE("A listener without validation does not ask for a client certificate") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.policy->client_certificate_secret = "client-cert";
  Hop hop(mesh.runtime, mesh.pki, options);
  REQUIRE(hop.Get()->status == 200);
  CHECK(hop.server().StatValue(hop.server_listener_prefix() + "ssl.no_certificate") == 1);
  const auto client_records = hop.client().Handshakes();
  const HandshakeRecord* client = LastOk(client_records);
  REQUIRE(client != nullptr);
  CHECK_FALSE(client->client_certificate_presented);
}

}  // namespace
}  // namespace crossmesh::proxy::testing

namespace crossmesh::proxy::testing {
namespace {

TEST_CASE("A client certificate that expired is refused even when its session would resume") {
  Mesh mesh;
  const TimePoint now = mesh.pki.clock.Now();
  REQUIRE(mesh.runtime.secrets()
              .PushCertificate("short-client",
                               IssueCertificate(mesh.pki.ca, {"yelb-ui.yelb.svc.cluster.local"},
                                                now - std::chrono::hours(1), now + 10 * kDay))
              .ok());
  Hop hop(mesh.runtime, mesh.pki, Mutual("short-client"));
  REQUIRE(hop.Get()->status == 200);  // a full handshake; the client caches the session

  mesh.pki.clock.Advance(11 * kDay);  // the client certificate has expired, the server's not
  std::optional<RawHttpMessage> reply = hop.Get();
  REQUIRE(reply.has_value());
  CHECK(reply->status == 503);
  CHECK(ServerStat(hop, "ssl.fail_verify_error", 1) == 1);
  const auto records = hop.server().Handshakes();
  REQUIRE(records.size() == 2);
  CHECK(Contains(records[1].failure, "certificate has expired"));
  CHECK(hop.app().requests() == 1);
  // The path under test: the session did resume, so only the recheck could catch the expiry.
  const auto client_records = hop.client().Handshakes();
  REQUIRE(client_records.size() == 2);
  CHECK(client_records[1].session_reused);
}

}  // namespace
}  // namespace crossmesh::proxy::testing
