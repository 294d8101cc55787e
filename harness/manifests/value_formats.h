// Checks on the content of string values: ARNs of the right service and resource type,
// account ids, Kubernetes names, exact SANs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "harness/manifests/schema.h"

namespace crossmesh::manifests {

// Why `value` does not have `format`, or nullopt when it does.
std::optional<std::string> CheckFormat(ValueFormat format, std::string_view value);

// What a value of `format` looks like, for hints: "arn:aws:acm:REGION:ACCOUNT:certificate/ID".
std::string_view FormatExample(ValueFormat format);
// What a value of `format` is called in messages: "an ACM certificate ARN".
std::string_view FormatName(ValueFormat format);
// The rule id findings of `format` carry: "malformed-arn", "malformed-account-id", ...
std::string_view FormatRule(ValueFormat format);

// An App Mesh resource ARN taken apart: arn:aws:appmesh:REGION:OWNER:mesh/MESH/TYPE/NAME.
struct AppMeshArn {
  std::string region;
  std::string mesh_owner;
  std::string mesh;
  std::string type;  // "virtualService", "virtualNode", ...
  std::string name;
};
std::optional<AppMeshArn> ParseAppMeshArn(std::string_view arn);

}  // namespace crossmesh::manifests
