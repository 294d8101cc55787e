// The admin endpoint: Envoy-named stats in Envoy's text format, /certs with days counted on
// the proxy's clock, /config_dump that reads back as a config, and the handshake records.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "harness/proxy/config_json.h"
#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

struct MutualHop {
  MeshPki pki;
  ProxyRuntime runtime{ProxyRuntime::Options{2}};
  std::unique_ptr<Hop> hop;
  MutualHop() {
    pki.PushAll(runtime.secrets());
    HopOptions options;
    options.server_tls->validation = ListenerValidation{"mesh-ca", {}, true};
    options.policy = TrustMeshCa();
    options.policy->client_certificate_secret = "client-cert";
    hop = std::make_unique<Hop>(runtime, pki, options);
    REQUIRE(hop->Get()->status == 200);
  }
  ~MutualHop() { hop.reset(); }
  std::string Admin(Proxy& proxy, const std::string& path) {
    std::optional<RawHttpMessage> reply =
        HttpRequestOnce(proxy.AdminPort(), "GET", path, "", "127.0.0.1");
    REQUIRE(reply.has_value());
    REQUIRE(reply->status == 200);
    return reply->body;
  }
};

TEST_CASE("The admin /stats page lists Envoy's ssl and request counters") {
  MutualHop mesh;
  Hop& hop = *mesh.hop;
  const std::string server = mesh.Admin(hop.server(), "/stats");
  const std::string listener = hop.server_listener_prefix();
  CHECK(Contains(server, listener + "ssl.handshake: 1\n"));
  CHECK(Contains(server, listener + "ssl.versions.TLSv1.2: 1\n"));
  CHECK(Contains(server, listener + "ssl.ciphers.ECDHE-ECDSA-AES128-GCM-SHA256: 1\n"));
  CHECK(Contains(server, listener + "ssl.no_certificate: 0\n"));
  CHECK(Contains(server, listener + "downstream_cx_total: 1\n"));
  CHECK(Contains(server, "http.ingress.downstream_rq_2xx: 1\n"));
  CHECK(Contains(server, "server.days_until_first_cert_expiring: 394\n"));

  const std::string client = mesh.Admin(hop.client(), "/stats?filter=" + hop.cluster());
  const std::string cluster = "cluster." + hop.cluster() + ".";
  CHECK(Contains(client, cluster + "ssl.handshake: 1\n"));
  CHECK(Contains(client, cluster + "upstream_rq_total: 1\n"));
  CHECK(Contains(client, cluster + "upstream_rq_2xx: 1\n"));
  CHECK(Contains(client, cluster + "upstream_cx_total: 1\n"));
  CHECK_FALSE(Contains(client, "listener."));  // the filter applies
}

TEST_CASE("The days-until-expiry gauge and /certs follow the virtual clock") {
  MutualHop mesh;
  Hop& hop = *mesh.hop;
  nlohmann::json certs = nlohmann::json::parse(mesh.Admin(hop.server(), "/certs"));
  REQUIRE(certs["certificates"].size() == 1);
  const nlohmann::json& entry = certs["certificates"][0];
  CHECK(entry["cert_chain"][0]["serial_number"] == mesh.pki.server.chain[0].serial_hex());
  CHECK(entry["cert_chain"][0]["subject_alt_names"][0]["dns"] == kService);
  CHECK(entry["cert_chain"][0]["days_until_expiration"] == "394");
  CHECK(entry["ca_cert"][0]["serial_number"] == mesh.pki.ca.certificate.serial_hex());

  mesh.pki.clock.Advance(100 * kDay);
  CHECK(hop.server().StatValue("server.days_until_first_cert_expiring") == 294);
  certs = nlohmann::json::parse(mesh.Admin(hop.server(), "/certs"));
  CHECK(certs["certificates"][0]["cert_chain"][0]["days_until_expiration"] == "294");
}

TEST_CASE("The admin /config_dump reads back as the running configuration") {
  MutualHop mesh;
  Hop& hop = *mesh.hop;
  Result<ProxyConfig> dumped =
      ConfigFromJson(nlohmann::json::parse(mesh.Admin(hop.client(), "/config_dump")));
  INFO(dumped.status().ToString());
  REQUIRE(dumped.ok());
  CHECK(dumped->clusters == hop.client().Config().clusters);
  CHECK(dumped->outbounds[0].port == hop.client_port());
}

TEST_CASE("The admin /handshakes page shows both sides of a handshake") {
  MutualHop mesh;
  Hop& hop = *mesh.hop;
  nlohmann::json server = nlohmann::json::parse(mesh.Admin(hop.server(), "/handshakes"));
  REQUIRE(server.size() == 1);
  CHECK(server[0]["side"] == "server");
  CHECK(server[0]["ok"] == true);
  CHECK(server[0]["client_certificate_presented"] == true);
  CHECK(server[0]["peer_certificate"]["serial"] == mesh.pki.client.chain[0].serial_hex());
  CHECK(server[0]["local_certificate"]["serial"] == mesh.pki.server.chain[0].serial_hex());
}

