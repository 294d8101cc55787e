// Every row of the behaviour matrix (appmesh-tls-semantics.md 1.5) with real TLS between two
// proxies: what the calling app sees and which counters move.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

void RequireOk(std::optional<RawHttpMessage> reply) {
  REQUIRE(reply.has_value());
  INFO(reply->body);
  REQUIRE(reply->status == 200);
  CHECK(Contains(reply->body, "yelb-appserver got GET /"));
}

std::string Require503(std::optional<RawHttpMessage> reply) {
  REQUIRE(reply.has_value());
  INFO(reply->body);
  REQUIRE(reply->status == 503);
  CHECK(Contains(reply->body, "upstream connect error or disconnect/reset before headers"));
  return reply->body;
}

TEST_CASE("A STRICT listener refuses a plaintext client") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, {});
  std::optional<RawSocket> socket = RawSocket::Connect(hop.server_port());
  REQUIRE(socket.has_value());
  REQUIRE(socket->WriteAll(BuildRequest("GET", "/", "", kService, true)));
  bool closed = false;
  std::string answer = socket->ReadUntilClosed(std::chrono::seconds(5), closed);
  CHECK(closed);
  CHECK_FALSE(Contains(answer, "HTTP/1.1"));
  CHECK(hop.server().StatValue(hop.server_listener_prefix() + "ssl.connection_error") == 1);
  CHECK(hop.app().requests() == 0);
}

TEST_CASE("A sidecar without a client policy that believes the target plaintext fails on STRICT") {
  Mesh mesh;
  HopOptions options;
  options.target = TargetTls{TlsMode::kDisabled, std::nullopt};
  Hop hop(mesh.runtime, mesh.pki, options);
  std::string body = Require503(hop.Get());
  CHECK(Contains(body, "reset reason: connection termination"));
  CHECK(hop.app().requests() == 0);
}

TEST_CASE("A PERMISSIVE listener lets a plaintext client in and still serves TLS") {
  Mesh mesh;
  HopOptions options;
  options.server_tls->mode = TlsMode::kPermissive;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);

  std::optional<RawHttpMessage> plain = HttpRequestOnce(hop.server_port(), "GET", "/plain");
  REQUIRE(plain.has_value());
  CHECK(plain->status == 200);
  CHECK(hop.server().StatValue(hop.server_listener_prefix() + "downstream_cx_plaintext") == 1);

  RequireOk(hop.Get());
  CHECK(hop.server().StatValue(hop.server_listener_prefix() + "ssl.handshake") == 1);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.handshake") == 1);
}

TEST_CASE("TLS originated to a DISABLED listener fails with WRONG_VERSION_NUMBER") {
  for (bool tls_block : {true, false}) {
    INFO((tls_block ? "mode DISABLED" : "no tls block"));
    Mesh mesh;
    HopOptions options;
    if (tls_block) {
      options.server_tls->mode = TlsMode::kDisabled;
    } else {
      options.server_tls.reset();
    }
    options.policy = TrustMeshCa();
    Hop hop(mesh.runtime, mesh.pki, options);
    std::string body = Require503(hop.Get());
    CHECK(Contains(body,
                   "transport failure reason: TLS error: 268435703:SSL routines:"
                   "OPENSSL_internal:WRONG_VERSION_NUMBER"));
    CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.connection_error") == 1);
  }
}

TEST_CASE("Without a client policy a DISABLED target is reached in plaintext") {
  Mesh mesh;
  HopOptions options;
  options.server_tls->mode = TlsMode::kDisabled;
  Hop hop(mesh.runtime, mesh.pki, options);
  RequireOk(hop.Get());
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.handshake") == 0);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_2xx") == 1);
}

TEST_CASE("A server certificate from an untrusted CA fails with unable to get local issuer") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.policy->validation->trust_secret = "other-ca";
  Hop hop(mesh.runtime, mesh.pki, options);
  std::string body = Require503(hop.Get());
  CHECK(Contains(body,
                 "TLS error: 268435581:SSL routines:OPENSSL_internal:"
                 "CERTIFICATE_VERIFY_FAILED"));
  CHECK(Contains(body, "unable to get local issuer certificate"));
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.fail_verify_error") == 1);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_5xx") == 1);
}

TEST_CASE("An expired server certificate fails once the clock passes its notAfter") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  RequireOk(hop.Get());

  mesh.pki.clock.Advance(396 * kDay);
  std::string body = Require503(hop.Get());
  CHECK(Contains(body, "CERTIFICATE_VERIFY_FAILED"));
  CHECK(Contains(body, "certificate verification error at depth 0: certificate has expired"));
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.fail_verify_error") == 1);
}

TEST_CASE("A listener whose certificate has expired when first used serves it and logs why") {
  std::ostringstream log;
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  mesh.pki.clock.Advance(396 * kDay);  // before any connection builds the listener's context

  std::string body = Require503(hop.Get());
  hop.client().Stop();
  hop.server().Stop();
  spdlog::set_default_logger(previous);

  CHECK(Contains(body, "certificate has expired"));
  const std::string serial = mesh.pki.server.chain.front().serial_hex();
  CHECK(Contains(log.str(), "listener ingress: certificate serial " + serial + " expired at "));
  CHECK(Contains(log.str(), "clients that check it refuse the handshake"));
}

