#include "harness/control/data_plane.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <tuple>

#include "emulator/appmesh/model/access.h"
#include "emulator/core/loopback_port.h"
#include "emulator/emulator.h"
#include "harness/control/addressing.h"
#include "harness/control/gateway_renderer.h"
#include "harness/control/node_renderer.h"
#include "harness/control/secret_delivery.h"
#include "harness/proxy/config_json.h"
#include "harness/proxy/proxy_runtime.h"
#include "harness/tap/tap.h"

namespace crossmesh::control {
namespace {

struct WorkloadState {
  Workload spec;
  WorkloadInfo info;
  std::string region;
  std::vector<proxy::Endpoint> apps;  // per listener, once known
  std::optional<RenderedNode> rendered;
  std::string rendered_json;  // what the running proxy was given, for change detection
  std::shared_ptr<proxy::Proxy> proxy;
  bool started = false;  // AddWorkload ran (a stopped proxy stays started)
  std::map<std::string, uint16_t> listener_ports, outbound_ports;
  uint16_t admin_port = 0;
  std::vector<NodeProblem> problems;
};

struct TapState {
  Hop hop;  // everything but the report
  std::unique_ptr<tap::Tap> tap;
};

bool IsGateway(const Workload& workload) { return !workload.virtual_gateway.empty(); }

// The workload's (and its proxy's) name: the virtual node's or the virtual gateway's.
const std::string& NameOf(const Workload& workload) {
  return IsGateway(workload) ? workload.virtual_gateway : workload.virtual_node;
}

std::string_view KindOf(const Workload& workload) {
  return IsGateway(workload) ? "virtual gateway" : "virtual node";
}

std::string MeshKey(const WorkloadState& w) {
  return fmt::format("{}/{}/{}", w.info.mesh_owner, w.region, w.info.mesh);
}

}  // namespace

std::optional<proxy::Endpoint> WorkloadInfo::Backend(std::string_view virtual_service) const {
  for (const BackendPort& backend : backends) {
    if (backend.virtual_service == virtual_service) return backend.endpoint;
  }
  return std::nullopt;
}

struct DataPlane::Impl {
  Impl(Emulator& e, DataPlaneOptions o)
      : emulator(e),
        options(std::move(o)),
        runtime(proxy::ProxyRuntime::Options{.threads = options.proxy_threads}),
        addresses(e.accounts()),
        delivery(e, runtime.secrets(), options.certificate_delivery_delay,
                 options.delay_first_delivery) {}

  Emulator& emulator;
  DataPlaneOptions options;
  proxy::ProxyRuntime runtime;
  AddressBook addresses;
  SecretDelivery delivery;
  mutable std::mutex mutex;
  std::map<std::string, WorkloadState> workloads;                // by node name
  std::map<std::pair<std::string, std::string>, TapState> taps;  // (from node, cluster)
  int64_t mesh_sequence = 0;
  int64_t certificate_sequence = 0;

  const std::string& AnyAccount() const { return emulator.accounts().all().front().name; }

