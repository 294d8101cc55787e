// DataPlane: the control plane (App Mesh's Envoy Management Service, the xDS role) and the
// sidecars it drives. It turns the emulator's App Mesh, ACM and ACM-PCA state into one
// proxy::ProxyConfig per workload, delivers certificates and trust bundles as SDS secrets,
// puts a tap on every proxy-to-proxy hop, and keeps all of it current as the state changes.
//
//   auto plane = DataPlane::Start(emulator, {.proxy_threads = 2});
//   Result<WorkloadInfo> ui = (*plane)->AddWorkload({.account = "frontend",
//       .mesh = "am-multi-account-mesh", .mesh_owner = "111111111111",
//       .virtual_node = "yelb-ui"});
//   // start the app on ui->app (plaintext); it dials ui->Backend("yelb-appserver...")
//   emulator.AdvanceClock(...); (*plane)->Sync();   // or OnClockAdvanced()
//   for (const Hop& hop : (*plane)->Hops()) ... hop.report.encrypted ...
//
// Addressing. Account i of the AccountRegistry (from 1, in registry order) is the loopback
// network 127.0.i.0/24: frontend 127.0.1.0/24, backend 127.0.2.0/24. Each workload gets its own
// address in its account's /24 (127.0.i.10, .11, ... in the order workloads are planned); its
// proxy's listeners, outbound ports and admin page bind there, and the app should listen there
// too. Service discovery (a DNS hostname, or a Cloud Map "service.namespace") resolves to the
// node's address through Resolve(). Ports are ephemeral by default (several data planes can run
// at once on one machine); mesh ports (4567, 6379, ...) stay what `ports` and cluster names see.
//
// Certificates. An ACM listener certificate is exported as the node's own account: a node whose
// listener names another account's certificate is refused (AccessDeniedException), even in a
// shared mesh where the mesh owner differs. Client-policy trust `acm.certificateAuthorityArns`
// is fetched as the node's account through the same authorization seam as ACM-PCA's
// GetCertificateAuthorityCertificate, so a CA that is not shared with that account through RAM
// is left out of the bundle (and a bundle with no CA is never delivered: "Secret is not
// supplied by SDS"). File certificates and trust go to the proxy's file_secrets; SDS names are
// used as the spec writes them, and the caller pushes them with secrets().
//
// Secret names in the runtime's store: ACM certificates under their ARN, ACM-PCA trust bundles
// "acm-trust:<account id>:<ca arn>[,<ca arn>...]", the automatic root of an ACM target
// "acm-root:<certificate arn>", files "file:<path>[|<key path>]", SDS as named in the spec.
//
// Renewal. A renewed ACM certificate (acm::ChangeKind::kRenewed) is pushed once the virtual
// clock passes the renewal time + certificate_delivery_delay: new connections present it, open
// ones finish on the old one. Call Sync() (or OnClockAdvanced()) after every emulator API call
// and every clock advance; nothing happens between calls.
//
// Threading: every method is thread-safe (one lock); none may be called from a proxy thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/core/status.h"
#include "harness/proxy/config.h"
#include "harness/proxy/proxy.h"
#include "harness/proxy/secret_store.h"
#include "harness/tap/hop_report.h"

namespace crossmesh {
class Emulator;
}

