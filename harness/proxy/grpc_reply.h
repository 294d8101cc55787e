// gRPC callers get the proxy's own replies as gRPC statuses, as from Envoy: HTTP 200,
// content-type application/grpc, and grpc-status / grpc-message in a trailers-only response.
#pragma once

#include "harness/proxy/http_message.h"

namespace crossmesh::proxy {

// True when the request is a gRPC call (content-type application/grpc, with or without a
// +proto/+json suffix).
bool IsGrpcRequest(const HttpRequest& request);

// The gRPC status the gRPC spec maps an HTTP status to (UNAVAILABLE for 502, 503 and 504,
// UNIMPLEMENTED for 404, ...).
unsigned GrpcStatusForHttp(unsigned http_status);

// `reply` (a LocalReply) as a trailers-only gRPC response; its body becomes grpc-message
// (percent-encoded as the gRPC spec asks).
HttpResponse GrpcLocalReply(const HttpResponse& reply);

// The grpc-status of a response (trailers, or headers for a trailers-only response); -1 when
// it has none.
int GrpcStatusOf(const HttpResponse& response);

}  // namespace crossmesh::proxy