  Status DrainChanges(SyncReport* report);
  Result<WorkloadState> Resolve(const Workload& workload);
  Result<appmesh::Resource> FindResource(const Account& account, const Workload& workload,
                                         const std::string& region, const std::string& owner);
  Status ReserveApps(WorkloadState& w, const appmesh::Resource& resource);
  Result<std::map<std::string, MeshView>> ReadMeshes();
  Result<RenderedNode> Render(WorkloadState& w, const MeshView& mesh);
  void FillEndpoints(WorkloadState& w, RenderedNode& rendered);
  Status StartProxy(WorkloadState& w);
  void ApplyAll(SyncReport& report);
  void RecordInfo(WorkloadState& w);
  std::vector<SecretNeed> AllNeeds() const;
};

Status DataPlane::Impl::DrainChanges(SyncReport* report) {
  for (;;) {
    auto batch = emulator.Call(AnyAccount(), "", [&](const CallContext&) -> Result<size_t> {
      auto mesh = appmesh::MeshChangesSince(emulator.store(), mesh_sequence);
      if (!mesh.ok()) return mesh.status();
      auto certs = acm::CertificateChangesSince(emulator.store(), certificate_sequence);
      if (!certs.ok()) return certs.status();
      for (const appmesh::MeshChange& change : *mesh) mesh_sequence = change.sequence;
      for (const acm::CertificateChange& change : *certs) {
        certificate_sequence = change.sequence;
        if (report) delivery.OnCertificateChange(change);
      }
      if (report) {
        report->mesh_changes += mesh->size();
        report->certificate_changes += certs->size();
      }
      return mesh->size() + certs->size();
    });
    if (!batch.ok()) return batch.status();
    if (*batch < 1000) return Status::Ok();
  }
}

// The node or gateway as the workload's account streams it: the mesh must be its own or
// shared with it, and the resource must be one that account created.
Result<appmesh::Resource> DataPlane::Impl::FindResource(const Account& account,
                                                        const Workload& workload,
                                                        const std::string& region,
                                                        const std::string& owner) {
  const bool gateway = IsGateway(workload);
  auto found =
      emulator.Call(account.name, region, [&](const CallContext& ctx) -> Result<appmesh::Resource> {
        auto access = appmesh::OpenMesh(emulator.store(), ctx, workload.mesh,
                                        std::optional<std::string>(owner),
                                        gateway ? "DescribeVirtualGateway" : "DescribeVirtualNode");
        if (!access.ok()) return access.status();
        auto contents = appmesh::ReadMesh(emulator.store(), owner, region, workload.mesh);
        if (!contents.ok()) return contents.status();
        for (const appmesh::Resource& n :
             gateway ? contents->virtual_gateways : contents->virtual_nodes) {
          if (n.id.name == NameOf(workload)) return n;
        }
        appmesh::ResourceId id;
        id.mesh_owner = owner;
        id.region = region;
        id.mesh = workload.mesh;
        id.kind = gateway ? appmesh::Kind::kVirtualGateway : appmesh::Kind::kVirtualNode;
        id.name = NameOf(workload);
        return appmesh::NotPresent(id);
      });
  if (!found.ok()) return found.status();
  if (found->resource_owner != account.id) {
    return Error(
        "AccessDeniedException",
        fmt::format("{} {} belongs to account {}; a proxy running as account {} cannot "
                    "stream its configuration",
                    KindOf(workload), NameOf(workload), found->resource_owner, account.id));
  }
  return found;
}

// Where each listener of a node forwards: the node's app. A gateway's listeners route
// themselves (gateway_renderer.h), so it has none.
Status DataPlane::Impl::ReserveApps(WorkloadState& w, const appmesh::Resource& resource) {
  const Workload& workload = w.spec;
  const nlohmann::json& listeners = resource.spec.value("listeners", nlohmann::json::array());
  if (IsGateway(workload)) return Status::Ok();

  std::string app_host = workload.app_host.empty() ? w.info.node_address : workload.app_host;
  uint16_t app_port = workload.app_port;
  if (app_port == 0) {
    auto free = PickLoopbackPort(app_host);
    if (!free.ok()) return free.status();
    app_port = *free;
  }
  w.info.app = {app_host, app_port};
  for (size_t i = 0; i < listeners.size(); ++i) {
    uint16_t mesh_port =
        listeners[i].value("portMapping", nlohmann::json::object()).value("port", uint16_t{0});
    auto mapped = workload.app_ports.find(mesh_port);
    if (mapped != workload.app_ports.end()) {
      w.apps.push_back({app_host, mapped->second});
    } else {
      w.apps.push_back(i == 0 ? w.info.app : proxy::Endpoint{app_host, mesh_port});
    }
  }
  if (w.apps.empty()) w.apps.push_back(w.info.app);
  w.info.app = w.apps.front();
  return Status::Ok();
}

Result<WorkloadState> DataPlane::Impl::Resolve(const Workload& workload) {
  const Account* account = emulator.accounts().FindByName(workload.account);
  if (!account) account = emulator.accounts().FindById(workload.account);
  if (!account) {
    return Error("InvalidConfiguration",
                 fmt::format("workload {}: no account named or numbered '{}' is configured",
                             NameOf(workload), workload.account));
  }
  if (IsGateway(workload) == !workload.virtual_node.empty()) {
    return Error("InvalidConfiguration",
                 fmt::format("workload of account {}: name exactly one of virtual_node ('{}') "
                             "and virtual_gateway ('{}')",
                             workload.account, workload.virtual_node, workload.virtual_gateway));
  }
  WorkloadState w;
  w.spec = workload;
  w.region = workload.region.empty() ? account->default_region : workload.region;
  std::string owner = workload.mesh_owner.empty() ? account->id : workload.mesh_owner;
  auto resource = FindResource(*account, workload, w.region, owner);
  if (!resource.ok()) return resource.status();

  auto address = addresses.NodeAddress(account->id, NameOf(workload));
  if (!address.ok()) return address.status();
  w.info.node = NameOf(workload);
  w.info.mesh = workload.mesh;
  w.info.mesh_owner = owner;
  w.info.account = account->id;
  w.info.account_name = account->name;
  w.info.node_address = *address;
  w.info.discovery_name = DiscoveryName(*resource);
  CM_RETURN_IF_ERROR(ReserveApps(w, *resource));
  return w;
}

Result<std::map<std::string, MeshView>> DataPlane::Impl::ReadMeshes() {
  std::map<std::string, MeshView> meshes;
  for (const auto& [name, w] : workloads) {
    std::string key = MeshKey(w);
    if (meshes.contains(key)) continue;
    auto contents = emulator.Call(AnyAccount(), "", [&](const CallContext&) {
      return appmesh::ReadMesh(emulator.store(), w.info.mesh_owner, w.region, w.info.mesh);
    });
    if (!contents.ok()) return contents.status();
    meshes.emplace(key, MeshView(std::move(*contents)));
  }
  return meshes;
}

Result<RenderedNode> DataPlane::Impl::Render(WorkloadState& w, const MeshView& mesh) {
  RenderOptions render{.node_address = w.info.node_address,
                       .bind_mesh_ports = options.bind_mesh_ports,
                       .apps = w.apps};
  auto rendered = IsGateway(w.spec) ? RenderGateway(mesh, w.info.node, render)
                                    : RenderNode(mesh, w.info.node, render);
  if (!rendered.ok()) return rendered;
  FillEndpoints(w, *rendered);

  proxy::ProxyConfig& config = rendered->config;
  config.error_style = options.error_style;
  if (options.allow_tls13_between_proxies) proxy::AllowTls13BetweenProxies(config);
  return rendered;
}

void DataPlane::Impl::FillEndpoints(WorkloadState& w, RenderedNode& rendered) {
  for (const ClusterTarget& target : rendered.targets) {
    auto server = workloads.find(target.node);
    if (server == workloads.end() || !server->second.started) continue;
    WorkloadState& s = server->second;
    if (s.info.mesh != w.info.mesh || s.info.mesh_owner != w.info.mesh_owner) continue;
    auto port = s.listener_ports.find(fmt::format("ingress_{}", target.mesh_port));
    if (port == s.listener_ports.end()) continue;
    proxy::Endpoint server_endpoint{s.info.node_address, port->second};

    proxy::Endpoint endpoint = server_endpoint;
    if (options.taps) {
      auto key = std::make_pair(w.info.node, target.cluster);
      TapState& state = taps[key];
      if (!state.tap || state.hop.tap.host.empty() ||
          !(state.hop.to == s.info.node && state.hop.mesh_port == target.mesh_port)) {
        auto tap = tap::Tap::Start({.from = w.info.node,
                                    .to = s.info.node,
                                    .listen_address = s.info.node_address,
                                    .target_host = server_endpoint.host,
                                    .target_port = server_endpoint.port,
                                    // the client's clusters bind it (SetClusterSources)
                                    .client_source_address = w.info.node_address,
                                    .plaintext_markers = options.plaintext_markers});
        if (!tap.ok()) {
          spdlog::warn("control: no tap for {} -> {}: {}", w.info.node, s.info.node,
                       tap.status().message());
          taps.erase(key);
        } else {
          state.tap = std::move(*tap);
          state.hop = Hop{.from = w.info.node,
                          .to = s.info.node,
                          .from_account = w.info.account,
                          .to_account = s.info.account,
                          .cross_account = w.info.account != s.info.account,
                          .cluster = target.cluster,
                          .protocol = target.protocol,
                          .mesh_port = target.mesh_port,
                          .tap = {s.info.node_address, state.tap->port()},
                          .report = {}};
          spdlog::debug("control: tap {} -> {} on {}", w.info.node, s.info.node,
                        state.hop.tap.ToString());
        }
      }
      if (state.tap) endpoint = state.hop.tap;
    }
    for (proxy::Cluster& cluster : rendered.config.clusters) {
      if (cluster.name == target.cluster) cluster.endpoints = {endpoint};
    }
  }
}

void DataPlane::Impl::RecordInfo(WorkloadState& w) {
  if (!w.rendered) return;
  const RenderedNode& r = *w.rendered;
  w.info.listeners.clear();
  for (size_t i = 0; i < r.listeners.size(); ++i) {
    const proxy::Listener& listener = r.config.listeners[i];
    uint16_t port = w.listener_ports.contains(listener.name) ? w.listener_ports[listener.name] : 0;
    w.info.listeners.push_back({.mesh_port = r.listeners[i].mesh_port,
                                .protocol = r.listeners[i].protocol,
                                .proxy = {w.info.node_address, port},
                                .app = listener.app,
                                .tls_mode = r.listeners[i].tls_mode});
  }
  w.info.backends.clear();
  for (const RenderedBackend& backend : r.backends) {
    uint16_t port =
        w.outbound_ports.contains(backend.outbound) ? w.outbound_ports[backend.outbound] : 0;
    w.info.backends.push_back({.virtual_service = backend.virtual_service,
                               .protocol = backend.protocol,
                               .endpoint = {w.info.node_address, port}});
  }
  w.info.http_proxy.reset();
  if (auto it = w.outbound_ports.find("egress_http_proxy"); it != w.outbound_ports.end()) {
    w.info.http_proxy = proxy::Endpoint{w.info.node_address, it->second};
  }
  w.info.admin_port = w.admin_port;
}

Status DataPlane::Impl::StartProxy(WorkloadState& w) {
  proxy::ProxyConfig config = w.rendered->config;
  // A restart keeps the ports the proxy had, so taps and peers still reach it.
  for (proxy::Listener& listener : config.listeners) {
    if (auto it = w.listener_ports.find(listener.name); it != w.listener_ports.end()) {
      listener.port = it->second;
    }
  }
  for (proxy::Outbound& outbound : config.outbounds) {
    if (auto it = w.outbound_ports.find(outbound.name); it != w.outbound_ports.end()) {
      outbound.port = it->second;
    }
  }
  config.admin.port = w.admin_port;
  config.clock = [clock = &emulator.clock()] { return clock->Now(); };

  auto started = runtime.Start(std::move(config));
  if (!started.ok()) return started.status();
  w.proxy = *started;
  w.started = true;
  for (const proxy::Listener& listener : w.proxy->Config().listeners) {
    w.listener_ports[listener.name] = w.proxy->ListenerPort(listener.name);
  }
  for (const proxy::Outbound& outbound : w.proxy->Config().outbounds) {
    w.outbound_ports[outbound.name] = w.proxy->OutboundPort(outbound.name);
  }
  w.admin_port = w.proxy->AdminPort();
  RecordInfo(w);
  spdlog::info("control: proxy {} started on {} (account {}, mesh {})", w.info.node,
               w.info.node_address, w.info.account_name, w.info.mesh);
  return Status::Ok();
}

std::vector<SecretNeed> DataPlane::Impl::AllNeeds() const {
  std::vector<SecretNeed> needs;
  for (const auto& [name, w] : workloads) {
    if (w.started && w.rendered) {
      needs.insert(needs.end(), w.rendered->secrets.begin(), w.rendered->secrets.end());
    }
  }
  return needs;
}

void DataPlane::Impl::ApplyAll(SyncReport& report) {
  auto meshes = ReadMeshes();
  if (!meshes.ok()) {
    report.problems.push_back({"", meshes.status().code(), meshes.status().message()});
    return;
  }
  // Render everything first so that secrets are in place before any proxy uses them.
  std::map<std::string, RenderedNode> fresh;
  for (auto& [name, w] : workloads) {
    w.problems.clear();
    if (!w.started) continue;
    auto rendered = Render(w, meshes->at(MeshKey(w)));
    if (!rendered.ok()) {  // the proxy keeps its last good configuration
      report.problems.push_back({name, rendered.status().code(), rendered.status().message()});
      continue;
    }
    w.rendered = *rendered;
    fresh.emplace(name, std::move(*rendered));
  }
  delivery.Deliver(AllNeeds(), emulator.clock().Now(), report);
  for (const NodeProblem& problem : report.problems) {
    if (auto it = workloads.find(problem.node); it != workloads.end()) {
      it->second.problems.push_back(problem);
    }
  }

  for (auto& [name, rendered] : fresh) {
    WorkloadState& w = workloads.at(name);
    std::string json = proxy::ConfigToJson(rendered.config).dump();
    if (!w.proxy || json == w.rendered_json) continue;
    proxy::ProxyConfig config = rendered.config;
    config.clock = [clock = &emulator.clock()] { return clock->Now(); };
    if (Status updated = runtime.Update(std::move(config)); !updated.ok()) {
      w.problems.push_back({name, updated.code(), updated.message()});
      report.problems.push_back(w.problems.back());
      continue;
    }
    w.rendered_json = std::move(json);
    for (const proxy::Outbound& outbound : w.proxy->Config().outbounds) {
      w.outbound_ports[outbound.name] = w.proxy->OutboundPort(outbound.name);
    }
    for (const proxy::Listener& listener : w.proxy->Config().listeners) {
      w.listener_ports[listener.name] = w.proxy->ListenerPort(listener.name);
    }
    RecordInfo(w);
    report.updated_nodes.push_back(name);
    spdlog::info("control: proxy {} configuration updated", name);
  }
}

// --- DataPlane ------------------------------------------------------------------------------

DataPlane::DataPlane(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DataPlane::~DataPlane() {
  // Proxies first (they dial the taps), then the taps.
  impl_->runtime.StopAll();
  for (auto& [key, state] : impl_->taps) {
    if (state.tap) state.tap->Stop();
  }
}

Result<std::unique_ptr<DataPlane>> DataPlane::Start(Emulator& emulator, DataPlaneOptions options) {
  if (emulator.accounts().all().empty()) {
    return Error("InvalidConfiguration", "the emulator has no accounts");
  }
  if (options.proxy_threads < 1) {
    return Error("InvalidConfiguration",
                 fmt::format("proxy_threads must be at least 1, not {}", options.proxy_threads));
  }
  auto impl = std::make_unique<Impl>(emulator, std::move(options));
  // Changes from before the start need no replay: first deliveries read the current state.
  CM_RETURN_IF_ERROR(impl->DrainChanges(nullptr));
  return std::unique_ptr<DataPlane>(new DataPlane(std::move(impl)));
}

Result<WorkloadInfo> DataPlane::Plan(const Workload& workload) {
  std::lock_guard lock(impl_->mutex);
  if (auto it = impl_->workloads.find(NameOf(workload)); it != impl_->workloads.end()) {
    return it->second.info;
  }
  auto w = impl_->Resolve(workload);
  if (!w.ok()) return w.status();
  WorkloadInfo info = w->info;
  impl_->workloads.emplace(NameOf(workload), std::move(*w));
  return info;
}

Result<WorkloadInfo> DataPlane::AddWorkload(const Workload& workload) {
  std::lock_guard lock(impl_->mutex);
  Impl& p = *impl_;
  const std::string& name = NameOf(workload);
  auto existing = p.workloads.find(name);
  if (existing != p.workloads.end() && existing->second.started) {
    return Error("AlreadyExists",
                 fmt::format("a proxy for {} {} was already added", KindOf(workload), name));
  }
  bool planned_here = existing == p.workloads.end();
  if (planned_here) {
    auto resolved = p.Resolve(workload);
    if (!resolved.ok()) return resolved.status();
    existing = p.workloads.emplace(name, std::move(*resolved)).first;
  }
  WorkloadState& w = existing->second;
  // A workload that fails to start here leaves nothing behind (a Plan()ned one stays planned).
  auto forget = [&](Status status) -> Result<WorkloadInfo> {
    if (planned_here) {
      p.workloads.erase(name);
      p.addresses.Release(name);
    }
    return status;
  };

  SyncReport report;
  if (Status drained = p.DrainChanges(&report); !drained.ok()) return forget(drained);
  auto meshes = p.ReadMeshes();
  if (!meshes.ok()) return forget(meshes.status());
  auto rendered = p.Render(w, meshes->at(MeshKey(w)));
  if (!rendered.ok()) return forget(rendered.status());
  if (Status checked = p.delivery.CheckNode(*rendered); !checked.ok()) return forget(checked);

  w.rendered = std::move(*rendered);
  w.rendered_json = proxy::ConfigToJson(w.rendered->config).dump();
  w.started = true;
  p.delivery.Deliver(w.rendered->secrets, p.emulator.clock().Now(), report);
  if (Status started = p.StartProxy(w); !started.ok()) {
    w.started = false;
    return forget(Error(started.code(), fmt::format("proxy for {} {}: {}", KindOf(workload),
                                                    w.info.node, started.message())));
  }
  // Peers that route to this node get its endpoint now.
  p.ApplyAll(report);
  return w.info;
}

Status DataPlane::SetAppEndpoint(const std::string& node, uint16_t mesh_port, proxy::Endpoint app) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->workloads.find(node);
  if (it == impl_->workloads.end() || !it->second.rendered) {
    return Error("NotFoundException", fmt::format("no workload for virtual node {}", node));
  }
  WorkloadState& w = it->second;
  if (IsGateway(w.spec)) {
    return Error("InvalidConfiguration",
                 fmt::format("virtual gateway {} has no app: its listeners route", node));
  }
  const auto& listeners = w.rendered->listeners;
  for (size_t i = 0; i < listeners.size() && i < w.apps.size(); ++i) {
    if (listeners[i].mesh_port == mesh_port) {
      w.apps[i] = app;
      if (i == 0) w.info.app = app;
      SyncReport report;
      impl_->ApplyAll(report);
      return Status::Ok();
    }
  }
  return Error("NotFoundException",
               fmt::format("virtual node {} has no listener on port {}", node, mesh_port));
}

Result<SyncReport> DataPlane::Sync() {
  std::lock_guard lock(impl_->mutex);
  SyncReport report;
  CM_RETURN_IF_ERROR(impl_->DrainChanges(&report));
  impl_->ApplyAll(report);
  spdlog::debug(
      "control: sync read {} mesh and {} certificate changes; {} proxies updated, {} "
      "secrets pushed, {} pending",
      report.mesh_changes, report.certificate_changes, report.updated_nodes.size(),
      report.pushed_secrets.size(), report.pending_secrets.size());
  return report;
}

Status DataPlane::StopProxy(const std::string& node) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->workloads.find(node);
  if (it == impl_->workloads.end() || !it->second.proxy) {
    return Error("NotFoundException", fmt::format("no running proxy for virtual node {}", node));
  }
  CM_RETURN_IF_ERROR(impl_->runtime.Stop(node));
  it->second.proxy.reset();
  spdlog::info("control: proxy {} stopped", node);
  return Status::Ok();
}

