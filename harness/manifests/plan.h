// The calls `crossmesh apply` makes for a set of manifests, in an order the App Mesh API
// accepts: meshes first (created when the caller owns them, verified when they are shared with
// it), then virtual nodes, routers and their routes, services, gateways and gateway routes, each
// after what it references when that is applied in the same run. A virtual node whose backends
// close a cycle is created without them first and updated at the end. Each object is stored in
// the emulator's Kubernetes store after its App Mesh calls, as the API server would keep it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/manifests/cluster_view.h"
#include "harness/manifests/objects.h"

namespace crossmesh::manifests {

struct ApiCall {
  std::string service;  // SigV4 signing name: "appmesh" or "crossmesh-k8s"
  std::string method;
  std::string path;
  std::string query;
  nlohmann::json body;  // null: no body

  // "PUT /v20190125/meshes/m/virtualNodes?meshOwner=111111111111 {...}"
  std::string ToString() const;
};

enum class StepKind {
  kCreateOrUpdate,  // `call` creates; on ConflictException `update` is sent instead
  kUpdate,          // the deferred full update of a virtual node created without backends
  kVerifyMesh,      // a shared or pre-existing mesh: describe it, create nothing
  kStore,           // keep the object in the emulator's Kubernetes store
};

struct PlanStep {
  StepKind kind = StepKind::kCreateOrUpdate;
  std::string object;    // "VirtualNode yelb/redis-server"
  std::string resource;  // "virtual node redis-server_yelb"
  ApiCall call;
  std::optional<ApiCall> update;
};

struct Plan {
  std::vector<PlanStep> steps;
  std::vector<std::string> notes;  // objects skipped, and why
};

Result<Plan> PlanApply(const std::vector<K8sObject>& applied, const ClusterState& state);

// The store path of an object: "/k8s/v1/objects/VirtualNode/yelb/redis-server".
std::string StorePath(std::string_view kind, const std::string& ns, const std::string& name);

}  // namespace crossmesh::manifests
