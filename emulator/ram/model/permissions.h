// RAM managed permissions: which actions a share grants on each resource type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crossmesh::ram {

struct ManagedPermission {
  std::string arn;  // arn:aws:ram::aws:permission/AWSRAMDefaultPermission...
  std::string name;
  std::string resource_type;         // "acm-pca:CertificateAuthority"
  std::vector<std::string> actions;  // "acm-pca:IssueCertificate", ...
};

const std::vector<ManagedPermission>& ManagedPermissions();
// The default permission RAM attaches to a share for this resource type; nullptr if unsharable.
const ManagedPermission* DefaultPermission(std::string_view resource_type);
const ManagedPermission* FindPermission(std::string_view arn);
bool Grants(const ManagedPermission& permission, std::string_view action);

// The RAM resource type for an ARN's service and resource part, "" if RAM cannot share it.
std::string ResourceTypeOf(std::string_view service, std::string_view resource);

}  // namespace crossmesh::ram
