#include "emulator/acmpca/api/acmpca_api.h"

#include <array>
#include <utility>

#include "emulator/acmpca/api/handlers.h"

namespace crossmesh::acmpca {

std::unique_ptr<Service> MakeAcmPcaService(Store& store) {
  auto service = std::make_unique<JsonRpcService>("acm-pca", "ACMPrivateCA");
  const std::array<std::pair<const char*, api::Handler>, 21> operations = {{
      {"CreateCertificateAuthority", api::CreateCertificateAuthority},
      {"DescribeCertificateAuthority", api::DescribeCertificateAuthority},
      {"ListCertificateAuthorities", api::ListCertificateAuthorities},
      {"GetCertificateAuthorityCsr", api::GetCertificateAuthorityCsr},
      {"IssueCertificate", api::IssueCertificate},
      {"GetCertificate", api::GetCertificate},
      {"ImportCertificateAuthorityCertificate", api::ImportCertificateAuthorityCertificate},
      {"GetCertificateAuthorityCertificate", api::GetCertificateAuthorityCertificate},
      {"CreatePermission", api::CreatePermission},
      {"ListPermissions", api::ListPermissions},
      {"DeletePermission", api::DeletePermission},
      {"RevokeCertificate", api::RevokeCertificate},
      {"UpdateCertificateAuthority", api::UpdateCertificateAuthority},
      {"DeleteCertificateAuthority", api::DeleteCertificateAuthority},
      {"RestoreCertificateAuthority", api::RestoreCertificateAuthority},
      {"TagCertificateAuthority", api::TagCertificateAuthority},
      {"UntagCertificateAuthority", api::UntagCertificateAuthority},
      {"ListTags", api::ListTags},
      {"PutPolicy", api::PutPolicy},
      {"GetPolicy", api::GetPolicy},
      {"DeletePolicy", api::DeletePolicy},
  }};
  for (const auto& [name, handler] : operations) {
    service->On(name,
                [&store, handler = handler](const CallContext& ctx, const nlohmann::json& input) {
                  return handler(store, ctx, input);
                });
  }
  return service;
}

}  // namespace crossmesh::acmpca
