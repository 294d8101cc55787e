// ServeRoutedHttp: the HTTP path of every port that routes: an outbound port (from the local
// app) and a routing listener (a virtual gateway's). Each request is resolved to a virtual
// service by the caller, matched to a route, sent to one weighted target's cluster with that
// cluster's TLS client policy and the route's retry policy and timeout. Failures come back as
// Envoy's local replies (404 no route, 503 with the transport failure reason, 504 timeout).
// Upstream connections are kept per cluster for the life of the downstream connection, so a
// fresh downstream connection means fresh upstream handshakes.
#pragma once

#include <functional>
#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/proxy_core.h"

namespace crossmesh::proxy {

// What a routing port counts under and routes with; all outlive the connection.
struct RouterContext {
  ProxyCore* core = nullptr;
  const ProxySnapshot* snapshot = nullptr;
  HttpStats* http = nullptr;    // http.<prefix>.downstream_rq_*
  Counter* no_route = nullptr;  // http.<prefix>.no_route
  // A virtual gateway's circuit breakers, by cluster (InboundState::cluster_breakers); null or
  // without the cluster: none on the way to it.
  const std::map<std::string, std::shared_ptr<CircuitBreaker>>* breakers = nullptr;
};

// The virtual service a request goes to (it may normalize the request), or null: 404.
using ServiceResolver = std::function<const VirtualService*(HttpRequest& request)>;

asio::awaitable<void> ServeRoutedHttp(RouterContext context, ServiceResolver resolve,
                                      std::shared_ptr<ByteStream> down);

}  // namespace crossmesh::proxy
