#include "harness/proxy/proxy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "harness/proxy/admin_server.h"
#include "harness/proxy/certs_report.h"
#include "harness/proxy/config_json.h"
#include "harness/proxy/inbound_session.h"
#include "harness/proxy/outbound_session.h"
#include "harness/proxy/snapshot_builder.h"

namespace crossmesh::proxy {
namespace {

constexpr std::chrono::milliseconds kFilePoll{500};

// Coroutine functions (not lambdas) so that each connection's frame owns copies of what it
// uses: an acceptor and its Serve function may go away while connections still run.
asio::awaitable<void> ServeListener(std::shared_ptr<ProxyCore> core, std::string name,
                                    std::shared_ptr<std::atomic<size_t>> active,
                                    tcp::socket socket) {
  auto snapshot = core->snapshot();
  auto it = snapshot->inbound.find(name);
  if (it == snapshot->inbound.end()) co_return;
  // Named, not braced in the co_await: GCC 12 destroys a braced aggregate temporary in a
  // co_await expression twice.
  InboundContext context{core, snapshot, it->second, std::move(active)};
  co_await ServeInbound(std::move(context), std::move(socket));
}

asio::awaitable<void> ServeOutboundPort(std::shared_ptr<ProxyCore> core, std::string name,
                                        tcp::socket socket) {
  auto snapshot = core->snapshot();
  auto it = snapshot->outbound.find(name);
  if (it == snapshot->outbound.end()) co_return;
  OutboundContext context{core, snapshot, it->second};  // named: see ServeListener
  co_await ServeOutbound(std::move(context), std::move(socket));
}

template <typename Entries>
bool IsNew(const Entries& old_entries, const std::string& name,
           const std::shared_ptr<Acceptor>& acceptor) {
  auto it = old_entries.find(name);
  return it == old_entries.end() || it->second.acceptor != acceptor;
}

}  // namespace

Proxy::Proxy(std::shared_ptr<ProxyCore> core, SecretStore& secrets)
    : core_(std::move(core)), secrets_(secrets) {}

Status Proxy::BindPorts(const ProxyConfig& config, std::map<std::string, Bound>& listeners,
                        std::map<std::string, Bound>& outbounds, BoundPorts& ports) {
  // `field`: the config path that asks for the socket ("listeners[0].port"), named in the error.
  auto bind = [&](const std::map<std::string, Bound>& old_entries, const std::string& name,
                  const std::string& address, uint16_t port, const std::string& field,
                  std::map<std::string, Bound>& out) -> Status {
    auto it = old_entries.find(name);
    if (it != old_entries.end() && it->second.address == address &&
        (port == 0 || port == it->second.acceptor->port())) {
      out[name] = it->second;
      return Status::Ok();
    }
    Result<std::shared_ptr<Acceptor>> acceptor =
        Acceptor::Bind(core_->ioc(), address, port, one_thread_);
    if (!acceptor.ok()) {
      return Error(acceptor.status().code(),
                   fmt::format("{} ('{}'): {}", field, name, acceptor.status().message()));
    }
    out[name] = Bound{address, acceptor.value(), std::make_shared<std::atomic<size_t>>(0)};
    return Status::Ok();
  };
  Status status;
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& listener = config.listeners[i];
    if (status.ok()) {
      status = bind(listeners_, listener.name, listener.address, listener.port,
                    fmt::format("listeners[{}].port", i), listeners);
    }
    if (status.ok()) ports.listeners[listener.name] = listeners[listener.name].acceptor->port();
  }
  for (size_t i = 0; i < config.outbounds.size(); ++i) {
    const Outbound& outbound = config.outbounds[i];
    if (status.ok()) {
      status = bind(outbounds_, outbound.name, outbound.address, outbound.port,
                    fmt::format("outbounds[{}].port", i), outbounds);
    }
    if (status.ok()) ports.outbounds[outbound.name] = outbounds[outbound.name].acceptor->port();
  }
  if (!status.ok()) {
    // Leave nothing bound that this attempt bound.
    for (auto& [name, bound] : listeners) {
      if (IsNew(listeners_, name, bound.acceptor)) bound.acceptor->Close();
    }
    for (auto& [name, bound] : outbounds) {
      if (IsNew(outbounds_, name, bound.acceptor)) bound.acceptor->Close();
    }
  }
  return status;
}

void Proxy::StartServing(std::map<std::string, Bound>& listeners,
                         std::map<std::string, Bound>& outbounds) {
  for (auto& [name, bound] : listeners) {
    if (!IsNew(listeners_, name, bound.acceptor)) continue;
    bound.acceptor->Start([core = core_, name = name, active = bound.active](tcp::socket socket) {
      return ServeListener(core, name, active, std::move(socket));
    });
  }
  for (auto& [name, bound] : outbounds) {
    if (!IsNew(outbounds_, name, bound.acceptor)) continue;
    bound.acceptor->Start([core = core_, name = name](tcp::socket socket) {
      return ServeOutboundPort(core, name, std::move(socket));
    });
  }
  for (auto& [name, bound] : listeners_) {
    if (!listeners.count(name) || listeners[name].acceptor != bound.acceptor) {
      bound.acceptor->Close();
    }
  }
  for (auto& [name, bound] : outbounds_) {
    if (!outbounds.count(name) || outbounds[name].acceptor != bound.acceptor) {
      bound.acceptor->Close();
    }
  }
  listeners_ = listeners;
  outbounds_ = outbounds;
}

