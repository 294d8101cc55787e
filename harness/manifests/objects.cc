#include "harness/manifests/objects.h"

#include <fmt/format.h>

#include <algorithm>

#include "harness/manifests/document_kind.h"

namespace crossmesh::manifests {
namespace {

const nlohmann::json& Empty() {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  return kEmpty;
}

const nlohmann::json& At(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return Empty();
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? Empty() : *it;
}

std::string Str(const nlohmann::json& object, const char* key) {
  const auto& value = At(object, key);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  return "";
}

int64_t Int(const nlohmann::json& object, const char* key, int64_t fallback) {
  const auto& value = At(object, key);
  return value.is_number_integer() ? value.get<int64_t>() : fallback;
}

Labels ReadLabels(const nlohmann::json& map) {
  Labels labels;
  if (!map.is_object()) return labels;
  for (const auto& [key, value] : map.items()) {
    labels[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return labels;
}

ObjectMeta ReadMeta(const nlohmann::json& body, const KindInfo& info) {
  const auto& metadata = At(body, "metadata");
  ObjectMeta meta{Str(metadata, "name"), "", ReadLabels(At(metadata, "labels"))};
  if (info.namespaced) {
    meta.namespace_ = Str(metadata, "namespace");
    if (meta.namespace_.empty()) meta.namespace_ = "default";
  }
  return meta;
}

}  // namespace

const nlohmann::json& K8sObject::spec() const { return At(body, "spec"); }

std::string K8sObject::Id() const {
  std::string kind_name(info ? info->kind : std::string_view("object"));
  if (meta.namespace_.empty()) return fmt::format("{} {}", kind_name, meta.name);
  return fmt::format("{} {}/{}", kind_name, meta.namespace_, meta.name);
}

bool LabelSelector::Matches(const Labels& labels) const {
  if (!present) return false;
  for (const auto& [key, value] : match_labels) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  for (const auto& requirement : match_expressions) {
    auto it = labels.find(requirement.key);
    bool has = it != labels.end();
    bool in = has && std::find(requirement.values.begin(), requirement.values.end(), it->second) !=
                         requirement.values.end();
    if ((requirement.op == "In" && !in) || (requirement.op == "NotIn" && in) ||
        (requirement.op == "Exists" && !has) || (requirement.op == "DoesNotExist" && has)) {
      return false;
    }
  }
  return true;
}

LabelSelector ReadSelector(const nlohmann::json& selector) {
  LabelSelector out;
  if (!selector.is_object()) return out;
  out.present = true;
  out.match_labels = ReadLabels(At(selector, "matchLabels"));
  const auto& expressions = At(selector, "matchExpressions");
  if (!expressions.is_array()) return out;
  for (const auto& e : expressions) {
    LabelSelector::Requirement requirement{Str(e, "key"), Str(e, "operator"), {}};
    const auto& values = At(e, "values");
    if (values.is_array()) {
      for (const auto& v : values) {
        requirement.values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      }
    }
    out.match_expressions.push_back(std::move(requirement));
  }
  return out;
}

std::string DefaultAwsName(const K8sObject& object) {
  std::string aws_name = Str(object.spec(), "awsName");
  if (!aws_name.empty()) return aws_name;
  std::string_view kind = object.info->kind;
  if (kind == "Mesh") return object.meta.name;
  // The controller names virtual services "<name>.<namespace>" and the rest "<name>_<namespace>".
  char separator = kind == "VirtualService" ? '.' : '_';
  return object.meta.name + separator + object.meta.namespace_;
}

Result<K8sObject> ObjectFromJson(const nlohmann::json& body, std::string origin) {
  if (!body.is_object()) return Error("InvalidInput", origin + " is not an object");
  const KindInfo* info = FindKind(body.value("kind", ""));
  if (!info) {
    return Error("InvalidInput", fmt::format("{}: kind '{}' is not one crossmesh applies", origin,
                                             body.value("kind", "")));
  }
  K8sObject object{info, ReadMeta(body, *info), body, std::move(origin)};
  if (object.meta.name.empty()) {
    return Error("InvalidInput",
                 fmt::format("{}: {} has no metadata.name", object.origin, info->kind));
  }
  return object;
}

std::vector<K8sObject> ObjectsFromFile(const SourceFile& file) {
  std::vector<K8sObject> out;
  for (const auto& doc : file.documents) {
    if (!doc.root || Classify(*doc.root) != DocumentKind::kManifest) continue;
    auto object =
        ObjectFromJson(doc.root->ToJson(), fmt::format("{}:{}", file.path, doc.root->pos.line));
    if (object.ok()) out.push_back(std::move(*object));
  }
  return out;
}

MeshView ViewMesh(const K8sObject& mesh) {
  MeshView view{mesh.meta.name, DefaultAwsName(mesh), std::nullopt,
                ReadSelector(At(mesh.spec(), "namespaceSelector"))};
  std::string owner = Str(mesh.spec(), "meshOwner");
  if (!owner.empty()) view.mesh_owner = owner;
  return view;
}

ServiceView ViewService(const K8sObject& service) {
  const auto& spec = service.spec();
  ServiceView view{service.meta, Str(spec, "type"), ReadLabels(At(spec, "selector")), {}};
  if (view.type.empty()) view.type = "ClusterIP";
  const auto& ports = At(spec, "ports");
  if (!ports.is_array()) return view;
  for (const auto& p : ports) {
    PortView port{Str(p, "name"), Int(p, "port", 0), Str(p, "targetPort"), Str(p, "protocol")};
    if (port.protocol.empty()) port.protocol = "TCP";
    if (port.target_port.empty()) port.target_port = std::to_string(port.port);
    view.ports.push_back(std::move(port));
  }
  return view;
}

DeploymentView ViewDeployment(const K8sObject& deployment) {
  const auto& spec = deployment.spec();
  const auto& pod = At(At(spec, "template"), "metadata");
  DeploymentView view{deployment.meta,
                      Int(spec, "replicas", 1),
                      ReadLabels(At(At(spec, "selector"), "matchLabels")),
                      ReadLabels(At(pod, "labels")),
                      {}};
  const auto& containers = At(At(At(spec, "template"), "spec"), "containers");
  if (!containers.is_array()) return view;
  for (const auto& c : containers) {
    ContainerView container{Str(c, "name"), Str(c, "image"), {}};
    const auto& ports = At(c, "ports");
    if (ports.is_array()) {
      for (const auto& p : ports) container.ports.push_back(Int(p, "containerPort", 0));
    }
    view.containers.push_back(std::move(container));
  }
  return view;
}

VirtualNodeView ViewVirtualNode(const K8sObject& node) {
  const auto& spec = node.spec();
  VirtualNodeView view{node.meta, DefaultAwsName(node), {}, "", "", ""};
  const auto& listeners = At(spec, "listeners");
  if (listeners.is_array()) {
    for (const auto& l : listeners) {
      const auto& mapping = At(l, "portMapping");
      view.listeners.push_back(
          {Int(mapping, "port", 0), Str(mapping, "protocol"), Str(At(l, "tls"), "mode")});
    }
  }
  const auto& discovery = At(spec, "serviceDiscovery");
  view.dns_hostname = Str(At(discovery, "dns"), "hostname");
  view.cloud_map_namespace = Str(At(discovery, "awsCloudMap"), "namespaceName");
  view.cloud_map_service = Str(At(discovery, "awsCloudMap"), "serviceName");
  return view;
}

}  // namespace crossmesh::manifests