namespace crossmesh::control {

struct DataPlaneOptions {
  int proxy_threads = 2;
  // App Mesh pushes a renewed certificate to the proxies "within 35 minutes". Virtual time
  // between the renewal and its delivery; 0 = at the first Sync after the renewal.
  std::chrono::seconds certificate_delivery_delay{0};
  // Also delay the FIRST delivery of an ACM certificate to a proxy by the same amount, measured
  // from when the proxy first needs it (roadmap#360: a newly added app sees "Secret is not
  // supplied by SDS" for a while).
  bool delay_first_delivery = false;
  // Envoy's upstream default is TLS 1.2 only, so mesh hops negotiate 1.2 as App Mesh's did.
  bool allow_tls13_between_proxies = false;
  // Strings that must never cross a proxy-to-proxy hop in the clear (request bodies, headers).
  std::vector<std::string> plaintext_markers{};
  bool taps = true;  // false: clusters point straight at the server proxy (benches)
  // true: listeners bind the mesh port (127.0.2.10:6379) instead of an ephemeral one.
  bool bind_mesh_ports = false;
  proxy::ErrorStyle error_style = proxy::ErrorStyle::kClassic;
};

// One virtual node with an application behind it, or one virtual gateway (no app: its
// listeners route by the gateway's gateway routes to the targets' nodes, applying its
// backendDefaults.clientPolicy as a node's outbound clusters do). Name exactly one of
// `virtual_node` and `virtual_gateway`; the name is the workload's and its proxy's everywhere
// below (node names and gateway names share one namespace in a DataPlane).
struct Workload {
  std::string account{};     // the account running it, by name ("backend") or 12-digit id
  std::string mesh{};        // "am-multi-account-mesh"
  std::string mesh_owner{};  // 12-digit id of the mesh owner; empty = `account` itself
  std::string virtual_node{};
  std::string virtual_gateway{};  // App Mesh lets only the mesh owner create one
  std::string region{};           // empty: the account's default region
  // Where the app listens (plaintext). Empty host: the node's address. Port 0: DataPlane picks
  // a free one on that host and reports it in WorkloadInfo::app. For nodes with several
  // listeners, `app_ports` maps a mesh listener port to its app port (default: `app_port` for
  // the first listener, then the mesh port itself on the app host).
  std::string app_host{};
  uint16_t app_port = 0;
  std::map<uint16_t, uint16_t> app_ports{};
};

// A port the app dials to reach one declared backend virtual service (plaintext, to its own
// sidecar). TCP backends (redis, postgres) need exactly this; HTTP backends may use it or the
// HTTP proxy port.
struct BackendPort {
  std::string virtual_service{};  // "yelb-appserver.yelb.svc.cluster.local"
  std::string protocol{};         // "http", "tcp", "http2", "grpc"
  proxy::Endpoint endpoint{};     // node address : bound port
};

struct ListenerInfo {
  uint16_t mesh_port = 0;   // the port in the virtual node's spec
  std::string protocol{};   // as the spec says
  proxy::Endpoint proxy{};  // the sidecar's inbound listener
  proxy::Endpoint app{};    // where the sidecar forwards (the app); empty for a gateway
  std::string tls_mode{};   // "STRICT", "PERMISSIVE", "DISABLED", "" (no tls)
};

// What a caller needs before starting the app. Ports are the bound ones once AddWorkload ran;
// from Plan alone, outbound ports are 0 until the proxy starts.
struct WorkloadInfo {
  std::string node{};  // the virtual node's name; also the proxy's name
  std::string mesh{};
  std::string mesh_owner{};  // account id
  std::string account{};     // the node's owner (the account that created it), id
  std::string account_name{};
  std::string node_address{};    // "127.0.2.10"
  std::string discovery_name{};  // DNS hostname or Cloud Map "service.namespace"; may be empty
  proxy::Endpoint app{};         // where the app of the first listener must listen (not gateways)
  std::vector<ListenerInfo> listeners{};
  std::vector<BackendPort> backends{};
  std::optional<proxy::Endpoint> http_proxy{};  // routes by Host; present with an HTTP backend
  uint16_t admin_port = 0;

  // The backend port for `virtual_service`; nullopt when it is not a declared backend.
  std::optional<proxy::Endpoint> Backend(std::string_view virtual_service) const;
};

// One proxy-to-proxy hop and what its tap saw.
struct Hop {
  std::string from{};          // client node
  std::string to{};            // server node
  std::string from_account{};  // ids of the nodes' owners
  std::string to_account{};
  bool cross_account = false;  // the owners differ
  std::string cluster{};       // the client's cluster, "cds_egress_..."
  std::string protocol{};      // "http", "tcp", ...
  uint16_t mesh_port = 0;
  proxy::Endpoint tap{};  // where the client proxy connects
  tap::HopReport report{};
};

// Something that kept a node's configuration or a secret from being applied. Problems are
// current: they disappear once a Sync applies the node cleanly.
struct NodeProblem {
  std::string node{};
  std::string code{};     // AWS-style: AccessDeniedException, ResourceNotFoundException, ...
  std::string message{};  // names the node and the resource
};

struct SyncReport {
  size_t mesh_changes = 0;                     // App Mesh change-log entries read
  size_t certificate_changes = 0;              // ACM change-log entries read
  std::vector<std::string> updated_nodes{};    // proxies given a new configuration
  std::vector<std::string> pushed_secrets{};   // secret names pushed (rotations included)
  std::vector<std::string> pending_secrets{};  // waiting for their delivery time
  std::vector<NodeProblem> problems{};
};

class DataPlane {
 public:
  // Starts the proxy runtime (no proxies yet). The emulator must outlive the DataPlane.
  static Result<std::unique_ptr<DataPlane>> Start(Emulator& emulator,
                                                  DataPlaneOptions options = {});
  ~DataPlane();  // stops taps and proxies
  DataPlane(const DataPlane&) = delete;
  DataPlane& operator=(const DataPlane&) = delete;
  DataPlane(DataPlane&&) = delete;
  DataPlane& operator=(DataPlane&&) = delete;