Status Proxy::StartAdmin(const AdminConfig& admin) {
  if (!admin.enabled) return Status::Ok();
  Result<std::shared_ptr<Acceptor>> acceptor =
      Acceptor::Bind(core_->ioc(), admin.address, admin.port, one_thread_);
  if (!acceptor.ok()) {
    return Error(acceptor.status().code(), "admin.port: " + acceptor.status().message());
  }
  admin_ = acceptor.value();
  admin_->Start([core = core_](tcp::socket socket) { return ServeAdmin(core, std::move(socket)); });
  return Status::Ok();
}

void Proxy::ReplaceFileWatcher(const std::vector<FileSecret>& files) {
  if (files_ != nullptr && files == file_secrets_) return;
  if (files_ != nullptr) files_->Stop();
  files_.reset();
  file_secrets_ = files;
  if (files.empty()) return;
  files_ = std::make_shared<FileWatcher>(core_->ioc(), secrets_, files, kFilePoll);
  files_->Start();
}

Result<std::shared_ptr<Proxy>> Proxy::Start(boost::asio::io_context& ioc, SecretStore& secrets,
                                            ProxyConfig config, bool one_thread) {
  FillDefaults(config);
  CM_RETURN_IF_ERROR(ValidateConfig(config));
  auto core = std::make_shared<ProxyCore>(config.name, ioc, secrets, config.handshake_log_capacity);
  auto proxy = std::make_shared<Proxy>(core, secrets);
  proxy->one_thread_ = one_thread;
  proxy->clock_ = config.clock ? config.clock : [] { return Clock::now(); };
  config.clock = proxy->clock_;

  std::lock_guard lock(proxy->mutex_);
  std::map<std::string, Bound> listeners, outbounds;
  BoundPorts ports;
  CM_RETURN_IF_ERROR(proxy->BindPorts(config, listeners, outbounds, ports));
  Result<std::shared_ptr<const ProxySnapshot>> snapshot =
      BuildSnapshot(*core, config, ports, nullptr);
  if (snapshot.ok()) core->set_snapshot(std::move(snapshot).value());
  Status admin = snapshot.ok() ? proxy->StartAdmin(config.admin) : snapshot.status();
  if (!admin.ok()) {
    for (auto& [name, bound] : listeners) bound.acceptor->Close();
    for (auto& [name, bound] : outbounds) bound.acceptor->Close();
    return admin;
  }
  proxy->ReplaceFileWatcher(config.file_secrets);
  proxy->StartServing(listeners, outbounds);
  ProxyCore* raw = core.get();  // the gauge lives in core's own Stats
  core->stats().SetGauge("server.days_until_first_cert_expiring",
                         [raw] { return DaysUntilFirstCertExpiring(*raw->snapshot()); });
  spdlog::info("proxy started: {} ({} listeners, {} outbound ports, admin port {})", config.name,
               listeners.size(), outbounds.size(), proxy->AdminPort());
  return proxy;
}

Status Proxy::Update(ProxyConfig config) {
  std::lock_guard lock(mutex_);
  if (stopped_) return Error("InvalidConfiguration", "proxy " + name() + " is stopped");
  if (config.name != name()) {
    return Error("InvalidConfiguration", "an update for " + config.name + " sent to " + name());
  }
  config.clock = clock_;
  FillDefaults(config);
  CM_RETURN_IF_ERROR(ValidateConfig(config));

  std::map<std::string, Bound> listeners, outbounds;
  BoundPorts ports;
  CM_RETURN_IF_ERROR(BindPorts(config, listeners, outbounds, ports));
  auto previous = core_->snapshot();
  Result<std::shared_ptr<const ProxySnapshot>> snapshot =
      BuildSnapshot(*core_, config, ports, previous.get());
  if (!snapshot.ok()) {
    for (auto& [name, bound] : listeners) {
      if (IsNew(listeners_, name, bound.acceptor)) bound.acceptor->Close();
    }
    for (auto& [name, bound] : outbounds) {
      if (IsNew(outbounds_, name, bound.acceptor)) bound.acceptor->Close();
    }
    return snapshot.status();
  }
  core_->set_snapshot(std::move(snapshot).value());
  ReplaceFileWatcher(config.file_secrets);
  StartServing(listeners, outbounds);
  spdlog::info("proxy updated: {}", name());
  return Status::Ok();
}

void Proxy::Stop(std::chrono::milliseconds grace) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  stopped_ = true;
  core_->set_stopping();
  for (auto& [name, bound] : listeners_) bound.acceptor->Close();
  for (auto& [name, bound] : outbounds_) bound.acceptor->Close();
  if (admin_) admin_->Close();
  if (files_) files_->Stop();
  core_->connections().CloseAll();
  const auto until = std::chrono::steady_clock::now() + grace;
  while (core_->connections().size() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  spdlog::info("proxy stopped: {}", name());
}

ProxyConfig Proxy::Config() const { return core_->snapshot()->config; }

uint16_t Proxy::ListenerPort(const std::string& listener_name) const {
  std::lock_guard lock(mutex_);
  auto it = listeners_.find(listener_name);
  return it == listeners_.end() ? 0 : it->second.acceptor->port();
}

uint16_t Proxy::OutboundPort(const std::string& outbound_name) const {
  std::lock_guard lock(mutex_);
  auto it = outbounds_.find(outbound_name);
  return it == outbounds_.end() ? 0 : it->second.acceptor->port();
}

uint16_t Proxy::AdminPort() const { return admin_ ? admin_->port() : 0; }

nlohmann::json Proxy::CertsJson() const { return proxy::CertsJson(*core_->snapshot()); }

nlohmann::json Proxy::ConfigDump() const { return ConfigToJson(core_->snapshot()->config); }

}  // namespace crossmesh::proxy