Status DataPlane::RestartProxy(const std::string& node) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->workloads.find(node);
  if (it == impl_->workloads.end() || !it->second.started) {
    return Error("NotFoundException", fmt::format("no workload for virtual node {}", node));
  }
  WorkloadState& w = it->second;
  if (w.proxy) {
    CM_RETURN_IF_ERROR(impl_->runtime.Stop(node));
    w.proxy.reset();
  }
  // A fresh proxy asks for its secrets again.
  if (w.rendered) impl_->delivery.Forget(w.rendered->secrets);
  SyncReport report;
  CM_RETURN_IF_ERROR(impl_->DrainChanges(&report));
  impl_->ApplyAll(report);
  w.rendered_json = proxy::ConfigToJson(w.rendered->config).dump();
  return impl_->StartProxy(w);
}

Status DataPlane::RemoveWorkload(const std::string& node) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->workloads.find(node);
  if (it == impl_->workloads.end()) {
    return Error("NotFoundException", fmt::format("no workload for virtual node {}", node));
  }
  if (it->second.proxy) CM_RETURN_IF_ERROR(impl_->runtime.Stop(node));
  impl_->workloads.erase(it);
  impl_->addresses.Release(node);
  for (auto tap = impl_->taps.begin(); tap != impl_->taps.end();) {
    bool involved = tap->second.hop.from == node || tap->second.hop.to == node;
    tap = involved ? impl_->taps.erase(tap) : std::next(tap);
  }
  SyncReport report;
  impl_->ApplyAll(report);
  return Status::Ok();
}

