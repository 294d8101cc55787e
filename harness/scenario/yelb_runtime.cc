// The two AppRuntimes: Yelb alone, and Yelb behind the data plane's sidecars.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>
#include <spdlog/spdlog.h>

#include "emulator/emulator.h"
#include "harness/scenario/app_runtime.h"
#include "harness/yelb/data_tier.h"
#include "harness/yelb/yelb_appserver.h"
#include "harness/yelb/yelb_ui.h"

#ifdef CROSSMESH_HAVE_DATA_PLANE
#include "harness/control/data_plane.h"
#endif

namespace crossmesh::scenario {

std::string HopFacts::Verdict() const {
  if (connections == 0) return "no traffic";
  if (!encrypted) return problems.empty() ? "PLAINTEXT" : "PROBLEMS";
  return "encrypted";
}

namespace {

// The parts every runtime has: Redis and PostgreSQL, the app server and the UI. Members are
// destroyed UI first, data tier last, so nothing calls a server that is already gone.
struct YelbParts {
  std::unique_ptr<yelb::DataTier> data;
  std::unique_ptr<yelb::YelbAppserver> appserver;
  std::unique_ptr<yelb::YelbUi> ui;

  ~YelbParts() { Stop(); }
  void Stop() {
    if (ui) ui->Stop();
    if (appserver) appserver->Stop();
    if (data) data->Stop();
  }
  yelb::StoreOptions Databases() const {
    yelb::StoreOptions options;
    options.redis = data->redis();
    options.postgres = data->postgres();
    options.max_idle_connections = 0;
    return options;
  }
  std::vector<int> Pids() const {
    if (!data || !data->running()) return {};
    return {data->redis_pid(), data->postgres_pid()};
  }
  std::vector<std::string> Folders() const {
    if (!data || data->folder().empty()) return {};
    return {data->folder()};
  }
};

Status StartData(YelbParts& parts, yelb::Endpoint redis, yelb::Endpoint postgres) {
  yelb::DataTierOptions options;
  options.redis = std::move(redis);
  options.postgres = std::move(postgres);
  parts.data = std::make_unique<yelb::DataTier>(options);
  return parts.data->Start();
}

Result<uint16_t> StartAppserver(YelbParts& parts, yelb::Endpoint at, yelb::Endpoint redis,
                                yelb::Endpoint postgres) {
  yelb::AppserverOptions options;
  options.address = at.host;
  options.port = at.port;
  options.redis = std::move(redis);
  options.postgres = std::move(postgres);
  options.hostname = "yelb-appserver";
  parts.appserver = std::make_unique<yelb::YelbAppserver>(options);
  return parts.appserver->Start();
}

Result<uint16_t> StartUi(YelbParts& parts, yelb::Endpoint at, yelb::Endpoint appserver) {
  yelb::UiOptions options;
  options.address = at.host;
  options.port = at.port;
  options.appserver = std::move(appserver);
  parts.ui = std::make_unique<yelb::YelbUi>(options);
  return parts.ui->Start();
}

class PlainYelb : public AppRuntime {
 public:
  Status Start() {
    CM_RETURN_IF_ERROR(StartData(parts_, {"127.0.2.3", 0}, {"127.0.2.4", 0}));
    auto app =
        StartAppserver(parts_, {"127.0.2.2", 0}, parts_.data->redis(), parts_.data->postgres());
    if (!app.ok()) return app.status();
    auto ui = StartUi(parts_, {"127.0.1.2", 0}, {"127.0.2.2", *app});
    if (!ui.ok()) return ui.status();
    spdlog::info("yelb started without the mesh: ui {}", parts_.ui->Url());
    return Status::Ok();
  }

  std::string ui_host() const override { return "127.0.1.2"; }
  uint16_t ui_port() const override { return parts_.ui->port(); }
  Result<std::pair<std::string, uint16_t>> SidecarListener(const std::string& node) const override {
    return Error("NotSupported", fmt::format("there is no sidecar in front of '{}': this Yelb "
                                             "runs without the mesh (yelb: {{mesh: false}})",
                                             node));
  }
  yelb::StoreOptions databases() const override { return parts_.Databases(); }
  std::vector<int> pids() const override { return parts_.Pids(); }
  std::vector<std::string> folders() const override { return parts_.Folders(); }
  Result<std::string> Sync() override { return std::string("no mesh to sync"); }
  std::vector<HopFacts> Hops(std::optional<TimePoint> /*since*/) const override { return {}; }
  Result<int64_t> Stat(const std::string& proxy, const std::string&) const override {
    return Error("NotSupported", fmt::format("there is no proxy '{}': this Yelb runs without "
                                             "the mesh (yelb: {{mesh: false}})",
                                             proxy));
  }
  Status KillProxy(const std::string& node) override {
    return Error("NotSupported", fmt::format("there is no proxy '{}' to kill: this Yelb runs "
                                             "without the mesh (yelb: {{mesh: false}})",
                                             node));
  }
  Status RestartProxy(const std::string& node) override {
    return Error("NotSupported", fmt::format("there is no proxy '{}' to restart: this Yelb "
                                             "runs without the mesh (yelb: {{mesh: false}})",
                                             node));
  }

