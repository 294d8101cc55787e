// ServeHttp: one downstream HTTP connection, whichever framing the client speaks: HTTP/2 when
// it opens with the connection preface (prior knowledge, as gRPC clients and Envoy's http2
// clusters do), HTTP/1.1 otherwise (Envoy's codec AUTO). Requests are answered by `handler`
// (one at a time under HTTP/1.1, concurrently under HTTP/2), counted in `stats`; a gRPC
// caller gets the proxy's own replies as gRPC statuses. HTTP/2 requests `stream_rule` picks
// stream through (see StreamRule).
#pragma once

#include <chrono>
#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/cluster_state.h"
#include "harness/proxy/h2_connection.h"

namespace crossmesh::proxy {

class ProxyCore;
struct ProxySnapshot;

// Serves one client connection, HTTP/1.1 or HTTP/2 (told apart by its first bytes), with the
// configuration `snapshot` it was accepted under. Once an update has replaced that, the
// connection drains: an HTTP/1.1 answer says `connection: close`, an HTTP/2 connection sends
// GOAWAY; the requests under way finish as they were.
asio::awaitable<void> ServeHttp(ProxyCore& core, const ProxySnapshot& snapshot,
                                std::shared_ptr<ByteStream> down, const HttpLimits& limits,
                                HttpStats& stats, std::chrono::milliseconds idle_timeout,
                                RequestHandler handler, StreamRule stream_rule = nullptr);

// Whether an HTTP/2 request to an HTTP/1.1 upstream streams through (H2BodyPipe) rather than
// being held whole: a body over the limit (it would get 413), or of no declared length (sent
// in chunks, as Envoy's codec does; kept for a retry while it fits the limit).
bool StreamsToHttp1(const HttpRequest& request, const HttpLimits& limits);

}  // namespace crossmesh::proxy
