// The Kubernetes side of a manifest: which kinds crossmesh knows, the apiVersion each needs,
// and the schema of the whole object (metadata, and spec for the App Mesh kinds; the core kinds'
// specs are only read for the fields the harness uses, not validated in full).
#pragma once

#include <string>
#include <string_view>

#include "harness/manifests/schema.h"

namespace crossmesh::manifests {

inline constexpr std::string_view kAppMeshApiVersion = "appmesh.k8s.aws/v1beta2";

struct KindInfo {
  std::string_view kind;
  std::string_view api_version;
  bool namespaced = true;
  bool appmesh = false;  // turned into App Mesh API calls by apply
};

// nullptr when crossmesh does not know the kind (apply skips it with a warning).
const KindInfo* FindKind(std::string_view kind);

// The schema of a whole manifest of a known kind: apiVersion, kind, metadata, spec, status.
SchemaPtr ManifestSchema(const KindInfo& kind);

}  // namespace crossmesh::manifests
