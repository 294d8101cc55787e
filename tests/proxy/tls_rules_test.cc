// The pure rules behind the TLS behaviour: the 1.5 matrix as PlanUpstreamTls decides it, DNS
// SAN matching with wildcards, and Envoy's failure wording.
#include <openssl/ssl.h>

#include <catch2/catch.hpp>

#include "harness/proxy/envoy_errors.h"
#include "harness/proxy/san_match.h"
#include "harness/proxy/upstream_tls_plan.h"

namespace crossmesh::proxy {
namespace {

Cluster WithPolicy(std::optional<ClientTlsPolicy> policy, TlsMode target) {
  Cluster cluster;
  cluster.name = "c";
  cluster.mesh_port = 4567;
  cluster.tls_policy = std::move(policy);
  cluster.target_tls.mode = target;
  return cluster;
}

ClientTlsPolicy Policy(bool enforce, std::vector<uint16_t> ports) {
  ClientTlsPolicy policy;
  policy.enforce = enforce;
  policy.ports = std::move(ports);
  policy.validation = PeerValidation{"ca", {}, "svc.local"};
  policy.client_certificate_secret = "client";
  return policy;
}

TEST_CASE("The upstream TLS plan follows each row of the App Mesh behaviour matrix") {
  struct Row {
    const char* name;
    std::optional<ClientTlsPolicy> policy;
    TlsMode target;
    bool tls;
    bool validated;
  };
  const std::vector<Row> rows = {
      {"no policy, DISABLED target: plaintext", std::nullopt, TlsMode::kDisabled, false, false},
      {"policy, DISABLED target: TLS anyway", Policy(true, {}), TlsMode::kDisabled, true, true},
      {"policy, STRICT target", Policy(true, {}), TlsMode::kStrict, true, true},
      {"policy, PERMISSIVE target", Policy(true, {}), TlsMode::kPermissive, true, true},
      {"no policy, STRICT target: auto TLS", std::nullopt, TlsMode::kStrict, true, false},
      {"enforce false counts as no policy", Policy(false, {}), TlsMode::kStrict, true, false},
      {"enforce false, DISABLED: plaintext", Policy(false, {}), TlsMode::kDisabled, false, false},
      {"ports listing the port", Policy(true, {4567}), TlsMode::kDisabled, true, true},
      {"ports not listing the port", Policy(true, {9999}), TlsMode::kStrict, true, false},
      {"ports not listing it, DISABLED", Policy(true, {9999}), TlsMode::kDisabled, false, false},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    UpstreamTlsPlan plan = PlanUpstreamTls(WithPolicy(row.policy, row.target));
    CHECK(plan.tls == row.tls);
    CHECK(plan.validation.has_value() == row.validated);
    CHECK(plan.client_certificate_secret.empty() == !row.validated);
  }
}

TEST_CASE("Auto TLS to a target with an ACM certificate uses the target's auto validation") {
  Cluster cluster = WithPolicy(std::nullopt, TlsMode::kStrict);
  cluster.target_tls.auto_validation = PeerValidation{"root", {}, "svc.local"};
  UpstreamTlsPlan plan = PlanUpstreamTls(cluster);
  REQUIRE(plan.validation.has_value());
  CHECK(plan.validation->trust_secret == "root");
  CHECK(SanNames(*plan.validation) == std::vector<std::string>{"svc.local"});
}

TEST_CASE("An explicit SAN list replaces the discovery name") {
  PeerValidation validation{"ca", {"a.example", "b.example"}, "svc.local"};
  CHECK(SanNames(validation) == std::vector<std::string>{"a.example", "b.example"});
  CHECK(SanNames(PeerValidation{"ca", {}, ""}).empty());
}

TEST_CASE("A wildcard certificate SAN covers exactly one leftmost label") {
  CHECK(DnsSanMatches("*.example.com", "api.example.com"));
  CHECK(DnsSanMatches("*.EXAMPLE.com", "Api.example.COM"));
  CHECK(DnsSanMatches("api.example.com", "api.example.com"));
  CHECK_FALSE(DnsSanMatches("*.example.com", "example.com"));
  CHECK_FALSE(DnsSanMatches("*.example.com", "a.b.example.com"));
  CHECK_FALSE(DnsSanMatches("*.example.com", ".example.com"));
  CHECK_FALSE(DnsSanMatches("api.example.com", "*.example.com"));
  CHECK_FALSE(DnsSanMatches("other.example.com", "api.example.com"));
  CHECK(AnySanMatches({{"dns", "x.local"}, {"dns", "*.yelb.local"}}, {"ui.yelb.local"}));
  CHECK_FALSE(AnySanMatches({}, {"ui.yelb.local"}));
}

TEST_CASE("A SAN list matches URI, email and IP names exactly, as Envoy's exact matchers do") {
  const std::vector<pki::AltName> sans = {
      {"uri", "spiffe://mesh/yelb-ui"}, {"email", "ops@example.com"}, {"ip_address", "127.0.1.5"}};
  CHECK(AnySanMatches(sans, {"spiffe://mesh/yelb-ui"}));
  CHECK(AnySanMatches(sans, {"ops@example.com"}));
  CHECK(AnySanMatches(sans, {"127.0.1.5"}));
  // Only DNS names get the wildcard rule and ignore case.
  CHECK_FALSE(AnySanMatches(sans, {"SPIFFE://mesh/yelb-ui"}));
  CHECK_FALSE(AnySanMatches({{"uri", "spiffe://mesh/*"}}, {"spiffe://mesh/yelb-ui"}));
  CHECK_FALSE(AnySanMatches(sans, {"127.0.1.6"}));
}

TEST_CASE("OpenSSL reasons are reported with BoringSSL's names and packed codes") {
  CHECK(ToBoringSsl(SSL_R_CERTIFICATE_VERIFY_FAILED).packed_code == 268435581u);
  CHECK(ToBoringSsl(SSL_R_CERTIFICATE_VERIFY_FAILED).name == "CERTIFICATE_VERIFY_FAILED");
  CHECK(ToBoringSsl(SSL_R_WRONG_VERSION_NUMBER).packed_code == 268435703u);
  CHECK(ToBoringSsl(SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE).packed_code == 268435648u);
  // Alerts keep their numbers: 1000 + 48 is unknown_ca.
  CHECK(ToBoringSsl(1048).name == "TLSV1_ALERT_UNKNOWN_CA");
  CHECK(ToBoringSsl(1048).packed_code == 268436504u);
  CHECK(ToBoringSsl(1040).name == "SSLV3_ALERT_HANDSHAKE_FAILURE");
}

TEST_CASE("The 503 body reads as Envoy's in the classic and the modern layout") {
  TransportFailure failure =
      TlsFailure(FailureKind::kVerifySan, SSL_R_CERTIFICATE_VERIFY_FAILED, kSanMatcherDetail);
  CHECK(UpstreamFailureBody(failure, ErrorStyle::kClassic, false) ==
        "upstream connect error or disconnect/reset before headers. reset reason: connection "
        "failure, transport failure reason: TLS error: 268435581:SSL routines:OPENSSL_internal:"
        "CERTIFICATE_VERIFY_FAILED:verify cert failed: SAN matcher");
  CHECK(UpstreamFailureBody(failure, ErrorStyle::kModern, true) ==
        "upstream connect error or disconnect/reset before headers. retried and the latest "
        "reset reason: remote connection failure, transport failure reason: TLS_error:|"
        "268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:verify cert failed: "
        "SAN matcher:TLS_error_end");
  CHECK(UpstreamFailureBody(SecretMissingFailure(), ErrorStyle::kClassic, false)
            .ends_with("transport failure reason: TLS error: Secret is not supplied by SDS"));
  CHECK(UpstreamFailureBody(ConnectFailure(111), ErrorStyle::kClassic, false)
            .ends_with("reset reason: connection failure, transport failure reason: delayed "
                       "connect error: 111"));
  CHECK(ChainFailureDetail(0, "unable to get local issuer certificate") ==
        "verify cert failed: X509_verify_cert: certificate verification error at depth 0: "
        "unable to get local issuer certificate");
}

}  // namespace
}  // namespace crossmesh::proxy
