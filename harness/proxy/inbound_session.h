// The inbound side of a sidecar: one accepted connection on a virtual node's listener. It
// applies the listener's TLS mode (STRICT: TLS only; PERMISSIVE: TLS or plaintext told apart
// by the first byte; DISABLED or no tls: plaintext), mutual TLS when validation is set, then
// proxies HTTP/1.1 requests to the local app (keep-alive on both sides) or splices TCP bytes.
// A routing listener (a virtual gateway's, Listener::virtual_service) routes its HTTP requests
// itself, through the outbound side's router (http_router.h).
#pragma once

#include <atomic>
#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/proxy_core.h"

namespace crossmesh::proxy {

struct InboundContext {
  std::shared_ptr<ProxyCore> core;
  std::shared_ptr<const ProxySnapshot> snapshot;
  std::shared_ptr<InboundState> state;
  std::shared_ptr<std::atomic<size_t>> active;  // open connections on this listener
};

asio::awaitable<void> ServeInbound(InboundContext context, tcp::socket socket);

}  // namespace crossmesh::proxy
