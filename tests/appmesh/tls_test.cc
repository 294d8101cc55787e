// TLS rules of virtual nodes and gateways (appmesh-tls-semantics.md sections 1 to 3), each one
// case of a table, and ACM's InUseBy following the listeners that use a certificate.
#include <catch2/catch.hpp>

#include "tests/appmesh/appmesh_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

struct Pki {
  std::string frontend_ca;
  std::string backend_ca;
  std::string frontend_cert;  // ISSUED, frontend's
  std::string backend_cert;   // ISSUED, backend's
  std::string failed_cert;    // frontend's, FAILED: signed by a CA it may not use
  std::string public_cert;    // frontend's, AMAZON_ISSUED, never validated offline
};

Pki MakePki(TestEmulator& t) {
  Pki p;
  p.frontend_ca = CreateActiveRootCa(t, "frontend", "RSA_2048");
  p.backend_ca = CreateActiveRootCa(t, "backend", "RSA_2048");
  p.frontend_cert = IssuedCertificate(t, "frontend", p.frontend_ca);
  p.backend_cert = IssuedCertificate(t, "backend", p.backend_ca);

  WireResponse failed =
      t.JsonCall("frontend", "acm", "CertificateManager.RequestCertificate",
                 {{"DomainName", "*.example.com"}, {"CertificateAuthorityArn", p.backend_ca}});
  REQUIRE(failed.status == 200);
  p.failed_cert = BodyJson(failed)["CertificateArn"];
  WireResponse pub = t.JsonCall("frontend", "acm", "CertificateManager.RequestCertificate",
                                {{"DomainName", "www.example.com"}, {"ValidationMethod", "DNS"}});
  REQUIRE(pub.status == 200);
  p.public_cert = BodyJson(pub)["CertificateArn"];
  REQUIRE(t.emulator().AdvanceClock(std::chrono::seconds(1)).ok());
  REQUIRE(DescribeCertificate(t, "frontend", p.failed_cert)["Status"] == "FAILED");
  return p;
}

json AcmCertificate(const std::string& arn) { return {{"acm", {{"certificateArn", arn}}}}; }
json FileCertificate() {
  return {{"file", {{"certificateChain", "/certs/chain.pem"}, {"privateKey", "/certs/key.pem"}}}};
}
json AcmTrust(const json& arns) {
  return {{"trust", {{"acm", {{"certificateAuthorityArns", arns}}}}}};
}

// A node listening on 8080 whose listener has `tls`.
json NodeWithTls(const json& tls) {
  json spec = HttpNodeSpec(8080, "tls.local");
  spec["listeners"][0]["tls"] = tls;
  return spec;
}

// A node whose backendDefaults client policy is `policy_tls`.
json NodeWithClientPolicy(const json& policy_tls) {
  json spec = HttpNodeSpec(8080, "tls.local");
  spec["backendDefaults"] = {{"clientPolicy", {{"tls", policy_tls}}}};
  return spec;
}

struct TlsCase {
  std::string name;
  json spec;
  int status;
  std::string code;
  std::string message;
  bool exact = false;  // the message must be exactly `message`
};

