// TLS shapes shared by virtual nodes and virtual gateways: listener TLS and client policies
// (appmesh-tls-semantics.md sections 1 to 3).
#include "harness/manifests/appmesh_schema.h"

namespace crossmesh::manifests::shapes {
namespace {

using namespace schema;  // NOLINT(google-build-using-namespace): shape tables read better

// The API's own answer when a validation trust sets no member it accepts (issue #575 of the
// controller shows it for ACM trust on a listener).
constexpr const char* kNoTrust = "One type of TLS Validation Context Trust must be set.";

const char* CertificateArnField(Dialect d) {
  return d == Dialect::kCrd ? "certificateARN" : "certificateArn";
}

const char* CaArnsField(Dialect d) {
  return d == Dialect::kCrd ? "certificateAuthorityARNs" : "certificateAuthorityArns";
}

SchemaPtr FileCertificate() {
  return Obj("file certificate", {Req("certificateChain", Str()), Req("privateKey", Str())});
}

SchemaPtr SdsSecret(const char* what) { return Obj(what, {Req("secretName", Str())}); }

SchemaPtr AcmTrust(Dialect d) {
  return Obj("ACM trust", {Req(CaArnsField(d), List(Str(ValueFormat::kPcaArn), 1, 3))});
}

SchemaPtr FileTrust() { return Obj("file trust", {Req("certificateChain", Str())}); }

SchemaPtr SubjectAltNames() {
  auto match = Obj("SAN match", {Req("exact", List(Str(ValueFormat::kSubjectAltName), 1))});
  return Obj("subject alternative names", {Req("match", match)});
}

// Listener validation (the server side of mTLS) trusts a file or SDS bundle only.
SchemaPtr ListenerValidation(Dialect d) {
  auto trust = OneOf("listener validation trust",
                     {Refused("acm", AcmTrust(d),
                              "a listener cannot trust an ACM Private CA: App Mesh answers '" +
                                  std::string(kNoTrust) + "'",
                              "listener validation trusts a file or sds bundle; to trust an ACM "
                              "Private CA, set it in the callers' client policy "
                              "(backendDefaults.clientPolicy.tls.validation.trust.acm)"),
                      Opt("file", FileTrust()), Opt("sds", SdsSecret("SDS trust"))},
                     kNoTrust);
  return Obj("listener validation",
             {Req("trust", trust), Opt("subjectAlternativeNames", SubjectAltNames())});
}

SchemaPtr ClientValidation(Dialect d) {
  auto trust =
      OneOf("client policy trust",
            {Opt("acm", AcmTrust(d)), Opt("file", FileTrust()), Opt("sds", SdsSecret("SDS trust"))},
            kNoTrust);
  return Obj("client policy validation",
             {Req("trust", trust), Opt("subjectAlternativeNames", SubjectAltNames())});
}

SchemaPtr ClientCertificate(Dialect d) {
  auto acm = Obj("ACM certificate", {Req(CertificateArnField(d), Str())});
  return OneOf("client policy certificate",
               {Refused("acm", acm,
                        "a client policy certificate (for mTLS) cannot come from ACM: App Mesh "
                        "takes file or sds only",
                        "export the certificate from ACM to a file the proxy can read and use "
                        "certificate.file, or serve it over SDS"),
                Opt("file", FileCertificate()), Opt("sds", SdsSecret("SDS certificate"))});
}

}  // namespace

SchemaPtr ListenerTls(Dialect d, bool gateway) {
  auto acm =
      Obj("ACM certificate", {Req(CertificateArnField(d), Str(ValueFormat::kAcmCertificateArn))});
  auto certificate = OneOf(
      gateway ? "virtual gateway listener certificate" : "listener certificate",
      {Opt("acm", acm), Opt("file", FileCertificate()), Opt("sds", SdsSecret("SDS certificate"))});
  return Obj(gateway ? "virtual gateway listener TLS" : "listener TLS",
             {Req("mode", Enum({"STRICT", "PERMISSIVE", "DISABLED"})),
              Req("certificate", certificate), Opt("validation", ListenerValidation(d))});
}

SchemaPtr ClientPolicy(Dialect d) {
  auto tls = Obj("client policy TLS", {Opt("enforce", Bool()), Opt("ports", List(Port())),
                                       Opt("certificate", ClientCertificate(d)),
                                       Req("validation", ClientValidation(d))});
  return Obj("client policy", {Opt("tls", tls)});
}

SchemaPtr BackendDefaults(Dialect d) {
  return Obj("backend defaults", {Opt("clientPolicy", ClientPolicy(d))});
}

}  // namespace crossmesh::manifests::shapes
