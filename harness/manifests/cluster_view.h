// One account's cluster as `apply` sees it: the objects the emulator kept from earlier applies,
// with the objects being applied laid over them. Answers the questions the controller's
// webhooks answered: which mesh a namespace belongs to, and what a reference points at.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "harness/manifests/objects.h"

namespace crossmesh::manifests {

struct ClusterState {
  std::string account;                                // the caller's account id
  std::vector<K8sObject> stored;                      // what the emulator kept for this account
  std::map<std::string, std::string> namespace_mesh;  // --namespace-mesh NS=MESH
};

struct ResolvedMesh {
  std::string k8s_name;  // "" when no Mesh resource names it (only a label or a flag does)
  std::string aws_name;
  std::string owner;         // the account that owns the mesh
  bool owned = false;        // the caller owns it, so apply creates or updates it
  bool owner_given = false;  // spec.meshOwner was written, so calls carry ?meshOwner=

  std::string OwnerQuery() const;  // "meshOwner=111111111111" or ""
  bool operator==(const ResolvedMesh& other) const {
    return aws_name == other.aws_name && owner == other.owner;
  }
};

class ClusterView {
 public:
  ClusterView(const std::vector<K8sObject>& applied, const ClusterState& state);

  // The object of `kind` named `name` in `ns` ("" for cluster-scoped kinds), or nullptr.
  const K8sObject* Find(std::string_view kind, const std::string& ns,
                        const std::string& name) const;
  std::vector<const K8sObject*> All(std::string_view kind) const;
  bool IsApplied(const K8sObject* object) const;

  ResolvedMesh MeshOfResource(const K8sObject& mesh) const;
  // The mesh a namespaced App Mesh object belongs to: spec.meshRef, else --namespace-mesh,
  // else the Mesh whose namespaceSelector selects the namespace, else the namespace's "mesh"
  // label naming a mesh.
  Result<ResolvedMesh> MeshOf(const K8sObject& object) const;

  const std::string& account() const { return account_; }

 private:
  // The Mesh resource with this name or awsName; without one, the caller's own mesh of that
  // name (which apply verifies exists rather than creates).
  ResolvedMesh MeshNamed(const std::string& name) const;

  std::vector<K8sObject> objects_;
  size_t first_applied_ = 0;  // objects_[first_applied_..] came from the files
  std::string account_;
  std::map<std::string, std::string> namespace_mesh_;
};

}  // namespace crossmesh::manifests
