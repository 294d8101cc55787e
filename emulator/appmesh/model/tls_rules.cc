#include "emulator/appmesh/model/tls_rules.h"

#include <fmt/format.h>

#include "emulator/acm/model/acm_types.h"
#include "emulator/acm/model/certificate_manager.h"
#include "emulator/acmpca/model/acmpca_model.h"
#include "emulator/appmesh/model/spec_rules.h"
#include "emulator/core/arn.h"
#include "emulator/ram/model/ram_model.h"

namespace crossmesh::appmesh {
namespace {

using nlohmann::json;

// App Mesh only reads certificates; it never asks ACM for a key.
Result<pki::PrivateKey> NoKeys(pki::KeyAlgorithm) {
  return Error("InternalServerErrorException", "App Mesh does not request certificates");
}

// The ARN's parts when it names a `service` resource starting with `prefix`.
Result<Arn> ParseResourceArn(const std::string& text, std::string_view service,
                             std::string_view prefix, const std::string& path,
                             std::string_view what) {
  auto arn = ParseArn(text, service);
  if (!arn.ok() || arn->resource.rfind(prefix, 0) != 0) {
    return BadRequest(fmt::format("{} '{}' is not {} ARN (arn:aws:{}:REGION:ACCOUNT:{}ID)", path,
                                  text, what, service, prefix));
  }
  return arn;
}

Status CheckSameRegion(const Arn& arn, const CallContext& ctx, const std::string& path,
                       std::string_view what) {
  if (arn.region == ctx.region) return Status::Ok();
  return BadRequest(fmt::format("{}: {} {} is in Region {}; it must be in the mesh's Region {}",
                                path, what, arn.ToString(), arn.region, ctx.region));
}

Status CheckCertificateState(const acm::CertificateDetail& detail, const std::string& path) {
  if (detail.type != acm::type::kPrivate) {
    return BadRequest(
        fmt::format("{}: certificate {} is of type {}; a listener takes a PRIVATE "
                    "certificate that ACM issued from an AWS Private CA",
                    path, detail.certificate_arn, detail.type));
  }
  if (detail.status != acm::status::kIssued) {
    std::string hint = detail.status == acm::status::kPendingValidation
                           ? "; wait until DescribeCertificate reports ISSUED"
                           : "; request a new certificate";
    return BadRequest(fmt::format("{}: certificate {} has status {}; it must be ISSUED{}", path,
                                  detail.certificate_arn, detail.status, hint));
  }
  return Status::Ok();
}

Status CheckListenerCertificate(Store& store, const AccountRegistry& accounts,
                                const CallContext& ctx, const std::string& owner,
                                const std::string& arn_text, const std::string& path) {
  auto arn = ParseResourceArn(arn_text, "acm", "certificate/", path, "an ACM certificate");
  if (!arn.ok()) return arn.status();
  CM_RETURN_IF_ERROR(CheckSameRegion(*arn, ctx, path, "certificate"));

  auto detail = acm::CertificateManager(store, accounts, NoKeys).DescribeCertificate(ctx, arn_text);
  if (detail.status().code() == "AccessDeniedException") {
    return Error("ForbiddenException",
                 "Call requires the acm:DescribeCertificate permission for the certificate with "
                 "the ARN " +
                     arn_text);
  }
  if (detail.status().code() == "ResourceNotFoundException") {
    return BadRequest(fmt::format("{}: certificate {} does not exist", path, arn_text));
  }
  if (!detail.ok()) return detail.status();
  if (arn->account != owner) {
    return BadRequest(
        fmt::format("{}: certificate {} belongs to account {}; it must belong to "
                    "the resource owner's account {}",
                    path, arn_text, arn->account, owner));
  }
  return CheckCertificateState(*detail, path);
}

Status CheckTrustedCa(Store& store, const CallContext& ctx, const std::string& arn_text,
                      const std::string& path) {
  auto arn =
      ParseResourceArn(arn_text, "acm-pca", "certificate-authority/", path, "an ACM Private CA");
  if (!arn.ok()) return arn.status();
  CM_RETURN_IF_ERROR(CheckSameRegion(*arn, ctx, path, "certificate authority"));

  auto ca = acmpca::DescribeCertificateAuthority(store, ctx, arn_text);
  if (ca.ok()) return Status::Ok();
  if (ca.status().code() == "AccessDeniedException") {
    // A CA shared through RAM may be described by the accounts it is shared with; ask RAM
    // directly, whether or not the CA model's own authorization consults it yet.
    if (ram::CheckSharedAccess(store, arn_text, ctx.account->id,
                               "acm-pca:DescribeCertificateAuthority")
            .ok()) {
      return Status::Ok();
    }
    return Error("ForbiddenException",
                 "Call requires the acm-pca:DescribeCertificateAuthority permission for the "
                 "certificate authority with the ARN " +
                     arn_text);
  }
  if (ca.status().code() == "ResourceNotFoundException") {
    return BadRequest(fmt::format("{}: certificate authority {} does not exist", path, arn_text));
  }
  return ca.status();
}

// Every ACM trust of a client policy (`policy` is a ClientPolicy or VirtualGatewayClientPolicy).
Status CheckClientPolicy(Store& store, const CallContext& ctx, const json& policy,
                         const std::string& path) {
  const json trust = policy.value("tls", json::object())
                         .value("validation", json::object())
                         .value("trust", json::object());
  if (!trust.contains("acm")) return Status::Ok();
  const json& arns = trust["acm"]["certificateAuthorityArns"];
  for (size_t i = 0; i < arns.size(); ++i) {
    CM_RETURN_IF_ERROR(CheckTrustedCa(
        store, ctx, arns[i],
        fmt::format("{}.tls.validation.trust.acm.certificateAuthorityArns[{}]", path, i)));
  }
  return Status::Ok();
}

}  // namespace

std::set<std::string> ListenerCertificateArns(const json& spec) {
  std::set<std::string> arns;
  for (const auto& listener : spec.value("listeners", json::array())) {
    const json acm = listener.value("tls", json::object())
                         .value("certificate", json::object())
                         .value("acm", json::object());
    if (acm.contains("certificateArn")) arns.insert(acm["certificateArn"].get<std::string>());
  }
  return arns;
}

Status CheckTlsRules(Store& store, const AccountRegistry& accounts, const CallContext& ctx,
                     const std::string& resource_owner, const json& spec) {
  const json listeners = spec.value("listeners", json::array());
  for (size_t i = 0; i < listeners.size(); ++i) {
    const json acm = listeners[i]
                         .value("tls", json::object())
                         .value("certificate", json::object())
                         .value("acm", json::object());
    if (!acm.contains("certificateArn")) continue;
    CM_RETURN_IF_ERROR(CheckListenerCertificate(
        store, accounts, ctx, resource_owner, acm["certificateArn"],
        fmt::format("spec.listeners[{}].tls.certificate.acm.certificateArn", i)));
  }

  const json defaults = spec.value("backendDefaults", json::object());
  CM_RETURN_IF_ERROR(CheckClientPolicy(store, ctx, defaults.value("clientPolicy", json::object()),
                                       "spec.backendDefaults.clientPolicy"));
  const json backends = spec.value("backends", json::array());
  for (size_t i = 0; i < backends.size(); ++i) {
    const json service = backends[i].value("virtualService", json::object());
    CM_RETURN_IF_ERROR(
        CheckClientPolicy(store, ctx, service.value("clientPolicy", json::object()),
                          fmt::format("spec.backends[{}].virtualService.clientPolicy", i)));
  }
  return Status::Ok();
}

}  // namespace crossmesh::appmesh
