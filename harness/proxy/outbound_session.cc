#include "harness/proxy/outbound_session.h"

#include <spdlog/spdlog.h>

#include "harness/proxy/outbound_http.h"
#include "harness/proxy/splice.h"
#include "harness/proxy/upstream_connector.h"

namespace crossmesh::proxy {
namespace {

ClusterState* PickCluster(const ProxySnapshot& snapshot, const VirtualService& service) {
  const Route* route = snapshot.routes->FirstRoute(service);
  if (route == nullptr) return nullptr;
  const WeightedTarget* target = RouteTable::PickTarget(*route, RandomForPick());
  if (target == nullptr) return nullptr;
  auto it = snapshot.clusters.find(target->cluster);
  return it == snapshot.clusters.end() ? nullptr : it->second.get();
}

// TCP has no way to report an upstream failure to the app: the connection is just closed.
asio::awaitable<void> ServeOutboundTcp(const OutboundContext& context,
                                       std::shared_ptr<ByteStream> down,
                                       const VirtualService& service) {
  const ProxySnapshot& snapshot = *context.snapshot;
  const Route* route = snapshot.routes->FirstRoute(service);
  const uint32_t attempts =
      1 + (route != nullptr && route->retry && route->retry->tcp_connection_error
               ? route->retry->max_retries
               : 0);
  for (uint32_t attempt = 0; attempt < attempts; ++attempt) {
    ClusterState* cluster = PickCluster(snapshot, service);
    if (cluster == nullptr) co_return;
    if (attempt > 0) cluster->upstream.rq_retry.Inc();
    UpstreamConnection upstream = co_await ConnectCluster(*context.core, *cluster, snapshot);
    if (!upstream.stream) {
      spdlog::debug("{}: tcp upstream {} failed: {}", context.core->name(), cluster->config.name,
                    TransportFailureReason(upstream.failure, snapshot.config.error_style));
      continue;
    }
    auto token = context.core->connections().Add(upstream.stream);
    upstream.stream->CountInto(cluster->upstream.cx_rx_bytes, cluster->upstream.cx_tx_bytes);
    const SpliceCounters counters;  // named: GCC 12 and braced temporaries in co_await
    const Milliseconds idle = route != nullptr ? route->idle_timeout : Milliseconds(0);
    co_await Splice(std::move(down), std::move(upstream.stream), counters, idle);
    co_return;
  }
}

}  // namespace

asio::awaitable<void> ServeOutbound(OutboundContext context, tcp::socket socket) {
  OutboundState& state = *context.state;
  state.cx_total.Inc();
  auto plain = std::make_shared<PlainStream>(std::move(socket));
  auto token = context.core->connections().Add(plain);
  plain->CountInto(state.rx_bytes, state.tx_bytes);
  std::shared_ptr<ByteStream> down = plain;
  if (context.core->stopping()) co_return;

  const VirtualService* service = nullptr;
  if (state.config.kind == OutboundKind::kBackend) {
    service = context.snapshot->routes->FindService(state.config.virtual_service);
    if (service == nullptr) co_return;
  }
  if (service != nullptr && service->protocol == Protocol::kTcp) {
    co_await ServeOutboundTcp(context, down, *service);
  } else {
    co_await ServeOutboundHttp(context, down);
  }
  plain->Close();
}

}  // namespace crossmesh::proxy
