#include "harness/manifests/value_formats.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <vector>

#include "emulator/core/arn.h"

namespace crossmesh::manifests {
namespace {

std::vector<std::string> Split(std::string_view text, char sep, size_t max_parts) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() + 1 < max_parts) {
    size_t at = text.find(sep, start);
    if (at == std::string_view::npos) break;
    parts.emplace_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.emplace_back(text.substr(start));
  return parts;
}

// The reason an ARN of `service` with a resource matching `resource` is wrong, or nullopt.
std::optional<std::string> CheckArn(std::string_view value, std::string_view service,
                                    const RE2& resource, std::string_view resource_form) {
  if (value.find_first_of(" \t") != std::string_view::npos) return "an ARN has no spaces";
  auto parts = Split(value, ':', 6);
  if (parts.size() < 6) return "it has fewer than six ':'-separated parts";
  if (parts[0] != "arn") return "it does not start with 'arn:'";
  if (parts[1] != "aws") return fmt::format("partition '{}' is not 'aws'", parts[1]);
  if (parts[2] != service) {
    return fmt::format("it names service '{}' where '{}' is needed", parts[2], service);
  }
  if (!IsRegionName(parts[3])) return fmt::format("'{}' is not a region name", parts[3]);
  if (!IsAccountId(parts[4])) return fmt::format("'{}' is not a 12-digit account id", parts[4]);
  if (!RE2::FullMatch(parts[5], resource)) {
    return fmt::format("the resource part '{}' is not of the form {}", parts[5], resource_form);
  }
  return std::nullopt;
}

std::optional<std::string> CheckKubernetesName(std::string_view value, size_t max,
                                               bool allow_dots) {
  static const RE2 kLabel("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  static const RE2 kSubdomain("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  if (value.empty()) return "it is empty";
  if (value.size() > max) return fmt::format("it is longer than {} characters", max);
  if (!RE2::FullMatch(re2::StringPiece(value.data(), value.size()),
                      allow_dots ? kSubdomain : kLabel)) {
    return allow_dots ? "it may only hold lower-case letters, digits, '-' and '.', and must "
                        "start and end with a letter or digit"
                      : "it may only hold lower-case letters, digits and '-', and must start "
                        "and end with a letter or digit";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CheckFormat(ValueFormat format, std::string_view value) {
  // RE2: std::regex overflowed the stack on a resource part of tens of thousands of characters.
  static const RE2 kCertificate("certificate/[A-Za-z0-9-]+");
  static const RE2 kAuthority("certificate-authority/[A-Za-z0-9-]+");
  static const RE2 kVirtualService("mesh/[^/]+/virtualService/[^/]+");
  static const RE2 kVirtualNode("mesh/[^/]+/virtualNode/[^/]+");
  switch (format) {
    case ValueFormat::kNone:
      return std::nullopt;
    case ValueFormat::kAccountId:
      if (IsAccountId(value)) return std::nullopt;
      return "an account id is exactly 12 digits";
    case ValueFormat::kAcmCertificateArn:
      return CheckArn(value, "acm", kCertificate, "certificate/ID");
    case ValueFormat::kPcaArn:
      return CheckArn(value, "acm-pca", kAuthority, "certificate-authority/ID");
    case ValueFormat::kVirtualServiceArn:
      return CheckArn(value, "appmesh", kVirtualService, "mesh/MESH/virtualService/NAME");
    case ValueFormat::kVirtualNodeArn:
      return CheckArn(value, "appmesh", kVirtualNode, "mesh/MESH/virtualNode/NAME");
    case ValueFormat::kSubjectAltName:
      if (value.find('*') == std::string_view::npos) return std::nullopt;
      return "App Mesh does not support wildcard SANs in subjectAlternativeNames.match.exact";
    case ValueFormat::kKubernetesName:
      return CheckKubernetesName(value, 253, true);
    case ValueFormat::kKubernetesLabel:
      return CheckKubernetesName(value, 63, false);
    case ValueFormat::kDnsHostname: {
      // The App Mesh API's own rule (BadRequestException otherwise).
      static const RE2 kHostname("[A-Za-z0-9_.-]{1,253}");
      if (RE2::FullMatch(re2::StringPiece(value.data(), value.size()), kHostname)) {
        return std::nullopt;
      }
      return value.empty() ? "it is empty"
                           : "a DNS name is 1 to 253 letters, digits, '-', '_' and dots";
    }
  }
  return std::nullopt;
}

std::string_view FormatExample(ValueFormat format) {
  switch (format) {
    case ValueFormat::kAccountId:
      return "a 12-digit account id such as 111111111111";
    case ValueFormat::kAcmCertificateArn:
      return "arn:aws:acm:REGION:ACCOUNT:certificate/ID";
    case ValueFormat::kPcaArn:
      return "arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID";
    case ValueFormat::kVirtualServiceArn:
      return "arn:aws:appmesh:REGION:MESH_OWNER:mesh/MESH/virtualService/NAME";
    case ValueFormat::kVirtualNodeArn:
      return "arn:aws:appmesh:REGION:MESH_OWNER:mesh/MESH/virtualNode/NAME";
    case ValueFormat::kSubjectAltName:
      return "each exact SAN, such as yelb-db.yelb.svc.cluster.local";
    case ValueFormat::kKubernetesName:
    case ValueFormat::kKubernetesLabel:
      return "a name such as yelb-appserver";
    case ValueFormat::kDnsHostname:
      return "a DNS name such as yelb-appserver.yelb.svc.cluster.local";
    case ValueFormat::kNone:
      break;
  }
  return "";
}

std::string_view FormatName(ValueFormat format) {
  switch (format) {
    case ValueFormat::kAccountId:
      return "an account id";
    case ValueFormat::kAcmCertificateArn:
      return "an ACM certificate ARN";
    case ValueFormat::kPcaArn:
      return "an ACM Private CA ARN";
    case ValueFormat::kVirtualServiceArn:
      return "an App Mesh virtual service ARN";
    case ValueFormat::kVirtualNodeArn:
      return "an App Mesh virtual node ARN";
    case ValueFormat::kSubjectAltName:
      return "an exact subject alternative name";
    case ValueFormat::kKubernetesName:
      return "a Kubernetes object name";
    case ValueFormat::kKubernetesLabel:
      return "a Kubernetes namespace name";
    case ValueFormat::kDnsHostname:
      return "a DNS hostname";
    case ValueFormat::kNone:
      break;
  }
  return "a value";
}

std::string_view FormatRule(ValueFormat format) {
  switch (format) {
    case ValueFormat::kAccountId:
      return "malformed-account-id";
    case ValueFormat::kSubjectAltName:
      return "tls-san-wildcard";
    case ValueFormat::kKubernetesName:
    case ValueFormat::kKubernetesLabel:
      return "malformed-name";
    case ValueFormat::kDnsHostname:
      return "malformed-hostname";
    default:
      return "malformed-arn";
  }
}

std::optional<AppMeshArn> ParseAppMeshArn(std::string_view arn) {
  auto parts = Split(arn, ':', 6);
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "appmesh") return std::nullopt;
  auto path = Split(parts[5], '/', 4);
  if (path.size() != 4 || path[0] != "mesh" || path[1].empty() || path[3].empty()) {
    return std::nullopt;
  }
  return AppMeshArn{parts[3], parts[4], path[1], path[2], path[3]};
}

}  // namespace crossmesh::manifests
