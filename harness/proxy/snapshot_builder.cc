#include "harness/proxy/snapshot_builder.h"

namespace crossmesh::proxy {
namespace {

bool SameUpstreamTls(const ProxyConfig& a, const ProxyConfig& b) {
  return a.tls.upstream == b.tls.upstream && a.tls.session_resumption == b.tls.session_resumption;
}

bool SameDownstreamTls(const ProxyConfig& a, const ProxyConfig& b) {
  return a.tls.downstream == b.tls.downstream &&
         a.tls.session_resumption == b.tls.session_resumption;
}

std::shared_ptr<ClusterState> ClusterFor(ProxyCore& core, const ProxySnapshot& snapshot,
                                         const Cluster& cluster, const ProxySnapshot* previous) {
  if (previous != nullptr && SameUpstreamTls(previous->config, snapshot.config)) {
    auto it = previous->clusters.find(cluster.name);
    if (it != previous->clusters.end() && it->second->config == cluster) return it->second;
  }
  auto state = std::make_shared<ClusterState>(cluster, core.stats());
  if (state->plan.tls) {
    state->tls = MakeClusterContextProvider(core.secrets(), cluster, state->plan,
                                            snapshot.config.tls, snapshot.clock);
  }
  return state;
}

std::shared_ptr<ContextProvider> ListenerProvider(ProxyCore& core, const ProxySnapshot& snapshot,
                                                  const Listener& listener,
                                                  const ProxySnapshot* previous) {
  if (!listener.tls || listener.tls->mode == TlsMode::kDisabled) return nullptr;
  if (previous != nullptr && SameDownstreamTls(previous->config, snapshot.config)) {
    auto it = previous->inbound.find(listener.name);
    if (it != previous->inbound.end() && it->second->config.tls == listener.tls &&
        it->second->tls != nullptr) {
      return it->second->tls;
    }
  }
  return MakeListenerContextProvider(core.secrets(), listener, snapshot.config.tls, snapshot.clock);
}

}  // namespace

Result<std::shared_ptr<const ProxySnapshot>> BuildSnapshot(ProxyCore& core,
                                                           const ProxyConfig& config,
                                                           const BoundPorts& ports,
                                                           const ProxySnapshot* previous) {
  auto snapshot = std::make_shared<ProxySnapshot>();
  snapshot->config = config;
  snapshot->clock = config.clock ? config.clock : [] { return Clock::now(); };

  Result<std::shared_ptr<const RouteTable>> routes = RouteTable::Compile(config.virtual_services);
  if (!routes.ok()) return routes.status();
  snapshot->routes = std::move(routes).value();

  for (const Cluster& cluster : config.clusters) {
    snapshot->clusters[cluster.name] = ClusterFor(core, *snapshot, cluster, previous);
  }
  for (Listener& listener : snapshot->config.listeners) {
    listener.port = ports.listeners.at(listener.name);
    auto state = std::make_shared<InboundState>(listener, listener.port, core.stats());
    state->tls = ListenerProvider(core, *snapshot, listener, previous);
    // The same limits keep their breakers across updates: requests at the app (or a cluster)
    // under the old configuration still count against them.
    const InboundState* kept = nullptr;
    if (previous != nullptr) {
      auto before = previous->inbound.find(listener.name);
      if (before != previous->inbound.end() &&
          before->second->config.connection_pool == listener.connection_pool &&
          before->second->config.protocol == listener.protocol) {
        kept = before->second.get();
        state->breaker = kept->breaker;
      }
    }
    if (!listener.virtual_service.empty() && BreakerFor(listener) != nullptr) {
      for (const auto& [name, cluster] : snapshot->clusters) {
        std::shared_ptr<CircuitBreaker> breaker;
        if (kept != nullptr) {
          auto it = kept->cluster_breakers.find(name);
          if (it != kept->cluster_breakers.end()) breaker = it->second;
        }
        state->cluster_breakers[name] = breaker ? breaker : BreakerFor(listener);
      }
    }
    snapshot->inbound[listener.name] = std::move(state);
  }
  for (Outbound& outbound : snapshot->config.outbounds) {
    outbound.port = ports.outbounds.at(outbound.name);
    snapshot->outbound[outbound.name] =
        std::make_shared<OutboundState>(outbound, outbound.port, core.stats());
  }
  return std::shared_ptr<const ProxySnapshot>(std::move(snapshot));
}

}  // namespace crossmesh::proxy