std::shared_ptr<proxy::Proxy> DataPlane::FindProxy(const std::string& node) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->workloads.find(node);
  return it == impl_->workloads.end() ? nullptr : it->second.proxy;
}

Result<WorkloadInfo> DataPlane::Info(const std::string& node) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->workloads.find(node);
  if (it == impl_->workloads.end()) {
    return Error("NotFoundException", fmt::format("no workload for virtual node {}", node));
  }
  return it->second.info;
}

std::vector<WorkloadInfo> DataPlane::Workloads() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<WorkloadInfo> out;
  for (const auto& [name, w] : impl_->workloads) out.push_back(w.info);
  return out;
}

Result<proxy::ProxyConfig> DataPlane::RenderedConfig(const std::string& node) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->workloads.find(node);
  if (it == impl_->workloads.end() || !it->second.rendered) {
    return Error("NotFoundException", fmt::format("no rendered configuration for {}", node));
  }
  return it->second.rendered->config;
}

Result<std::string> DataPlane::Resolve(std::string_view name) const {
  std::lock_guard lock(impl_->mutex);
  for (const auto& [node, w] : impl_->workloads) {
    if (!w.info.discovery_name.empty() && w.info.discovery_name == name) {
      return w.info.node_address;
    }
  }
  return Error("NotFoundException",
               fmt::format("no planned virtual node is discovered as {}", name));
}

std::string DataPlane::AccountNetwork(std::string_view account) const {
  return impl_->addresses.Network(account);
}

std::vector<Hop> DataPlane::Hops() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<Hop> out;
  for (const auto& [key, state] : impl_->taps) {
    if (!state.tap) continue;
    Hop hop = state.hop;
    hop.report = state.tap->Report();
    out.push_back(std::move(hop));
  }
  return out;
}

std::vector<Hop> DataPlane::HopsBetween(const std::string& from, const std::string& to) const {
  std::vector<Hop> out = Hops();
  std::erase_if(out, [&](const Hop& hop) { return hop.from != from || hop.to != to; });
  return out;
}

std::vector<NodeProblem> DataPlane::Problems() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<NodeProblem> out;
  for (const auto& [name, w] : impl_->workloads) {
    out.insert(out.end(), w.problems.begin(), w.problems.end());
  }
  return out;
}

proxy::SecretStore& DataPlane::secrets() { return impl_->runtime.secrets(); }

std::chrono::nanoseconds DataPlane::ProxyCpuTime() const { return impl_->runtime.CpuTime(); }

}  // namespace crossmesh::control
