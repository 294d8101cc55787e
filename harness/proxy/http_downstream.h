// The downstream half of an HTTP connection, shared by inbound listeners and outbound ports:
// reading the next request under the idle timeout, answering malformed or oversized input
// itself (400, 413, 431, then close, as Envoy's codec does, after draining what the client
// still sends for up to a second), and writing responses.
#pragma once

#include <chrono>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/cluster_state.h"
#include "harness/proxy/http_codec.h"
#include "harness/proxy/http_message.h"
#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {

// False when the connection is over: the peer closed, went idle, or sent something that was
// answered with an error and the connection closed. A Content-Length body over
// http.max_body_bytes is left on `down` as the request's tail (BodyTail), with `idle_timeout`
// as the longest pause allowed in it. `idle` is the connection's own watchdog, kept from one
// request to the next so that its timer is set once, not per request.
asio::awaitable<bool> NextRequest(ByteStream& down, HttpReader& reader, HttpStats& stats,
                                  std::chrono::milliseconds idle_timeout, Watchdog& idle,
                                  HttpRequest& request);

// Half-closes `down`, then discards what the client still sends (briefly, boundedly) before
// closing: an answer sent before the client's request was read whole then reaches it.
asio::awaitable<void> LingeringClose(ByteStream& down);

// Writes `response`, its tail (BodyTail) as it arrives; false when the connection is over
// (a write or the tail failed, or not keep-alive).
asio::awaitable<bool> SendResponse(ByteStream& down, const HttpResponse& response,
                                   bool head_request);

}  // namespace crossmesh::proxy