  // Resolves the workload against the mesh and reserves its address and app port without
  // starting anything. The same Workload given to AddWorkload later keeps them.
  Result<WorkloadInfo> Plan(const Workload& workload);
  // Renders the node's configuration, delivers its secrets and starts its proxy; then
  // re-renders every other running proxy so clusters toward this node get its endpoint.
  // Errors: NotFoundException (mesh, node), AccessDeniedException (another account's ACM
  // certificate, a mesh not shared with the account), ResourceNotFoundException (an unknown
  // certificate ARN, naming the node and the ARN), AlreadyExists (a node already running),
  // InvalidConfiguration (a port that cannot be bound).
  Result<WorkloadInfo> AddWorkload(const Workload& workload);
  // The app moved (for an app that bound port 0 itself): the listener forwards there now.
  Status SetAppEndpoint(const std::string& node, uint16_t mesh_port, proxy::Endpoint app);

  // Reads the App Mesh and ACM change logs, re-renders affected proxies (open connections
  // keep running), and pushes certificates that are due. Per-node problems are in the report
  // and in Problems(); the Status fails only when the emulator cannot be read.
  Result<SyncReport> Sync();
  // The hook for after Emulator::AdvanceClock: the same as Sync().
  Result<SyncReport> OnClockAdvanced() { return Sync(); }

  // A scenario fault: the node's proxy is stopped (its ports close; peers see connection
  // failures). RestartProxy starts it again on the same ports with a fresh configuration.
  Status StopProxy(const std::string& node);
  Status RestartProxy(const std::string& node);
  // Stops the proxy and forgets the workload (clusters toward it lose their endpoint).
  Status RemoveWorkload(const std::string& node);

  // The running proxy of `node`, null when stopped or unknown.
  std::shared_ptr<proxy::Proxy> FindProxy(const std::string& node) const;
  Result<WorkloadInfo> Info(const std::string& node) const;
  std::vector<WorkloadInfo> Workloads() const;
  // The rendered configuration of a workload (also while its proxy is stopped).
  Result<proxy::ProxyConfig> RenderedConfig(const std::string& node) const;

  // Service discovery: a DNS hostname or Cloud Map "service.namespace" of a planned node ->
  // its address. NotFoundException otherwise.
  Result<std::string> Resolve(std::string_view name) const;
  // 127.0.<i>.0/24 for account index i (from 1); empty for an unknown account.
  std::string AccountNetwork(std::string_view account_name_or_id) const;

  std::vector<Hop> Hops() const;
  // Hops from -> to (every cluster between the two nodes, usually one).
  std::vector<Hop> HopsBetween(const std::string& from, const std::string& to) const;

  std::vector<NodeProblem> Problems() const;
  // SDS: the caller pushes `sds` secrets named as the spec names them; the control plane
  // pushes ACM ones here too.
  proxy::SecretStore& secrets();
  // CPU time of the proxies' thread pool.
  std::chrono::nanoseconds ProxyCpuTime() const;

  struct Impl;

 private:
  explicit DataPlane(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Renders one node's or gateway's configuration (`workload` names exactly one) from the
// emulator's state alone, for the standalone proxy (`crossmesh proxy --state DB --mesh M
// --account A --node N | --gateway G --out FILE`): the document RunProxyFromConfigFile reads,
// with the ACM certificate and trust inlined as secrets (the private key is in it: keep the
// file private) and the spec's SDS names in "sds_secrets". Cluster endpoints are the target
// nodes' addresses at their mesh ports (nothing else runs), listeners bind the mesh ports; a
// gateway's address comes after every node's of the mesh.
Result<nlohmann::json> RenderStandaloneProxyFile(Emulator& emulator, const Workload& workload);

}  // namespace crossmesh::control
