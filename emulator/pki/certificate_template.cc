#include "emulator/pki/certificate_template.h"

#include "emulator/pki/errors.h"

namespace crossmesh::pki {
namespace {

constexpr std::string_view kTemplateArnPrefix = "arn:aws:acm-pca:::template/";

}  // namespace

std::string_view TemplateName(CertificateTemplate certificate_template) {
  switch (certificate_template) {
    case CertificateTemplate::kEndEntityV1:
      return "EndEntityCertificate/V1";
    case CertificateTemplate::kRootCaV1:
      return "RootCACertificate/V1";
    case CertificateTemplate::kSubordinateCaPathLen0V1:
      return "SubordinateCACertificate_PathLen0/V1";
    case CertificateTemplate::kSubordinateCaPathLen1V1:
      return "SubordinateCACertificate_PathLen1/V1";
    case CertificateTemplate::kSubordinateCaPathLen2V1:
      return "SubordinateCACertificate_PathLen2/V1";
    case CertificateTemplate::kSubordinateCaPathLen3V1:
      return "SubordinateCACertificate_PathLen3/V1";
  }
  return "Unknown";
}

std::string TemplateArn(CertificateTemplate certificate_template) {
  return std::string(kTemplateArnPrefix) + std::string(TemplateName(certificate_template));
}

Result<CertificateTemplate> ParseTemplateArn(std::string_view arn) {
  for (CertificateTemplate candidate : kAllCertificateTemplates) {
    if (arn == TemplateArn(candidate)) return candidate;
  }
  std::string hint = arn.starts_with(kTemplateArnPrefix)
                         ? "this emulator implements EndEntityCertificate/V1, "
                           "RootCACertificate/V1 and SubordinateCACertificate_PathLen0..3/V1"
                         : "a template ARN has the form " + std::string(kTemplateArnPrefix) +
                               "EndEntityCertificate/V1";
  return Error(kInvalidArgs,
               "TemplateArn \"" + std::string(arn) + "\" is not a supported template; " + hint);
}

bool IsCaTemplate(CertificateTemplate certificate_template) {
  return certificate_template != CertificateTemplate::kEndEntityV1;
}

int TemplatePathLength(CertificateTemplate certificate_template) {
  switch (certificate_template) {
    case CertificateTemplate::kSubordinateCaPathLen0V1:
      return 0;
    case CertificateTemplate::kSubordinateCaPathLen1V1:
      return 1;
    case CertificateTemplate::kSubordinateCaPathLen2V1:
      return 2;
    case CertificateTemplate::kSubordinateCaPathLen3V1:
      return 3;
    default:
      return -1;
  }
}

}  // namespace crossmesh::pki
