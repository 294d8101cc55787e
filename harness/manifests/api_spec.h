// Turns the spec of an App Mesh custom resource into the spec the App Mesh API takes, as the
// controller's conversions did: CRD-only fields dropped (awsName, podSelector, meshRef,
// selectors), the CRD's ARN spellings (certificateARN, certificateAuthorityARNs) written the
// API's way, and references (virtualNodeRef, virtualServiceRef, virtualRouterRef, and the
// virtualServiceARN / virtualNodeARN forms) resolved to the App Mesh names they stand for.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "emulator/core/status.h"
#include "harness/manifests/objects.h"

namespace crossmesh::manifests {

class RefResolver {
 public:
  virtual ~RefResolver() = default;
  // The App Mesh name of the `kind` object `name` in namespace `ns` ("VirtualNode", ...).
  virtual Result<std::string> Name(std::string_view kind, const std::string& name,
                                   const std::string& ns) const = 0;
  // The App Mesh name an ARN of `type` ("virtualService", "virtualNode") stands for; fails when
  // the ARN names another mesh than the referring object's.
  virtual Result<std::string> NameFromArn(std::string_view type, const std::string& arn) const = 0;
};

// The API spec of a Mesh, VirtualNode, VirtualService, VirtualRouter, VirtualGateway or
// GatewayRoute object.
Result<nlohmann::json> ToApiSpec(const K8sObject& object, const RefResolver& refs);

// The API spec of one entry of a VirtualRouter's spec.routes (its "name" is the route's name).
Result<nlohmann::json> ToApiRouteSpec(const nlohmann::json& route, const std::string& ns,
                                      const RefResolver& refs);

}  // namespace crossmesh::manifests
