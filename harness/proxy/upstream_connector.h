// Opening connections to upstreams: plain TCP with a connect timeout (the local app behind a
// listener), and cluster connections that follow the cluster's UpstreamTlsPlan (round-robin
// endpoint, TLS handshake with the cluster's current context, session resumption per endpoint,
// counters and handshake records).
#pragma once

#include <chrono>
#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/envoy_errors.h"
#include "harness/proxy/proxy_core.h"

namespace crossmesh::proxy {

struct UpstreamConnection {
  std::shared_ptr<ByteStream> stream;  // null on failure
  Endpoint endpoint;
  TransportFailure failure;
};

// A TCP connection to `endpoint` on the calling coroutine's executor, from `source_address`
// (any port) when not empty. On failure the socket is closed and `failure` says why (kConnect
// with the errno, or kTimeout).
asio::awaitable<tcp::socket> ConnectTcp(const Endpoint& endpoint, std::chrono::milliseconds timeout,
                                        TransportFailure& failure,
                                        const std::string& source_address = {});

asio::awaitable<UpstreamConnection> ConnectCluster(ProxyCore& core, ClusterState& cluster,
                                                   const ProxySnapshot& snapshot);

}  // namespace crossmesh::proxy
