// ServeOutboundHttp: requests from the local app on an outbound port. The port's own virtual
// service (a backend port) or the Host header (the HTTP proxy port, absolute-form targets
// included) picks the virtual service; routing, TLS, retries and replies are ServeRoutedHttp's
// (http_router.h).
#pragma once

#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/outbound_session.h"

namespace crossmesh::proxy {

asio::awaitable<void> ServeOutboundHttp(const OutboundContext& context,
                                        std::shared_ptr<ByteStream> down);

}  // namespace crossmesh::proxy
