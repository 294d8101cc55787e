// The Kubernetes side of each account's cluster, kept by the emulator so that one
// `crossmesh apply` sees what an earlier one applied: namespaces and their labels, Mesh
// resources (owned or adopted), the other App Mesh custom resources, Deployments and Services.
//
// Not an AWS service: a small store of Kubernetes objects as JSON, keyed by account and region
// (one cluster per account and region), then kind, namespace and name. Cluster-scoped objects
// (Namespace, Mesh) use the namespace "-", which no real namespace can be called.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::k8s {

inline constexpr std::string_view kClusterScope = "-";

struct ObjectKey {
  std::string kind;        // "Namespace", "VirtualNode", ...
  std::string namespace_;  // "-" for cluster-scoped kinds
  std::string name;
};

struct StoredObject {
  ObjectKey key;
  // The object as applied, with metadata.uid, metadata.resourceVersion and
  // metadata.creationTimestamp set by the store.
  nlohmann::json body;
};

class K8sObjects {
 public:
  static Status Migrate(Store& store);
  explicit K8sObjects(Store& store) : store_(store) {}

  // Creates or replaces the object; the body's kind and metadata must agree with `key`.
  Result<StoredObject> Put(const CallContext& ctx, const ObjectKey& key, nlohmann::json body);
  // NotFoundException when absent.
  Result<StoredObject> Get(const CallContext& ctx, const ObjectKey& key);
  // Every object of `kind`, optionally in one namespace, ordered by namespace then name.
  Result<std::vector<StoredObject>> List(const CallContext& ctx, const std::string& kind,
                                         const std::optional<std::string>& namespace_);
  Status Delete(const CallContext& ctx, const ObjectKey& key);

 private:
  Store& store_;
};

// BadRequestException naming the part of the key that is not a valid Kubernetes name.
Status ValidateKey(const ObjectKey& key);

}  // namespace crossmesh::k8s
