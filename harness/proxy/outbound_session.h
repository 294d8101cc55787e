// The outbound side of a sidecar: a connection from the local app to one of its backend ports
// (or the HTTP proxy port). HTTP requests are routed (virtual service -> route -> weighted
// target -> cluster) and sent with the cluster's TLS client policy, with retries; a TCP
// connection is spliced to a cluster endpoint, and closed if that cannot be reached.
#pragma once

#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/proxy_core.h"

namespace crossmesh::proxy {

struct OutboundContext {
  std::shared_ptr<ProxyCore> core;
  std::shared_ptr<const ProxySnapshot> snapshot;
  std::shared_ptr<OutboundState> state;
};

asio::awaitable<void> ServeOutbound(OutboundContext context, tcp::socket socket);

}  // namespace crossmesh::proxy