TEST_CASE("The admin pages refuse methods other than GET and HEAD with 405") {
  MutualHop mesh;
  const uint16_t port = mesh.hop->server().AdminPort();

  for (const char* method : {"POST", "DELETE", "PUT"}) {
    INFO(method);
    std::optional<RawHttpMessage> reply = HttpRequestOnce(port, method, "/stats", "x", "127.0.0.1");
    REQUIRE(reply.has_value());
    CHECK(reply->status == 405);
    CHECK(Contains(reply->body, "read with GET"));
  }
  std::optional<RawHttpMessage> get = HttpRequestOnce(port, "GET", "/stats", "", "127.0.0.1");
  REQUIRE(get.has_value());
  CHECK(get->status == 200);
}

TEST_CASE("The stats filter is a regular expression, as Envoy's, escaped or not") {
  MutualHop mesh;  // one request answered already
  const uint16_t port = mesh.hop->client().AdminPort();
  const std::string cluster = "cluster." + mesh.hop->cluster() + ".";

  // upstream_rq_[2-5]xx$, as curl sends it unescaped and as a browser escapes it.
  for (const std::string filter : {"upstream_rq_[2-5]xx$", "upstream_rq_%5B2-5%5Dxx%24"}) {
    INFO(filter);
    std::optional<RawHttpMessage> text =
        HttpRequestOnce(port, "GET", "/stats?filter=" + filter, "", "127.0.0.1");
    std::optional<RawHttpMessage> json =
        HttpRequestOnce(port, "GET", "/stats?format=json&filter=" + filter, "", "127.0.0.1");
    REQUIRE(text.has_value());
    CHECK(text->status == 200);
    CHECK(Contains(text->body, cluster + "upstream_rq_2xx: "));
    CHECK(Contains(text->body, cluster + "upstream_rq_5xx: 0\n"));
    CHECK_FALSE(Contains(text->body, "upstream_rq_total"));
    CHECK_FALSE(Contains(text->body, "upstream_rq_1xx"));
    REQUIRE(json.has_value());
    CHECK(Contains(json->body, cluster + "upstream_rq_2xx"));
    CHECK_FALSE(Contains(json->body, "upstream_rq_total"));
  }

  std::optional<RawHttpMessage> broken =
      HttpRequestOnce(port, "GET", "/stats?filter=ssl.(handshake", "", "127.0.0.1");
  REQUIRE(broken.has_value());
  CHECK(broken->status == 400);
  CHECK(Contains(broken->body, "filter 'ssl.(handshake' is not a regular expression"));
  CHECK(Contains(broken->body, "missing )"));
  std::optional<RawHttpMessage> binary =
      HttpRequestOnce(port, "GET", "/stats?filter=%FF%FE(", "", "127.0.0.1");
  REQUIRE(binary.has_value());
  CHECK(binary->status == 400);
  CHECK(Contains(binary->body, "filter '\\xff\\xfe(' is not"));
  std::optional<RawHttpMessage> xml =
      HttpRequestOnce(port, "GET", "/stats?format=xml", "", "127.0.0.1");
  REQUIRE(xml.has_value());
  CHECK(xml->status == 400);
  CHECK(Contains(xml->body, "format 'xml' is not offered"));
}

TEST_CASE("The admin pages refuse a Host or an Origin that is not loopback") {
  MutualHop mesh;
  const uint16_t port = mesh.hop->server().AdminPort();

  std::optional<RawHttpMessage> rebound =
      HttpRequestOnce(port, "GET", "/config_dump", "", "evil.example");
  std::optional<RawSocket> socket = RawSocket::Connect(port);
  REQUIRE(socket.has_value());
  REQUIRE(socket->WriteAll(BuildRequest("GET", "/handshakes", "", "127.0.0.1", false,
                                        "origin: http://evil.example\r\n")));
  std::optional<RawHttpMessage> scripted = socket->ReadMessage(true);
  std::optional<RawHttpMessage> local =
      HttpRequestOnce(port, "GET", "/config_dump", "", "localhost:" + std::to_string(port));

  REQUIRE(rebound.has_value());
  CHECK(rebound->status == 403);
  CHECK(Contains(rebound->body, "host 'evil.example' is not loopback"));
  REQUIRE(scripted.has_value());
  CHECK(scripted->status == 403);
  REQUIRE(local.has_value());
  CHECK(local->status == 200);
}

}  // namespace
}  // namespace crossmesh::proxy::testing
