// Handlers for certificates a CA issues.
#include "emulator/acmpca/api/handlers.h"
#include "emulator/acmpca/api/member_reader.h"
#include "emulator/acmpca/api/shapes.h"
#include "emulator/acmpca/model/acmpca_model.h"

namespace crossmesh::acmpca::api {

Result<json> IssueCertificate(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  IssueInput input;
  input.ca_arn = in.String("CertificateAuthorityArn", kRequired, kArnMin, kArnMax).value_or("");
  input.csr_pem = in.Blob("Csr", kRequired, 1, 32768).value_or("");
  input.signing_algorithm = ReadSigningAlgorithm(in, "SigningAlgorithm", kRequired)
                                .value_or(pki::SigningAlgorithm::kSha256WithRsa);
  input.template_arn = in.String("TemplateArn", kOptional, kArnMin, kArnMax).value_or("");
  input.validity = ReadValidity(in, "Validity", kRequired).value_or(Validity{});
  input.validity_not_before = ReadValidity(in, "ValidityNotBefore", kOptional);
  input.idempotency_token = in.String("IdempotencyToken", kOptional, 1, 36).value_or("");
  if (in.ok() && body.contains("ApiPassthrough")) {
    in.Fail(Error("InvalidArgsException",
                  "ApiPassthrough needs an APIPassthrough template, which crossmesh does not "
                  "emulate; leave ApiPassthrough out"));
  }
  if (!in.ok()) return in.status();

  auto arn = acmpca::IssueCertificate(store, ctx, input);
  if (!arn.ok()) return arn.status();
  return json{{"CertificateArn", *arn}};
}

Result<json> GetCertificate(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto ca_arn = in.String("CertificateAuthorityArn", kRequired, kArnMin, kArnMax);
  auto certificate_arn = in.String("CertificateArn", kRequired, kArnMin, kArnMax);
  if (!in.ok()) return in.status();

  auto answer = acmpca::GetCertificate(store, ctx, *ca_arn, *certificate_arn);
  if (!answer.ok()) return answer.status();
  json out = {{"Certificate", answer->certificate_pem}};
  if (!answer->chain_pem.empty()) out["CertificateChain"] = answer->chain_pem;
  return out;
}

Result<json> RevokeCertificate(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto ca_arn = in.String("CertificateAuthorityArn", kRequired, kArnMin, kArnMax);
  auto serial = in.String("CertificateSerial", kRequired, 0, 128);
  auto reason = in.Enum("RevocationReason", kRequired, NamesOf(kRevocationReasonNames));
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(acmpca::RevokeCertificate(store, ctx, *ca_arn, *serial,
                                               *ValueOf(kRevocationReasonNames, *reason)));
  return json::object();
}

}  // namespace crossmesh::acmpca::api
