#include "emulator/ram/model/permissions.h"

#include <algorithm>

namespace crossmesh::ram {

const std::vector<ManagedPermission>& ManagedPermissions() {
  // The actions each AWS managed permission allowed (RAM console, "Managed permissions").
  static const std::vector<ManagedPermission> kPermissions = {
      {"arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority",
       "AWSRAMDefaultPermissionCertificateAuthority",
       "acm-pca:CertificateAuthority",
       {"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
        "acm-pca:GetCertificateAuthorityCertificate", "acm-pca:IssueCertificate",
        "acm-pca:ListPermissions", "acm-pca:ListTags"}},
      {"arn:aws:ram::aws:permission/AWSRAMDefaultPermissionAppMesh",
       "AWSRAMDefaultPermissionAppMesh",
       "appmesh:Mesh",
       {"appmesh:DescribeMesh",
        "appmesh:ListMeshes",
        "appmesh:CreateVirtualNode",
        "appmesh:DescribeVirtualNode",
        "appmesh:UpdateVirtualNode",
        "appmesh:DeleteVirtualNode",
        "appmesh:ListVirtualNodes",
        "appmesh:CreateVirtualService",
        "appmesh:DescribeVirtualService",
        "appmesh:UpdateVirtualService",
        "appmesh:DeleteVirtualService",
        "appmesh:ListVirtualServices",
        "appmesh:CreateVirtualRouter",
        "appmesh:DescribeVirtualRouter",
        "appmesh:UpdateVirtualRouter",
        "appmesh:DeleteVirtualRouter",
        "appmesh:ListVirtualRouters",
        "appmesh:CreateRoute",
        "appmesh:DescribeRoute",
        "appmesh:UpdateRoute",
        "appmesh:DeleteRoute",
        "appmesh:ListRoutes",
        "appmesh:CreateVirtualGateway",
        "appmesh:DescribeVirtualGateway",
        "appmesh:UpdateVirtualGateway",
        "appmesh:DeleteVirtualGateway",
        "appmesh:ListVirtualGateways",
        "appmesh:CreateGatewayRoute",
        "appmesh:DescribeGatewayRoute",
        "appmesh:UpdateGatewayRoute",
        "appmesh:DeleteGatewayRoute",
        "appmesh:ListGatewayRoutes",
        "appmesh:ListTagsForResource"}},
  };
  return kPermissions;
}

const ManagedPermission* DefaultPermission(std::string_view resource_type) {
  for (const auto& p : ManagedPermissions()) {
    if (p.resource_type == resource_type) return &p;
  }
  return nullptr;
}

const ManagedPermission* FindPermission(std::string_view arn) {
  for (const auto& p : ManagedPermissions()) {
    if (p.arn == arn) return &p;
  }
  return nullptr;
}

bool Grants(const ManagedPermission& permission, std::string_view action) {
  return std::find(permission.actions.begin(), permission.actions.end(), action) !=
         permission.actions.end();
}

std::string ResourceTypeOf(std::string_view service, std::string_view resource) {
  if (service == "acm-pca" && resource.rfind("certificate-authority/", 0) == 0 &&
      resource.find('/', 22) == std::string_view::npos) {
    return "acm-pca:CertificateAuthority";
  }
  if (service == "appmesh" && resource.rfind("mesh/", 0) == 0 &&
      resource.find('/', 5) == std::string_view::npos) {
    return "appmesh:Mesh";
  }
  return "";
}

}  // namespace crossmesh::ram