 private:
  YelbParts parts_;
};

#ifdef CROSSMESH_HAVE_DATA_PLANE

yelb::Endpoint ToYelb(const proxy::Endpoint& e) { return {e.host, e.port}; }

class MeshYelb : public AppRuntime {
 public:
  MeshYelb(Emulator& emulator, YelbDeployment deployment)
      : emulator_(emulator), deployment_(std::move(deployment)) {}
  ~MeshYelb() override {
    parts_.ui.reset();
    parts_.appserver.reset();
    plane_.reset();  // proxies and taps before the servers behind them
    parts_.Stop();
  }

  Status Start() {
    // What each hop would carry in the clear: the UI's requests, Redis's key, the votes' SQL.
    control::DataPlaneOptions options;
    options.plaintext_markers = {"GET /api/", "pageviews", "restaurants"};
    auto plane = control::DataPlane::Start(emulator_, options);
    if (!plane.ok()) return plane.status();
    plane_ = std::move(*plane);

    auto redis = plane_->Plan(Node(deployment_.backend, "redis-server"));
    if (!redis.ok()) return redis.status();
    auto db = plane_->Plan(Node(deployment_.backend, "yelb-db"));
    if (!db.ok()) return db.status();
    CM_RETURN_IF_ERROR(StartData(parts_, ToYelb(redis->app), ToYelb(db->app)));
    for (const char* node : {"redis-server", "yelb-db"}) {
      auto added = plane_->AddWorkload(Node(deployment_.backend, node));
      if (!added.ok()) return added.status();
    }

    auto app = plane_->AddWorkload(Node(deployment_.backend, "yelb-appserver"));
    if (!app.ok()) return app.status();
    auto to_redis = BackendPort(*app, "redis-server");
    if (!to_redis.ok()) return to_redis.status();
    auto to_db = BackendPort(*app, "yelb-db");
    if (!to_db.ok()) return to_db.status();
    auto app_port = StartAppserver(parts_, ToYelb(app->app), *to_redis, *to_db);
    if (!app_port.ok()) return app_port.status();

    auto ui = plane_->AddWorkload(Node(deployment_.frontend, "yelb-ui"));
    if (!ui.ok()) return ui.status();
    auto to_app = BackendPort(*ui, "yelb-appserver");
    if (!to_app.ok()) return to_app.status();
    auto ui_port = StartUi(parts_, ToYelb(ui->app), *to_app);
    if (!ui_port.ok()) return ui_port.status();
    ui_host_ = ui->app.host;
    auto synced = Sync();
    if (!synced.ok()) return synced.status();
    spdlog::info("yelb started on the mesh: ui {}", parts_.ui->Url());
    return Status::Ok();
  }

  std::string ui_host() const override { return ui_host_; }
  uint16_t ui_port() const override { return parts_.ui->port(); }
  Result<std::pair<std::string, uint16_t>> SidecarListener(const std::string& node) const override {
    auto info = plane_->Info(NodeName(node));
    if (!info.ok()) return info.status();
    if (info->listeners.empty()) {
      return Error("NotFoundException",
                   fmt::format("virtual node {} has no listener to aim traffic at", info->node));
    }
    const proxy::Endpoint& listener = info->listeners.front().proxy;
    return std::make_pair(listener.host, listener.port);
  }
  yelb::StoreOptions databases() const override { return parts_.Databases(); }
  std::vector<int> pids() const override { return parts_.Pids(); }
  std::vector<std::string> folders() const override { return parts_.Folders(); }

  Result<std::string> Sync() override {
    auto report = plane_->Sync();
    if (!report.ok()) return report.status();
    std::vector<std::string> problems;
    for (const auto& p : report->problems) {
      problems.push_back(fmt::format("{}: {} {}", p.node, p.code, p.message));
    }
    return fmt::format("{} proxies updated, {} secrets pushed{}{}", report->updated_nodes.size(),
                       report->pushed_secrets.size(),
                       problems.empty() ? "" : "; problems: ", fmt::join(problems, "; "));
  }

