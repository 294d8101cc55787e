// ServeOutboundHttp: routes each request from the local app and sends it upstream with the
// target cluster's TLS policy and the route's retry policy and timeout. Failures come back as
// Envoy's local replies (404 no route, 503 with the transport failure reason, 504 timeout).
// Upstream connections are kept per cluster for the life of the app's connection, so a fresh
// app connection means fresh upstream handshakes.
#pragma once

#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/outbound_session.h"

namespace crossmesh::proxy {

asio::awaitable<void> ServeOutboundHttp(const OutboundContext& context,
                                        std::shared_ptr<ByteStream> down);

}  // namespace crossmesh::proxy
