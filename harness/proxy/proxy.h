// Proxy: one running sidecar (a virtual node's Envoy): its listeners, outbound ports, admin
// port and file watcher, on the ProxyRuntime's io_context. Created and stopped through
// ProxyRuntime; this header is what callers read results from.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "emulator/core/status.h"
#include "harness/proxy/acceptor.h"
#include "harness/proxy/config.h"
#include "harness/proxy/file_watcher.h"
#include "harness/proxy/handshake_log.h"
#include "harness/proxy/proxy_core.h"
#include "harness/proxy/secret_store.h"
#include "harness/proxy/snapshot_builder.h"

namespace crossmesh::proxy {

class Proxy {
 public:
  // Binds every port and starts serving. InvalidConfiguration when the config does not
  // validate or a port cannot be bound (nothing is left bound then).
  // `one_thread`: `ioc` runs on a single thread (see Acceptor).
  static Result<std::shared_ptr<Proxy>> Start(boost::asio::io_context& ioc, SecretStore& secrets,
                                              ProxyConfig config, bool one_thread = false);

  // Applies a new configuration (same name) to new connections; open connections finish on
  // what they started with. Listeners and outbounds are matched by name: new ones are bound,
  // missing ones closed, kept ones keep their port (a port of 0 means "keep"). The admin
  // endpoint and the clock stay as started.
  Status Update(ProxyConfig config);

  // Stops accepting, closes open connections, and waits up to `grace` for them to end.
  // Must not be called from a thread of the io_context.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  const std::string& name() const { return core_->name(); }
  // The running configuration, defaults filled and bound ports written in.
  ProxyConfig Config() const;
  // 0 when there is no listener / outbound of that name, or no admin endpoint.
  uint16_t ListenerPort(const std::string& listener_name) const;
  uint16_t OutboundPort(const std::string& outbound_name) const;
  uint16_t AdminPort() const;

  Stats& stats() { return core_->stats(); }
  int64_t StatValue(std::string_view name) const { return core_->stats().Value(name); }
  std::vector<HandshakeRecord> Handshakes() const { return core_->handshakes().Records(); }
  nlohmann::json CertsJson() const;
  nlohmann::json ConfigDump() const;
  size_t OpenConnections() const { return core_->connections().size(); }

  explicit Proxy(std::shared_ptr<ProxyCore> core, SecretStore& secrets);

 private:
  struct Bound {
    std::string address;
    std::shared_ptr<Acceptor> acceptor;
    std::shared_ptr<std::atomic<size_t>> active;
  };

  Status BindPorts(const ProxyConfig& config, std::map<std::string, Bound>& listeners,
                   std::map<std::string, Bound>& outbounds, BoundPorts& ports);
  void StartServing(std::map<std::string, Bound>& listeners,
                    std::map<std::string, Bound>& outbounds);
  Status StartAdmin(const AdminConfig& admin);
  void ReplaceFileWatcher(const std::vector<FileSecret>& files);

  std::shared_ptr<ProxyCore> core_;
  bool one_thread_ = false;
  SecretStore& secrets_;
  mutable std::mutex mutex_;  // serialises Start/Update/Stop
  std::function<TimePoint()> clock_;
  std::map<std::string, Bound> listeners_;
  std::map<std::string, Bound> outbounds_;
  std::shared_ptr<Acceptor> admin_;
  std::shared_ptr<FileWatcher> files_;
  std::vector<FileSecret> file_secrets_;
  bool stopped_ = false;
};

}  // namespace crossmesh::proxy
