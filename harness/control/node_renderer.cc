#include "harness/control/node_renderer.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "emulator/core/arn.h"
#include "harness/control/spec_json.h"

namespace crossmesh::control {
namespace {

using nlohmann::json;

std::vector<std::string> SanExact(const json& validation) {
  std::vector<std::string> out;
  const json* sans = Member(validation, "subjectAlternativeNames");
  const json* match = sans ? Member(*sans, "match") : nullptr;
  const json* exact = match ? Member(*match, "exact") : nullptr;
  if (exact && exact->is_array()) {
    for (const json& name : *exact) out.push_back(name.get<std::string>());
  }
  return out;
}

void AddFileSecret(proxy::ProxyConfig& config, proxy::FileSecret secret) {
  for (const proxy::FileSecret& existing : config.file_secrets) {
    if (existing.secret_name == secret.secret_name) return;
  }
  config.file_secrets.push_back(std::move(secret));
}

void AddNeed(RenderedNode& node, SecretNeed need) {
  if (std::find(node.secrets.begin(), node.secrets.end(), need) == node.secrets.end()) {
    node.secrets.push_back(std::move(need));
  }
}

// A `certificate` union of file | sds (client policy) or acm | file | sds (listener): the
// secret name. ACM is checked and recorded by the caller.
std::string CertificateSecret(const json& certificate, proxy::ProxyConfig& config) {
  if (const json* file = Member(certificate, "file")) {
    std::string chain = StringAt(*file, "certificateChain");
    std::string key = StringAt(*file, "privateKey");
    std::string name = FileCertificateSecretName(chain, key);
    proxy::FileSecret secret;
    secret.secret_name = name;
    secret.certificate_chain_path = chain;
    secret.private_key_path = key;
    AddFileSecret(config, std::move(secret));
    return name;
  }
  if (const json* sds = Member(certificate, "sds")) return StringAt(*sds, "secretName");
  return "";
}

// A validation `trust` union of file | sds (and acm for client policies): the secret name.
std::string TrustSecret(const json& trust, const appmesh::Resource& node, RenderedNode& out) {
  if (const json* file = Member(trust, "file")) {
    std::string path = StringAt(*file, "certificateChain");
    std::string name = FileTrustSecretName(path);
    proxy::FileSecret secret;
    secret.secret_name = name;
    secret.trusted_ca_path = path;
    AddFileSecret(out.config, std::move(secret));
    return name;
  }
  if (const json* sds = Member(trust, "sds")) return StringAt(*sds, "secretName");
  if (const json* acm = Member(trust, "acm")) {
    std::vector<std::string> arns;
    if (const json* list = Member(*acm, "certificateAuthorityArns"); list && list->is_array()) {
      for (const json& arn : *list) arns.push_back(arn.get<std::string>());
    }
    std::string name = AcmTrustSecretName(node.resource_owner, arns);
    AddNeed(out, {.kind = SecretNeed::Kind::kAcmTrust,
                  .name = name,
                  .account = node.resource_owner,
                  .region = node.id.region,
                  .arns = arns,
                  .node = node.id.name});
    return name;
  }
  return "";
}

const json* ListenerAt(const appmesh::Resource& node, uint16_t mesh_port) {
  const json* listeners = Member(node.spec, "listeners");
  if (!listeners || !listeners->is_array()) return nullptr;
  for (const json& listener : *listeners) {
    const json* mapping = Member(listener, "portMapping");
    if (mapping && mapping->value("port", 0) == mesh_port) return &listener;
  }
  return nullptr;
}

proxy::TargetTls TargetTlsOf(const appmesh::Resource& target, uint16_t mesh_port,
                             RenderedNode& out) {
  proxy::TargetTls target_tls;
  const json* listener = ListenerAt(target, mesh_port);
  const json* tls = listener ? Member(*listener, "tls") : nullptr;
  if (!tls) return target_tls;

  target_tls.mode = proxy::ParseTlsMode(StringAt(*tls, "mode")).value_or(proxy::TlsMode::kStrict);
  const json* certificate = Member(*tls, "certificate");
  const json* acm = certificate ? Member(*certificate, "acm") : nullptr;
  if (acm && target_tls.mode != proxy::TlsMode::kDisabled) {
    // 1.5: App Mesh trusts the root CA the target's ACM certificate chains to, and checks the
    // target's discovery name.
    std::string arn = StringAt(*acm, "certificateArn");
    proxy::PeerValidation automatic;
    automatic.trust_secret = AcmRootSecretName(arn);
    automatic.discovery_name = DiscoveryName(target);
    target_tls.auto_validation = std::move(automatic);
    AddNeed(out, {.kind = SecretNeed::Kind::kAcmRoot,
                  .name = AcmRootSecretName(arn),
                  .account = target.resource_owner,
                  .region = target.id.region,
                  .arns = {arn},
                  .node = target.id.name});
  }
  return target_tls;
}

std::optional<proxy::ClientTlsPolicy> ClientPolicyOf(const json* client_policy,
                                                     const appmesh::Resource& client,
                                                     const appmesh::Resource& target,
                                                     RenderedNode& out) {
  const json* tls = client_policy ? Member(*client_policy, "tls") : nullptr;
  if (!tls) return std::nullopt;

  proxy::ClientTlsPolicy policy;
  policy.enforce = tls->value("enforce", true);
  if (const json* ports = Member(*tls, "ports"); ports && ports->is_array()) {
    for (const json& port : *ports) policy.ports.push_back(port.get<uint16_t>());
  }
  if (const json* validation = Member(*tls, "validation")) {
    proxy::PeerValidation peer;
    if (const json* trust = Member(*validation, "trust")) {
      peer.trust_secret = TrustSecret(*trust, client, out);
    }
    peer.san_exact = SanExact(*validation);
    peer.discovery_name = DiscoveryName(target);
    policy.validation = std::move(peer);
  }
  if (const json* certificate = Member(*tls, "certificate")) {
    policy.client_certificate_secret = CertificateSecret(*certificate, out.config);
  }
  return policy;
}

// How messages name the resource whose listener it is.
std::string_view KindName(const appmesh::Resource& resource) {
  return resource.id.kind == appmesh::Kind::kVirtualGateway ? "virtual gateway" : "virtual node";
}

Result<proxy::ListenerTls> ListenerTlsOf(const json& tls, const appmesh::Resource& node,
                                         RenderedNode& out) {
  proxy::ListenerTls listener_tls;
  listener_tls.mode = proxy::ParseTlsMode(StringAt(tls, "mode")).value_or(proxy::TlsMode::kStrict);

  const json* certificate = Member(tls, "certificate");
  if (const json* acm = certificate ? Member(*certificate, "acm") : nullptr) {
    std::string arn = StringAt(*acm, "certificateArn");
    auto parsed = ParseArn(arn, "acm");
    if (!parsed.ok()) {
      return Error("BadRequestException",
                   fmt::format("{} {}: listener certificate ARN {} is not valid: {}",
                               KindName(node), node.id.name, arn, parsed.status().message()));
    }
    // App Mesh exports a listener certificate as the node's own account (tls.md: same
    // account and Region as the mesh endpoint), never as the mesh owner's.
    if (parsed->account != node.resource_owner) {
      return Error("AccessDeniedException",
                   fmt::format("{} {} (account {}) uses ACM certificate {}, which "
                               "belongs to account {}; a listener certificate is exported only "
                               "as the node's own account. Request the certificate in account "
                               "{} and put its ARN in the listener",
                               KindName(node), node.id.name, node.resource_owner, arn,
                               parsed->account, node.resource_owner));
    }
    listener_tls.certificate_secret = arn;
    AddNeed(out, {.kind = SecretNeed::Kind::kAcmCertificate,
                  .name = arn,
                  .account = node.resource_owner,
                  .region = node.id.region,
                  .arns = {arn},
                  .node = node.id.name});
  } else if (certificate) {
    listener_tls.certificate_secret = CertificateSecret(*certificate, out.config);
  }

  if (const json* validation = Member(tls, "validation")) {
    proxy::ListenerValidation server_side;
    if (const json* trust = Member(*validation, "trust")) {
      server_side.trust_secret = TrustSecret(*trust, node, out);
    }
    server_side.san_exact = SanExact(*validation);
    listener_tls.validation = std::move(server_side);
  }
  return listener_tls;
}

// A listener's `timeout` names its protocol (`http`, `http2`, `grpc` or `tcp`): perRequest
// bounds the app's answer, idle the connection's silence.
void ApplyListenerTimeout(const json& spec, const std::string& protocol,
                          proxy::Listener& listener) {
  const json* timeout = Member(spec, "timeout");
  const json* mine = timeout ? Member(*timeout, protocol) : nullptr;
  if (!mine) return;
  if (auto per_request = DurationOf(Member(*mine, "perRequest"))) {
    listener.request_timeout = *per_request;
  }
  if (auto idle = DurationOf(Member(*mine, "idle"))) listener.idle_timeout = *idle;
}

// A listener's `connectionPool` names its protocol too: maxConnections and maxPendingRequests
// (http), maxConnections (tcp), maxRequests (http2, grpc); Envoy's circuit breakers of the
// local app's cluster.
void ApplyConnectionPool(const json& spec, const std::string& protocol, proxy::Listener& listener) {
  const json* pool = Member(spec, "connectionPool");
  const json* mine = pool ? Member(*pool, protocol) : nullptr;
  if (!mine || !mine->is_object()) return;
  // The API takes any positive integer; a proxy file takes at most proxy::kMaxPoolLimit, which
  // no single sidecar here reaches anyway.
  const auto limit = [mine](const char* key, size_t absent) {
    return std::min(mine->value(key, absent), proxy::kMaxPoolLimit);
  };
  proxy::AppConnectionPool& out = listener.connection_pool;
  out.max_connections = limit("maxConnections", 0);
  out.max_pending_requests = limit("maxPendingRequests", out.max_pending_requests);
  out.max_requests = limit("maxRequests", 0);
}

}  // namespace

Status RenderListeners(const appmesh::Resource& node, const std::string& mesh,
                       const RenderOptions& options, RenderedNode& out) {
  const json* listeners = Member(node.spec, "listeners");
  if (!listeners || !listeners->is_array()) return Status::Ok();

  for (size_t i = 0; i < listeners->size(); ++i) {
    const json& spec = (*listeners)[i];
    const json* mapping = Member(spec, "portMapping");
    uint16_t mesh_port = mapping ? mapping->value("port", uint16_t{0}) : 0;
    std::string protocol = mapping ? StringAt(*mapping, "protocol") : "http";

    proxy::Listener listener;
    listener.name = fmt::format("ingress_{}", mesh_port);
    listener.address = options.node_address;
    listener.port = options.bind_mesh_ports ? mesh_port : 0;
    listener.protocol = proxy::ParseProtocol(protocol).value_or(proxy::Protocol::kHttp);
    if (i < options.apps.size()) {
      listener.app = options.apps[i];
    } else {
      std::string host = options.apps.empty() ? options.node_address : options.apps[0].host;
      listener.app = {host, mesh_port};
    }
    listener.app_cluster =
        fmt::format("cds_ingress_{}_{}_{}_{}", mesh, node.id.name, protocol, mesh_port);
    ApplyListenerTimeout(spec, protocol, listener);
    ApplyConnectionPool(spec, protocol, listener);

    RenderedListener rendered{.mesh_port = mesh_port, .protocol = protocol, .tls_mode = ""};
    if (const json* tls = Member(spec, "tls")) {
      auto listener_tls = ListenerTlsOf(*tls, node, out);
      if (!listener_tls.ok()) return listener_tls.status();
      rendered.tls_mode = std::string(proxy::TlsModeName(listener_tls->mode));
      listener.tls = std::move(*listener_tls);
    }
    out.config.listeners.push_back(std::move(listener));
    out.listeners.push_back(std::move(rendered));
  }
  return Status::Ok();
}

namespace {

void RenderBackends(const MeshView& mesh, const appmesh::Resource& node,
                    const RenderOptions& options, RenderedNode& out) {
  const json* defaults = Member(node.spec, "backendDefaults");
  const json* default_policy = defaults ? Member(*defaults, "clientPolicy") : nullptr;
  const json* backends = Member(node.spec, "backends");
  if (!backends || !backends->is_array()) return;

  bool any_http = false;
  for (const json& backend : *backends) {
    const json* service = Member(backend, "virtualService");
    if (!service) continue;
    std::string name = StringAt(*service, "virtualServiceName");
    // A per-backend client policy replaces backendDefaults as a whole (2.1).
    const json* own_policy = Member(*service, "clientPolicy");
    const json* policy = own_policy ? own_policy : default_policy;

    std::optional<proxy::VirtualService> rendered =
        RenderVirtualService(mesh, node, name, policy, out);
    if (!rendered) {  // not in the mesh (yet): nothing routes
      rendered.emplace();
      rendered->name = name;
    }
    std::string protocol(proxy::ProtocolName(rendered->protocol));
    any_http = any_http || proxy::IsHttp(rendered->protocol);

    out.config.outbounds.push_back({.name = name,
                                    .address = options.node_address,
                                    .port = 0,
                                    .kind = proxy::OutboundKind::kBackend,
                                    .virtual_service = name});
    out.backends.push_back({.virtual_service = name, .protocol = protocol, .outbound = name});
    out.config.virtual_services.push_back(std::move(*rendered));
  }
  if (any_http) {
    proxy::Outbound http_proxy;
    http_proxy.name = "egress_http_proxy";
    http_proxy.address = options.node_address;
    http_proxy.kind = proxy::OutboundKind::kHttpProxy;
    out.config.outbounds.push_back(std::move(http_proxy));
  }
}

}  // namespace

std::string AcmTrustSecretName(std::string_view account, const std::vector<std::string>& ca_arns) {
  return fmt::format("acm-trust:{}:{}", account, fmt::join(ca_arns, ","));
}

std::string AcmRootSecretName(std::string_view certificate_arn) {
  return fmt::format("acm-root:{}", certificate_arn);
}

std::string FileCertificateSecretName(std::string_view chain_path, std::string_view key_path) {
  return fmt::format("file:{}|{}", chain_path, key_path);
}

std::string FileTrustSecretName(std::string_view path) { return fmt::format("file:{}", path); }

std::string DiscoveryName(const appmesh::Resource& node) {
  const json* discovery = Member(node.spec, "serviceDiscovery");
  if (!discovery) return "";
  if (const json* dns = Member(*discovery, "dns")) return StringAt(*dns, "hostname");
  if (const json* cloud_map = Member(*discovery, "awsCloudMap")) {
    return StringAt(*cloud_map, "serviceName") + "." + StringAt(*cloud_map, "namespaceName");
  }
  return "";
}

MeshView::MeshView(appmesh::MeshContents contents) : contents_(std::move(contents)) {}

namespace {
const appmesh::Resource* FindNamed(const std::vector<appmesh::Resource>& list,
                                   std::string_view name) {
  for (const appmesh::Resource& resource : list) {
    if (resource.id.name == name) return &resource;
  }
  return nullptr;
}
}  // namespace

const appmesh::Resource* MeshView::Node(std::string_view name) const {
  return FindNamed(contents_.virtual_nodes, name);
}
const appmesh::Resource* MeshView::Service(std::string_view name) const {
  return FindNamed(contents_.virtual_services, name);
}
const appmesh::Resource* MeshView::Router(std::string_view name) const {
  return FindNamed(contents_.virtual_routers, name);
}

std::vector<const appmesh::Resource*> MeshView::RoutesOf(std::string_view router) const {
  std::vector<const appmesh::Resource*> out;
  for (const appmesh::Resource& route : contents_.routes) {
    if (route.id.parent == router) out.push_back(&route);
  }
  return out;
}

const appmesh::Resource* MeshView::Gateway(std::string_view name) const {
  return FindNamed(contents_.virtual_gateways, name);
}

std::vector<const appmesh::Resource*> MeshView::GatewayRoutesOf(std::string_view gateway) const {
  std::vector<const appmesh::Resource*> out;
  for (const appmesh::Resource& route : contents_.gateway_routes) {
    if (route.id.parent == gateway) out.push_back(&route);
  }
  return out;
}

std::string AddCluster(const MeshView& mesh, const appmesh::Resource& client,
                       const appmesh::Resource& target, uint16_t mesh_port,
                       std::string_view protocol, const json* client_policy, RenderedNode& node) {
  proxy::Cluster cluster;
  cluster.name =
      fmt::format("cds_egress_{}_{}_{}_{}", mesh.name(), target.id.name, protocol, mesh_port);
  cluster.mesh_port = mesh_port;
  cluster.protocol = proxy::ParseProtocol(protocol).value_or(proxy::Protocol::kHttp);
  cluster.tls_policy = ClientPolicyOf(client_policy, client, target, node);
  cluster.target_tls = TargetTlsOf(target, mesh_port, node);

  // Two backends reaching one target under different client policies need two clusters.
  std::string base = cluster.name;
  for (int suffix = 2;; ++suffix) {
    auto same = std::find_if(node.config.clusters.begin(), node.config.clusters.end(),
                             [&](const proxy::Cluster& c) { return c.name == cluster.name; });
    if (same == node.config.clusters.end()) break;
    if (same->tls_policy == cluster.tls_policy && same->target_tls == cluster.target_tls) {
      return cluster.name;
    }
    cluster.name = fmt::format("{}_{}", base, suffix);
  }
  node.targets.push_back({.cluster = cluster.name,
                          .node = target.id.name,
                          .mesh_port = mesh_port,
                          .protocol = std::string(protocol)});
  node.config.clusters.push_back(cluster);
  return cluster.name;
}

Result<RenderedNode> RenderProxyBase(const MeshView& mesh, const appmesh::Resource& resource,
                                     const RenderOptions& options) {
  RenderedNode out;
  out.owner = resource.resource_owner;
  out.discovery_name = DiscoveryName(resource);
  out.config.name = resource.id.name;
  out.config.mesh = mesh.name();
  out.config.admin.address = options.node_address;
  CM_RETURN_IF_ERROR(RenderListeners(resource, mesh.name(), options, out));
  return out;
}

void SetClusterSources(const RenderOptions& options, RenderedNode& out) {
  for (proxy::Cluster& cluster : out.config.clusters) cluster.source_address = options.node_address;
}

Result<RenderedNode> RenderNode(const MeshView& mesh, std::string_view node_name,
                                const RenderOptions& options) {
  const appmesh::Resource* node = mesh.Node(node_name);
  if (!node) {
    return Error("NotFoundException",
                 fmt::format("virtual node {} is not in mesh {} (owner {})", node_name, mesh.name(),
                             mesh.contents().mesh.id.mesh_owner));
  }

  Result<RenderedNode> out = RenderProxyBase(mesh, *node, options);
  if (!out.ok()) return out;
  RenderBackends(mesh, *node, options, *out);
  SetClusterSources(options, *out);
  return out;
}

}  // namespace crossmesh::control