TEST_CASE("A SAN outside an explicit client policy list fails the SAN matcher") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa({"someone-else.yelb.svc.cluster.local"});
  Hop hop(mesh.runtime, mesh.pki, options);
  std::string body = Require503(hop.Get());
  CHECK(Contains(body, "CERTIFICATE_VERIFY_FAILED:verify cert failed: SAN matcher"));
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.fail_verify_san") == 1);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.fail_verify_error") == 0);
}

TEST_CASE("The discovery-name rule accepts a wildcard certificate that covers the name") {
  Mesh mesh;
  REQUIRE(mesh.runtime.secrets()
              .PushCertificate(
                  "server-cert",
                  IssueCertificate(mesh.pki.ca, {"*.yelb.svc.cluster.local"}, mesh.pki.clock.Now()))
              .ok());
  HopOptions options;
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  RequireOk(hop.Get());

  // A wildcard for another domain does not cover the discovery name.
  REQUIRE(mesh.runtime.secrets()
              .PushCertificate("server-cert", IssueCertificate(mesh.pki.ca, {"*.other.local"},
                                                               mesh.pki.clock.Now()))
              .ok());
  std::string body = Require503(hop.Get());
  CHECK(Contains(body, "SAN matcher"));
}

TEST_CASE("A client policy limited to other ports leaves the target's own TLS rules") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.policy->validation->trust_secret = "other-ca";  // would fail if it applied
  options.policy->ports = {9999};
  Hop hop(mesh.runtime, mesh.pki, options);
  RequireOk(hop.Get());
  const std::string cluster = "cluster." + hop.cluster() + ".ssl.";
  CHECK(hop.client().StatValue(cluster + "handshake") == 1);  // TLS (auto), unverified
  CHECK(hop.client().StatValue(cluster + "fail_verify_error") == 0);
}

TEST_CASE("A client policy that lists the port applies to it") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.policy->validation->trust_secret = "other-ca";
  options.policy->ports = {kMeshPort};
  Hop hop(mesh.runtime, mesh.pki, options);
  CHECK(Contains(Require503(hop.Get()), "unable to get local issuer certificate"));
}

TEST_CASE("A client policy with enforce false is treated as absent") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.policy->validation->trust_secret = "other-ca";
  options.policy->enforce = false;
  Hop hop(mesh.runtime, mesh.pki, options);
  RequireOk(hop.Get());
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.handshake") == 1);
}

TEST_CASE("Without a client policy an ACM target is verified against its root CA") {
  Mesh mesh;
  HopOptions options;
  options.target = TargetTls{TlsMode::kStrict, PeerValidation{"mesh-ca", {}, kService}};
  {
    Hop hop(mesh.runtime, mesh.pki, options);
    RequireOk(hop.Get());
  }
  options.target->auto_validation->trust_secret = "other-ca";
  Hop hop(mesh.runtime, mesh.pki, options);
  CHECK(Contains(Require503(hop.Get()), "unable to get local issuer certificate"));
}

TEST_CASE("A connection that needs a missing secret fails with Secret is not supplied by SDS") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.policy->validation->trust_secret = "not-yet-delivered";
  Hop hop(mesh.runtime, mesh.pki, options);
  std::string body = Require503(hop.Get());
  CHECK(body.ends_with("transport failure reason: TLS error: Secret is not supplied by SDS"));

  mesh.runtime.secrets().PushValidationContext("not-yet-delivered", TrustOf(mesh.pki.ca));
  RequireOk(hop.Get());
}

TEST_CASE("The modern error style renders Envoy's TLS_error layout") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.policy->validation->trust_secret = "other-ca";
  options.error_style = ErrorStyle::kModern;
  Hop hop(mesh.runtime, mesh.pki, options);
  std::string body = Require503(hop.Get());
  CHECK(Contains(body,
                 "reset reason: remote connection failure, transport failure reason: "
                 "TLS_error:|268435581:SSL routines:OPENSSL_internal:"
                 "CERTIFICATE_VERIFY_FAILED:verify cert failed: X509_verify_cert: "
                 "certificate verification error at depth 0: unable to get local issuer "
                 "certificate:TLS_error_end"));
}

}  // namespace
}  // namespace crossmesh::proxy::testing

namespace crossmesh::proxy::testing {
namespace {

TEST_CASE("A listener whose certificate secret has not arrived closes TLS connections") {
  Mesh mesh;
  HopOptions options;
  options.server_tls->certificate_secret = "listener-cert-not-yet";
  options.policy = TrustMeshCa();
  Hop hop(mesh.runtime, mesh.pki, options);
  Require503(hop.Get());
  const auto records = hop.server().Handshakes();
  REQUIRE(records.size() == 1);
  CHECK(records[0].failure == "TLS error: Secret is not supplied by SDS");
  CHECK(hop.server().StatValue(hop.server_listener_prefix() + "ssl.connection_error") == 1);

  REQUIRE(mesh.runtime.secrets().PushCertificate("listener-cert-not-yet", mesh.pki.server).ok());
  RequireOk(hop.Get());
}

}  // namespace
}  // namespace crossmesh::proxy::testing
