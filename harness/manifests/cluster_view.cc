#include "harness/manifests/cluster_view.h"

#include <fmt/format.h>

#include <algorithm>

namespace crossmesh::manifests {
namespace {

bool SameKey(const K8sObject& a, const K8sObject& b) {
  return a.kind() == b.kind() && a.meta.namespace_ == b.meta.namespace_ &&
         a.meta.name == b.meta.name;
}

}  // namespace

std::string ResolvedMesh::OwnerQuery() const {
  return owner_given || !owned ? "meshOwner=" + owner : "";
}

ClusterView::ClusterView(const std::vector<K8sObject>& applied, const ClusterState& state)
    : account_(state.account), namespace_mesh_(state.namespace_mesh) {
  for (const auto& stored : state.stored) {
    bool replaced = false;
    for (const auto& object : applied) replaced = replaced || SameKey(stored, object);
    if (!replaced) objects_.push_back(stored);
  }
  first_applied_ = objects_.size();
  objects_.insert(objects_.end(), applied.begin(), applied.end());
}

const K8sObject* ClusterView::Find(std::string_view kind, const std::string& ns,
                                   const std::string& name) const {
  // Later objects win: the files are laid over the stored state, and within the files the
  // last definition is the one kubectl would keep.
  auto found = std::find_if(objects_.rbegin(), objects_.rend(), [&](const K8sObject& object) {
    return object.kind() == kind && object.meta.namespace_ == ns && object.meta.name == name;
  });
  return found == objects_.rend() ? nullptr : &*found;
}

std::vector<const K8sObject*> ClusterView::All(std::string_view kind) const {
  std::vector<const K8sObject*> out;
  for (const auto& object : objects_) {
    if (object.kind() == kind && Find(kind, object.meta.namespace_, object.meta.name) == &object) {
      out.push_back(&object);
    }
  }
  return out;
}

bool ClusterView::IsApplied(const K8sObject* object) const {
  return object >= objects_.data() + first_applied_ && object < objects_.data() + objects_.size();
}

ResolvedMesh ClusterView::MeshOfResource(const K8sObject& mesh) const {
  MeshView view = ViewMesh(mesh);
  ResolvedMesh out{view.name, view.aws_name, view.mesh_owner.value_or(account_), false,
                   view.mesh_owner.has_value()};
  out.owned = out.owner == account_;
  return out;
}

ResolvedMesh ClusterView::MeshNamed(const std::string& name) const {
  if (const K8sObject* mesh = Find("Mesh", "", name)) return MeshOfResource(*mesh);
  for (const K8sObject* mesh : All("Mesh")) {
    if (DefaultAwsName(*mesh) == name) return MeshOfResource(*mesh);
  }
  // No Mesh resource: a mesh of the caller's own, which must already exist in App Mesh.
  return ResolvedMesh{"", name, account_, true, false};
}

Result<ResolvedMesh> ClusterView::MeshOf(const K8sObject& object) const {
  const auto& mesh_ref = object.spec().find("meshRef");
  if (mesh_ref != object.spec().end() && mesh_ref->is_object()) {
    std::string name = mesh_ref->value("name", "");
    const K8sObject* mesh = Find("Mesh", "", name);
    if (!mesh) {
      return Error("InvalidInput",
                   fmt::format("{} ({}): spec.meshRef names Mesh '{}', which is neither in these "
                               "files nor applied earlier",
                               object.Id(), object.origin, name));
    }
    return MeshOfResource(*mesh);
  }

  const std::string& ns = object.meta.namespace_;
  if (auto flag = namespace_mesh_.find(ns); flag != namespace_mesh_.end()) {
    return MeshNamed(flag->second);
  }
  const K8sObject* namespace_object = Find("Namespace", "", ns);
  if (!namespace_object) {
    return Error("InvalidInput",
                 fmt::format("{} ({}): namespace '{}' is not known in this cluster; apply a "
                             "Namespace with the label mesh: MESH, or pass --namespace-mesh "
                             "{}=MESH",
                             object.Id(), object.origin, ns, ns));
  }
  const Labels& labels = namespace_object->meta.labels;
  std::vector<const K8sObject*> selecting;
  for (const K8sObject* mesh : All("Mesh")) {
    if (ViewMesh(*mesh).namespace_selector.Matches(labels)) selecting.push_back(mesh);
  }
  if (selecting.size() == 1) return MeshOfResource(*selecting.front());
  if (selecting.size() > 1) {
    return Error("InvalidInput",
                 fmt::format("{} ({}): namespace '{}' is selected by more than one Mesh ({} and "
                             "{}); make the namespaceSelectors exclusive",
                             object.Id(), object.origin, ns, selecting[0]->meta.name,
                             selecting[1]->meta.name));
  }
  if (auto label = labels.find("mesh"); label != labels.end()) {
    return MeshNamed(label->second);
  }
  return Error("InvalidInput",
               fmt::format("{} ({}): no Mesh selects namespace '{}' and it has no 'mesh' label; "
                           "label it (mesh: MESH) or pass --namespace-mesh {}=MESH",
                           object.Id(), object.origin, ns, ns));
}

}  // namespace crossmesh::manifests
