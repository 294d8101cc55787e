// Rendering one virtual node's sidecar configuration from its mesh's App Mesh state, as App
// Mesh's Envoy Management Service did: listeners with their TLS, one outbound port per declared
// backend (plus an HTTP proxy port), each backend virtual service resolved through its router
// and routes (or its providing node) to clusters named "cds_egress_<mesh>_<node>_<proto>_<port>",
// and each cluster's client policy (per-backend replaces backendDefaults) and target TLS.
//
// Pure: no emulator, no sockets. Cluster endpoints are left empty and listed in `targets`; TLS
// material is named (secret names, see data_plane.h) and listed in `secrets` for the caller to
// resolve and deliver. Spec errors that App Mesh would refuse to serve name the node and the
// resource (an ACM listener certificate of another account: AccessDeniedException).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/appmesh/model/mesh_reader.h"
#include "emulator/core/status.h"
#include "harness/proxy/config.h"

namespace crossmesh::control {

// A secret the rendered configuration names and the control plane must deliver.
struct SecretNeed {
  enum class Kind {
    kAcmCertificate,  // a listener certificate: exported as `account` (the node's owner)
    kAcmTrust,        // client-policy acm trust: the CA certificates fetched as `account`
    kAcmRoot,         // the automatic root CA of an ACM target certificate (1.5 "TLS (auto)")
  };
  Kind kind = Kind::kAcmCertificate;
  std::string name{};               // the secret's name in the store
  std::string account{};            // the node's owner (who fetches)
  std::string region{};             // the mesh's region
  std::vector<std::string> arns{};  // certificate ARN, or the CA ARNs
  std::string node{};               // for messages

  bool operator==(const SecretNeed&) const = default;
};

// A cluster whose endpoints the data plane fills: the target node's listener at `mesh_port`.
struct ClusterTarget {
  std::string cluster{};
  std::string node{};  // the target virtual node
  uint16_t mesh_port = 0;
  std::string protocol{};
};

struct RenderedListener {
  uint16_t mesh_port = 0;
  std::string protocol{};
  std::string tls_mode{};  // "" without tls
};

struct RenderedBackend {
  std::string virtual_service{};
  std::string protocol{};
  std::string outbound{};  // the Outbound's name in the config
};

struct RenderedNode {
  proxy::ProxyConfig config{};
  std::string owner{};  // the node's owner account id
  std::string discovery_name{};
  std::vector<RenderedListener> listeners{};
  std::vector<RenderedBackend> backends{};
  std::vector<ClusterTarget> targets{};
  std::vector<SecretNeed> secrets{};
};

// Secret names (data_plane.h lists them).
std::string AcmTrustSecretName(std::string_view account, const std::vector<std::string>& ca_arns);
std::string AcmRootSecretName(std::string_view certificate_arn);
std::string FileCertificateSecretName(std::string_view chain_path, std::string_view key_path);
std::string FileTrustSecretName(std::string_view path);

// The node's service-discovery name: DNS hostname, or Cloud Map "service.namespace"; empty when
// it has neither.
std::string DiscoveryName(const appmesh::Resource& node);

// The mesh indexed by name.
class MeshView {
 public:
  explicit MeshView(appmesh::MeshContents contents);

  const appmesh::MeshContents& contents() const { return contents_; }
  const std::string& name() const { return contents_.mesh.id.mesh; }
  const appmesh::Resource* Node(std::string_view name) const;
  const appmesh::Resource* Service(std::string_view name) const;
  const appmesh::Resource* Router(std::string_view name) const;
  std::vector<const appmesh::Resource*> RoutesOf(std::string_view router) const;
  const appmesh::Resource* Gateway(std::string_view name) const;
  std::vector<const appmesh::Resource*> GatewayRoutesOf(std::string_view gateway) const;

 private:
  appmesh::MeshContents contents_;
};

struct RenderOptions {
  std::string node_address = "127.0.0.1";  // listeners, outbounds and admin bind here
  bool bind_mesh_ports = false;            // listeners on the mesh port instead of 0
  // The app behind listener i (plaintext); listeners beyond the list forward to the mesh port
  // on the first entry's host.
  std::vector<proxy::Endpoint> apps{};
};

// NotFoundException when the node is not in the mesh; AccessDeniedException for a listener
// certificate of another account; BadRequestException for a spec the data path cannot serve.
Result<RenderedNode> RenderNode(const MeshView& mesh, std::string_view node_name,
                                const RenderOptions& options);

// Internal steps of RenderNode, shared with RenderGateway (gateway_renderer.h).

// What a node's and a gateway's configuration start with: the proxy's name, mesh, owner,
// discovery name (empty for a gateway) and admin address, then RenderListeners.
Result<RenderedNode> RenderProxyBase(const MeshView& mesh, const appmesh::Resource& resource,
                                     const RenderOptions& options);

// Every cluster's connections leave from `options.node_address`, as a pod's leave from its IP,
// so the tap on each hop can tell the sidecar's connections from any other local process's.
void SetClusterSources(const RenderOptions& options, RenderedNode& out);

// The listeners of a virtual node or gateway (their specs have one shape), with their TLS.
Status RenderListeners(const appmesh::Resource& node, const std::string& mesh,
                       const RenderOptions& options, RenderedNode& out);

// (route_renderer.cc) The virtual service as the client resolves it, adding the clusters it
// reaches to `node`. nullopt when the service is not in the mesh. `target_port` (a gateway
// route's `action.target.port`), when not 0, picks the listener of a providing node.
std::optional<proxy::VirtualService> RenderVirtualService(
    const MeshView& mesh, const appmesh::Resource& client, std::string_view service_name,
    const nlohmann::json* client_policy, RenderedNode& node, uint16_t target_port = 0);

// (route_renderer.cc) An HttpRouteMatch / GrpcRouteMatch (and their gateway-route forms) as
// the proxy matches it. Members the proxy cannot match are left out (COVERAGE.md).
proxy::RouteMatch RouteMatchOf(const nlohmann::json& match, bool grpc);

// The cluster for (target node, mesh port) under `client_policy` (a ClientPolicyTls JSON, or
// null), added to `node` once; its name.
std::string AddCluster(const MeshView& mesh, const appmesh::Resource& client,
                       const appmesh::Resource& target, uint16_t mesh_port,
                       std::string_view protocol, const nlohmann::json* client_policy,
                       RenderedNode& node);

}  // namespace crossmesh::control
