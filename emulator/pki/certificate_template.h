// The AWS Private CA certificate templates this emulator implements, and their ARNs
// (arn:aws:acm-pca:::template/<Name>/V1). See appmesh-tls-semantics.md section 4.4.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "emulator/core/status.h"

namespace crossmesh::pki {

enum class CertificateTemplate {
  kEndEntityV1,  // the default when IssueCertificate names no template
  kRootCaV1,
  kSubordinateCaPathLen0V1,
  kSubordinateCaPathLen1V1,
  kSubordinateCaPathLen2V1,
  kSubordinateCaPathLen3V1,
};

inline constexpr std::array kAllCertificateTemplates = {
    CertificateTemplate::kEndEntityV1,
    CertificateTemplate::kRootCaV1,
    CertificateTemplate::kSubordinateCaPathLen0V1,
    CertificateTemplate::kSubordinateCaPathLen1V1,
    CertificateTemplate::kSubordinateCaPathLen2V1,
    CertificateTemplate::kSubordinateCaPathLen3V1,
};

// "EndEntityCertificate/V1", "SubordinateCACertificate_PathLen0/V1", ...
std::string_view TemplateName(CertificateTemplate certificate_template);
// "arn:aws:acm-pca:::template/EndEntityCertificate/V1".
std::string TemplateArn(CertificateTemplate certificate_template);
// The inverse of TemplateArn. InvalidArgsException for anything else, including the
// passthrough and Blank templates this emulator does not implement.
Result<CertificateTemplate> ParseTemplateArn(std::string_view arn);

// True for RootCACertificate/V1 and the SubordinateCACertificate_PathLen* templates.
bool IsCaTemplate(CertificateTemplate certificate_template);
// The pathLenConstraint a subordinate template sets; -1 for none (root, end entity).
int TemplatePathLength(CertificateTemplate certificate_template);

}  // namespace crossmesh::pki
