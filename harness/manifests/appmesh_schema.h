// The App Mesh shapes, in two dialects: the controller's CRDs (appmesh.k8s.aws/v1beta2, as in
// aws-app-mesh-controller-for-k8s apis/appmesh/v1beta2) and the App Mesh API 2019-01-25 that
// `--cli-input-json` documents use. They differ in a few places: the CRD spells ARNs
// "certificateARN" / "certificateAuthorityARNs" where the API writes "certificateArn" /
// "certificateAuthorityArns", and the CRD names other resources by reference
// (virtualNodeRef, virtualServiceRef, virtualServiceARN) where the API takes plain names.
#pragma once

#include <string_view>

#include "harness/manifests/schema.h"

namespace crossmesh::manifests {

enum class Dialect { kCrd, kApi };

// The schema of `spec` for an appmesh.k8s.aws/v1beta2 kind, or nullptr for another kind.
SchemaPtr AppMeshSpecSchema(std::string_view kind);

// The whole --cli-input-json document for a resource ("VirtualNode", "Route", "Mesh", ...).
SchemaPtr AppMeshInputSchema(std::string_view resource);

// The pieces, shared by the files that define the shapes.
namespace shapes {

SchemaPtr Port();
SchemaPtr Duration();
SchemaPtr PortMapping(bool gateway);
SchemaPtr LabelSelector();
SchemaPtr MeshRef();
SchemaPtr Ref(const char* what);
SchemaPtr HealthCheck(bool gateway);

SchemaPtr ListenerTls(Dialect dialect, bool gateway);
SchemaPtr ClientPolicy(Dialect dialect);
SchemaPtr BackendDefaults(Dialect dialect);

SchemaPtr VirtualNodeSpec(Dialect dialect);
SchemaPtr VirtualGatewaySpec(Dialect dialect);
SchemaPtr RouteSpec(Dialect dialect, bool named);
SchemaPtr VirtualRouterSpec(Dialect dialect);
SchemaPtr VirtualServiceSpec(Dialect dialect);
SchemaPtr GatewayRouteSpec(Dialect dialect);
SchemaPtr MeshSpec(Dialect dialect);

}  // namespace shapes
}  // namespace crossmesh::manifests
