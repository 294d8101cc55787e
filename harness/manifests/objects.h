// Typed views of the Kubernetes objects crossmesh applies: the App Mesh controller's kinds
// (Mesh, VirtualNode, VirtualService, VirtualRouter, VirtualGateway, GatewayRoute) and the
// Namespace, Deployment and Service documents kept for the harness (labels, ports, replicas).
// Objects come from manifest files or from what the emulator stored for an earlier apply; both
// are JSON here, so a view reads the same either way.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/manifests/k8s_schema.h"
#include "harness/manifests/source_file.h"

namespace crossmesh::manifests {

using Labels = std::map<std::string, std::string>;

struct ObjectMeta {
  std::string name;
  std::string namespace_;  // "" for cluster-scoped kinds; "default" when a manifest omits it
  Labels labels;
};

// Any manifest crossmesh knows, as JSON with typed scalars.
struct K8sObject {
  const KindInfo* info = nullptr;
  ObjectMeta meta;
  nlohmann::json body;
  std::string origin;  // "file.yaml:12" for a file, "the cluster" for a stored object

  std::string_view kind() const { return info ? info->kind : std::string_view(); }
  const nlohmann::json& spec() const;
  std::string Id() const;  // "VirtualNode yelb/redis-server", "Namespace yelb"
};

struct LabelSelector {
  Labels match_labels;
  struct Requirement {
    std::string key;
    std::string op;  // In, NotIn, Exists, DoesNotExist
    std::vector<std::string> values;
  };
  std::vector<Requirement> match_expressions;
  bool present = false;  // an absent selector selects nothing; an empty one selects everything

  bool Matches(const Labels& labels) const;
};

struct MeshView {
  std::string name;      // the Kubernetes name
  std::string aws_name;  // spec.awsName, else the name
  std::optional<std::string> mesh_owner;
  LabelSelector namespace_selector;
};

struct PortView {
  std::string name;
  int64_t port = 0;
  std::string target_port;  // a number or a named port, as written
  std::string protocol;     // TCP when absent
};

struct ServiceView {
  ObjectMeta meta;
  std::string type;  // ClusterIP when absent
  Labels selector;
  std::vector<PortView> ports;
};

struct ContainerView {
  std::string name;
  std::string image;
  std::vector<int64_t> ports;
};

struct DeploymentView {
  ObjectMeta meta;
  int64_t replicas = 1;
  Labels selector;
  Labels pod_labels;
  std::vector<ContainerView> containers;
};

struct ListenerView {
  int64_t port = 0;
  std::string protocol;
  std::string tls_mode;  // "" without tls
};

struct VirtualNodeView {
  ObjectMeta meta;
  std::string aws_name;  // spec.awsName, else "<name>_<namespace>"
  std::vector<ListenerView> listeners;
  std::string dns_hostname;
  std::string cloud_map_namespace;
  std::string cloud_map_service;
};

// The name App Mesh gives the resource, as the controller's defaulting webhook did.
std::string DefaultAwsName(const K8sObject& object);

// Reads every manifest document of `file` (the caller lints first; documents that are not
// manifests, or of unknown kinds, are left out).
std::vector<K8sObject> ObjectsFromFile(const SourceFile& file);
// An object the emulator stored; fails when it is not a manifest of a known kind.
Result<K8sObject> ObjectFromJson(const nlohmann::json& body, std::string origin);

MeshView ViewMesh(const K8sObject& mesh);
ServiceView ViewService(const K8sObject& service);
DeploymentView ViewDeployment(const K8sObject& deployment);
VirtualNodeView ViewVirtualNode(const K8sObject& node);
LabelSelector ReadSelector(const nlohmann::json& selector);

}  // namespace crossmesh::manifests