  std::vector<HopFacts> Hops(std::optional<TimePoint> since) const override {
    std::vector<HopFacts> hops;
    std::vector<control::Hop> seen = plane_->Hops();
    for (control::Hop& hop : seen) {
      if (since) {
        std::vector<tap::TapConnection> later;
        for (const tap::TapConnection& c : hop.report.connections) {
          if (c.started >= *since) later.push_back(c);
        }
        hop.report = tap::Summarize(hop.from, hop.to, std::move(later));
      }
      HopFacts f;
      f.from = hop.from;
      f.to = hop.to;
      f.from_account = hop.from_account;
      f.to_account = hop.to_account;
      f.crosses_accounts = hop.cross_account;
      f.protocol = hop.protocol;
      f.encrypted = hop.report.encrypted;
      f.tls_version = hop.report.tls_version;
      f.cipher = hop.report.cipher;
      f.server_issuer = hop.report.server_cert_issuer;
      f.server_serial = hop.report.server_cert_serial;
      f.client_certificate = hop.report.client_cert_present;
      f.connections = static_cast<int64_t>(hop.report.connections.size());
      f.foreign_connections = static_cast<int64_t>(hop.report.foreign_connections);
      f.problems = hop.report.problems;
      hops.push_back(std::move(f));
    }
    return hops;
  }

  Result<int64_t> Stat(const std::string& proxy, const std::string& name) const override {
    auto running = plane_->FindProxy(NodeName(proxy));
    if (!running) {
      return Error("NotFoundException",
                   fmt::format("no running proxy '{}' (killed, or not a Yelb node)", proxy));
    }
    // Listener and cluster names carry bound ports, which a scenario cannot know: a pattern
    // ("listener.*.ssl.connection_error") sums every stat it matches.
    const bool pattern = name.find('*') != std::string::npos;
    int64_t sum = 0;
    bool matched = false;
    for (const auto& [stat, value] : running->stats().Snapshot()) {
      if (pattern ? fnmatch(name.c_str(), stat.c_str(), 0) != 0 : stat != name) continue;
      sum += value;
      matched = true;
    }
    // A misspelt name must not read as 0 (an "errors == 0" check would always hold); only the
    // stats a proxy makes on first use, as Envoy does (a TLS version or cipher seen), are 0
    // before then.
    const bool made_on_use = name.find("ssl.versions.") != std::string::npos ||
                             name.find("ssl.ciphers.") != std::string::npos;
    if (!matched && !made_on_use) {
      return Error("NotFoundException",
                   fmt::format("no stat of proxy '{}' matches '{}' (its admin page's /stats lists "
                               "them)",
                               proxy, name));
    }
    return sum;
  }

  Status KillProxy(const std::string& node) override { return plane_->StopProxy(NodeName(node)); }
  Status RestartProxy(const std::string& node) override {
    CM_RETURN_IF_ERROR(plane_->StopProxy(NodeName(node)));
    return plane_->RestartProxy(NodeName(node));
  }

 private:
  std::string NodeName(const std::string& name) const {
    return name.find('_') == std::string::npos ? name + "_" + deployment_.ns : name;
  }

  control::Workload Node(const std::string& account, const std::string& name) const {
    control::Workload w;
    w.account = account;
    w.mesh = deployment_.mesh_name;
    const Account* owner = emulator_.accounts().FindByName(deployment_.frontend);
    w.mesh_owner = owner ? owner->id : "";
    w.virtual_node = NodeName(name);
    return w;
  }

  // The sidecar's outbound port toward a backend virtual service named `service`
  // ("redis-server", or a DNS name that starts with it).
  static Result<yelb::Endpoint> BackendPort(const control::WorkloadInfo& info,
                                            const std::string& service) {
    for (const auto& backend : info.backends) {
      if (backend.virtual_service == service ||
          backend.virtual_service.rfind(service + ".", 0) == 0) {
        return ToYelb(backend.endpoint);
      }
    }
    return Error("InvalidConfiguration",
                 fmt::format("virtual node {} has no backend '{}': check its manifest's backends",
                             info.node, service));
  }

  Emulator& emulator_;
  YelbDeployment deployment_;
  YelbParts parts_;
  std::unique_ptr<control::DataPlane> plane_;
  std::string ui_host_;
};

#endif

}  // namespace

bool HaveDataPlane() {
#ifdef CROSSMESH_HAVE_DATA_PLANE
  return true;
#else
  return false;
#endif
}

Result<std::unique_ptr<AppRuntime>> StartPlainYelb() {
  auto runtime = std::make_unique<PlainYelb>();
  CM_RETURN_IF_ERROR(runtime->Start());
  return std::unique_ptr<AppRuntime>(std::move(runtime));
}

Result<std::unique_ptr<AppRuntime>> StartMeshYelb(Emulator& emulator, const Scenario& scenario) {
#ifdef CROSSMESH_HAVE_DATA_PLANE
  auto runtime = std::make_unique<MeshYelb>(emulator, *scenario.yelb);
  CM_RETURN_IF_ERROR(runtime->Start());
  return std::unique_ptr<AppRuntime>(std::move(runtime));
#else
  (void)emulator;
  (void)scenario;
  return Error("NotImplemented",
               "Yelb on the mesh needs the data plane (harness/control), which this build does "
               "not have yet; run Yelb alone with 'yelb: {mesh: false}'");
#endif
}

}  // namespace crossmesh::scenario
