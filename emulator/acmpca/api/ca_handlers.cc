// Handlers for the CA's own lifecycle.
#include "emulator/acmpca/api/handlers.h"
#include "emulator/acmpca/api/member_reader.h"
#include "emulator/acmpca/api/shapes.h"
#include "emulator/acmpca/model/acmpca_model.h"

namespace crossmesh::acmpca::api {
namespace {

std::vector<std::string_view> Names(const auto& values) {
  return std::vector<std::string_view>(values.begin(), values.end());
}

json CertificateAndChainJson(const CertificateAndChain& answer) {
  json out = {{"Certificate", answer.certificate_pem}};
  if (!answer.chain_pem.empty()) out["CertificateChain"] = answer.chain_pem;
  return out;
}

}  // namespace

Result<json> CreateCertificateAuthority(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  CreateCaInput input;
  input.configuration = ReadCaConfiguration(in, "CertificateAuthorityConfiguration");
  input.revocation = ReadRevocationConfiguration(in, "RevocationConfiguration");
  if (auto type = in.Enum("CertificateAuthorityType", kRequired, NamesOf(kCaTypeNames))) {
    input.type = *ValueOf(kCaTypeNames, *type);
  }
  input.idempotency_token = in.String("IdempotencyToken", kOptional, 1, 36).value_or("");
  input.key_storage_security_standard =
      in.Enum("KeyStorageSecurityStandard", kOptional, Names(kKeyStorageSecurityStandards))
          .value_or("");
  input.usage_mode = in.Enum("UsageMode", kOptional, Names(kUsageModes)).value_or("");
  input.tags = ReadTags(in, "Tags", kOptional);
  if (!in.ok()) return in.status();

  auto arn = acmpca::CreateCertificateAuthority(store, ctx, input);
  if (!arn.ok()) return arn.status();
  return json{{"CertificateAuthorityArn", *arn}};
}

Result<json> DescribeCertificateAuthority(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  if (!in.ok()) return in.status();

  auto description = acmpca::DescribeCertificateAuthority(store, ctx, *arn);
  if (!description.ok()) return description.status();
  return json{{"CertificateAuthority", RenderCertificateAuthority(*description)}};
}

Result<json> ListCertificateAuthorities(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  Page page = ReadPage(in);
  auto owner = in.Enum("ResourceOwner", kOptional, NamesOf(kResourceOwnerNames));
  if (!in.ok()) return in.status();

  ResourceOwner resource_owner =
      owner ? *ValueOf(kResourceOwnerNames, *owner) : ResourceOwner::kSelf;
  auto list = acmpca::ListCertificateAuthorities(store, ctx, resource_owner, page);
  if (!list.ok()) return list.status();
  json authorities = json::array();
  for (const auto& description : list->authorities) {
    authorities.push_back(RenderCertificateAuthority(description));
  }
  json out = {{"CertificateAuthorities", std::move(authorities)}};
  if (!list->next_token.empty()) out["NextToken"] = list->next_token;
  return out;
}

Result<json> GetCertificateAuthorityCsr(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  if (!in.ok()) return in.status();

  auto csr = acmpca::GetCertificateAuthorityCsr(store, ctx, *arn);
  if (!csr.ok()) return csr.status();
  return json{{"Csr", *csr}};
}

Result<json> ImportCertificateAuthorityCertificate(Store& store, const CallContext& ctx,
                                                   const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  auto certificate = in.Blob("Certificate", kRequired, 1, 32768);
  auto chain = in.Blob("CertificateChain", kOptional, 0, 2097152);
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(acmpca::ImportCertificateAuthorityCertificate(store, ctx, *arn, *certificate,
                                                                   chain.value_or("")));
  return json::object();
}

Result<json> GetCertificateAuthorityCertificate(Store& store, const CallContext& ctx,
                                                const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  if (!in.ok()) return in.status();

  auto answer = acmpca::GetCertificateAuthorityCertificate(store, ctx, *arn);
  if (!answer.ok()) return answer.status();
  return CertificateAndChainJson(*answer);
}

Result<json> UpdateCertificateAuthority(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  UpdateCaInput input;
  input.ca_arn = ReadCaArn(in).value_or("");
  input.revocation = ReadRevocationConfiguration(in, "RevocationConfiguration");
  if (auto status = in.Enum("Status", kOptional, NamesOf(kCaStatusNames))) {
    input.status = ValueOf(kCaStatusNames, *status);
  }
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(acmpca::UpdateCertificateAuthority(store, ctx, input));
  return json::object();
}

Result<json> DeleteCertificateAuthority(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  auto days = in.Integer("PermanentDeletionTimeInDays", kOptional, 7, 30);
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(acmpca::DeleteCertificateAuthority(store, ctx, *arn, days));
  return json::object();
}

Result<json> RestoreCertificateAuthority(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(acmpca::RestoreCertificateAuthority(store, ctx, *arn));
  return json::object();
}

}  // namespace crossmesh::acmpca::api