std::vector<TlsCase> Cases(const Pki& p) {
  std::string other_region = p.frontend_ca;
  other_region.replace(other_region.find("us-west-2"), 9, "eu-west-1");
  std::string missing_ca = p.frontend_ca.substr(0, p.frontend_ca.rfind('/') + 1) +
                           "00000000-0000-4000-8000-000000000000";
  std::string cert_other_region = p.frontend_cert;
  cert_other_region.replace(cert_other_region.find("us-west-2"), 9, "eu-west-1");
  std::string missing_cert = p.frontend_cert.substr(0, p.frontend_cert.rfind('/') + 1) +
                             "00000000-0000-4000-8000-000000000000";
  json two_sources = AcmCertificate(p.frontend_cert);
  two_sources["file"] = FileCertificate()["file"];
  return {
      {"listener tls needs a mode", NodeWithTls({{"certificate", AcmCertificate(p.frontend_cert)}}),
       400, "BadRequestException", "spec.listeners[0].tls.mode is required"},
      {"listener tls needs a certificate", NodeWithTls({{"mode", "STRICT"}}), 400,
       "BadRequestException", "spec.listeners[0].tls.certificate is required"},
      {"a listener certificate sets exactly one source",
       NodeWithTls({{"mode", "STRICT"}, {"certificate", two_sources}}), 400, "BadRequestException",
       "must set exactly one of acm, file, sds"},
      {"listener validation trust refuses acm",
       NodeWithTls({{"mode", "STRICT"},
                    {"certificate", FileCertificate()},
                    {"validation", AcmTrust({p.frontend_ca})}}),
       400, "BadRequestException", "spec.listeners[0].tls.validation.trust.acm"},
      {"an empty listener validation trust",
       NodeWithTls({{"mode", "STRICT"},
                    {"certificate", FileCertificate()},
                    {"validation", {{"trust", json::object()}}}}),
       400, "BadRequestException", "One type of TLS Validation Context Trust must be set.", true},
      {"client policy ACM trust needs a CA",
       NodeWithClientPolicy({{"validation", AcmTrust(json::array())}}), 400, "BadRequestException",
       "certificateAuthorityArns has 0 items; it must have between 1 and 3"},
      {"client policy ACM trust takes at most 3 CAs",
       NodeWithClientPolicy({{"validation", AcmTrust({p.frontend_ca, p.frontend_ca, p.frontend_ca,
                                                      p.frontend_ca})}}),
       400, "BadRequestException", "has 4 items"},
      {"a trusted CA in another Region",
       NodeWithClientPolicy({{"validation", AcmTrust({other_region})}}), 400, "BadRequestException",
       "it must be in the mesh's Region us-west-2"},
      {"a trusted CA that does not exist",
       NodeWithClientPolicy({{"validation", AcmTrust({missing_ca})}}), 400, "BadRequestException",
       "does not exist"},
      {"a trusted CA the caller cannot describe",
       NodeWithClientPolicy({{"validation", AcmTrust({p.backend_ca})}}), 403, "ForbiddenException",
       "Call requires the acm-pca:DescribeCertificateAuthority permission for the certificate "
       "authority with the ARN " +
           p.backend_ca},
      {"a client policy needs validation", NodeWithClientPolicy({{"enforce", true}}), 400,
       "BadRequestException", "spec.backendDefaults.clientPolicy.tls.validation is required"},
      {"a client policy certificate is never acm",
       NodeWithClientPolicy({{"certificate", AcmCertificate(p.frontend_cert)},
                             {"validation", AcmTrust({p.frontend_ca})}}),
       400, "BadRequestException", "spec.backendDefaults.clientPolicy.tls.certificate.acm"},
      {"a listener certificate of another account",
       NodeWithTls({{"mode", "STRICT"}, {"certificate", AcmCertificate(p.backend_cert)}}), 403,
       "ForbiddenException",
       "Call requires the acm:DescribeCertificate permission for the certificate with the ARN " +
           p.backend_cert,
       true},
      {"a public listener certificate",
       NodeWithTls({{"mode", "STRICT"}, {"certificate", AcmCertificate(p.public_cert)}}), 400,
       "BadRequestException", "is of type AMAZON_ISSUED; a listener takes a PRIVATE certificate"},
      {"a listener certificate that FAILED",
       NodeWithTls({{"mode", "STRICT"}, {"certificate", AcmCertificate(p.failed_cert)}}), 400,
       "BadRequestException", "has status FAILED; it must be ISSUED"},
      {"a listener certificate in another Region",
       NodeWithTls({{"mode", "STRICT"}, {"certificate", AcmCertificate(cert_other_region)}}), 400,
       "BadRequestException", "it must be in the mesh's Region us-west-2"},
      {"a listener certificate that does not exist",
       NodeWithTls({{"mode", "STRICT"}, {"certificate", AcmCertificate(missing_cert)}}), 400,
       "BadRequestException", "does not exist"},
      {"a listener certificate ARN that is not one",
       NodeWithTls({{"mode", "STRICT"}, {"certificate", AcmCertificate("CERTIFICATE_ARN")}}), 400,
       "BadRequestException", "'CERTIFICATE_ARN' is not an ACM certificate ARN"},
  };
}

}  // namespace

TEST_CASE("Virtual node TLS is refused as App Mesh refused it") {
  TestEmulator t;
  Pki p = MakePki(t);
  CreateMesh(t, "frontend", "tls");
  for (const auto& c : Cases(p)) {
    INFO(c.name);
    ApiError error = MeshFails(t, "frontend", "PUT", MeshPath("tls", "/virtualNodes"),
                               {{"virtualNodeName", "tls-node"}, {"spec", c.spec}});
    CHECK(error.status == c.status);
    CHECK(error.code == c.code);
    if (c.exact) {
      CHECK(error.message == c.message);
    } else {
      CHECK_THAT(error.message, Catch::Contains(c.message));
    }
  }
}

