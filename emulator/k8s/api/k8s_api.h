// The wire layer of the emulator's Kubernetes object store: REST-JSON under /k8s/v1, signed with
// SigV4 for the signing name "crossmesh-k8s" like every other call, so the access key decides
// whose cluster is read. Not an AWS API; `crossmesh apply` is its client.
//
//   PUT    /k8s/v1/objects/{kind}/{namespace}/{name}   body: the object   -> the stored object
//   GET    /k8s/v1/objects/{kind}/{namespace}/{name}                      -> the stored object
//   DELETE /k8s/v1/objects/{kind}/{namespace}/{name}                      -> {}
//   GET    /k8s/v1/objects/{kind}[?namespace=NS]                          -> {"items": [...]}
//
// Cluster-scoped kinds (Namespace, Mesh) use "-" as the namespace.
#pragma once

#include <memory>

#include "emulator/protocol/service.h"
#include "emulator/store/store.h"

namespace crossmesh::k8s {

inline constexpr const char* kSigningName = "crossmesh-k8s";

std::unique_ptr<Service> MakeK8sService(Store& store);

}  // namespace crossmesh::k8s
