// ServeInboundHttp: requests arriving on an HTTP listener (after any TLS) are proxied to the
// local app over one plaintext keep-alive connection per downstream connection.
#pragma once

#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/inbound_session.h"

namespace crossmesh::proxy {

asio::awaitable<void> ServeInboundHttp(const InboundContext& context,
                                       std::shared_ptr<ByteStream> down);

}  // namespace crossmesh::proxy