TEST_CASE("Valid TLS is accepted: DISABLED with a certificate, shared CA trust, gateways") {
  TestEmulator t;
  Pki p = MakePki(t);
  std::string mesh = CreateMesh(t, "frontend", "tls");
  ShareMeshWithBackend(t, mesh, true);

  // mode and certificate are required even when the listener is DISABLED.
  CreateNode(t, "frontend", "tls", "disabled",
             NodeWithTls({{"mode", "DISABLED"}, {"certificate", AcmCertificate(p.frontend_cert)}}));

  // The backend trusts the frontend's CA once the CA is shared with it.
  json trusts =
      NodeWithClientPolicy({{"enforce", true}, {"validation", AcmTrust({p.frontend_ca})}});
  ApiError before = MeshFails(t, "backend", "PUT", MeshPath("tls", "/virtualNodes"),
                              {{"virtualNodeName", "trusting"}, {"spec", trusts}},
                              std::string("meshOwner=") + kFrontendId);
  CHECK(before.status == 403);
  std::string share = ShareWithBackend(t, p.frontend_ca, "Shared_Private_CA_MESH");
  Ram(t, "backend", "/acceptresourceshareinvitation",
      {{"resourceShareInvitationArn", InvitationFor(t, share)}});
  CreateNode(t, "backend", "tls", "trusting", trusts, kFrontendId);

  // Gateways: ACM listener certificates, file or sds validation only.
  json gateway = {
      {"listeners",
       {{{"portMapping", {{"port", 443}, {"protocol", "http"}}},
         {"tls", {{"mode", "STRICT"}, {"certificate", AcmCertificate(p.frontend_cert)}}}}}},
      {"backendDefaults",
       {{"clientPolicy", {{"tls", {{"validation", AcmTrust({p.frontend_ca})}}}}}}}};
  json created = MeshOk(t, "frontend", "PUT", MeshPath("tls", "/virtualGateways"),
                        {{"virtualGatewayName", "ingress"}, {"spec", gateway}});
  json acm_trust = gateway;
  acm_trust["listeners"][0]["tls"]["validation"] = AcmTrust({p.frontend_ca});
  ApiError refused = MeshFails(t, "frontend", "PUT", MeshPath("tls", "/virtualGateways/ingress"),
                               {{"spec", acm_trust}});
  CHECK(refused.status == 400);
  CHECK_THAT(refused.message, Catch::Contains("spec.listeners[0].tls.validation.trust.acm"));

  json in_use = DescribeCertificate(t, "frontend", p.frontend_cert)["InUseBy"];
  CHECK(in_use == json::array({created["metadata"]["arn"],
                               "arn:aws:appmesh:us-west-2:111111111111:mesh/tls/virtualNode/"
                               "disabled"}));
}

TEST_CASE("InUseBy lists the nodes using a certificate and DeleteCertificate waits for them") {
  TestEmulator t;
  Pki p = MakePki(t);
  CreateMesh(t, "frontend", "inuse");
  json strict = NodeWithTls({{"mode", "STRICT"}, {"certificate", AcmCertificate(p.frontend_cert)}});
  std::string a = CreateNode(t, "frontend", "inuse", "a", strict)["metadata"]["arn"];
  std::string b = CreateNode(t, "frontend", "inuse", "b", strict)["metadata"]["arn"];
  CHECK(DescribeCertificate(t, "frontend", p.frontend_cert)["InUseBy"] == json::array({a, b}));

  WireResponse refused = t.JsonCall("frontend", "acm", "CertificateManager.DeleteCertificate",
                                    {{"CertificateArn", p.frontend_cert}});
  CHECK(refused.status == 400);
  CHECK(BodyJson(refused)["__type"] == "ResourceInUseException");

  // Moving a listener to a file certificate and deleting the other node releases it.
  MeshOk(t, "frontend", "PUT", MeshPath("inuse", "/virtualNodes/a"),
         {{"spec", NodeWithTls({{"mode", "STRICT"}, {"certificate", FileCertificate()}})}});
  CHECK(DescribeCertificate(t, "frontend", p.frontend_cert)["InUseBy"] == json::array({b}));
  MeshOk(t, "frontend", "DELETE", MeshPath("inuse", "/virtualNodes/b"));
  CHECK(DescribeCertificate(t, "frontend", p.frontend_cert)["InUseBy"].empty());

  WireResponse deleted = t.JsonCall("frontend", "acm", "CertificateManager.DeleteCertificate",
                                    {{"CertificateArn", p.frontend_cert}});
  CHECK(deleted.status == 200);
}
