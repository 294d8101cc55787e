// Rendering one virtual gateway's proxy configuration: its listeners with their TLS, as a
// node's, and its gateway routes as the route table those listeners route by.
//
// A gateway has no app: each listener is a routing listener (proxy::Listener::virtual_service)
// whose virtual service, "gateway_<port>", holds the gateway routes that listener serves, so a
// request is routed where it arrives and counted once, as Envoy does (http.ingress.* and the
// target's cluster.*). Clusters and their client policy (`backendDefaults.clientPolicy`) are
// rendered exactly as a node's outbound clusters.
//
// A gateway route targets a virtual service, which may route again through its virtual
// router. The proxy has one route level, so each pair (gateway route, service route) becomes
// one route at the gateway route's priority: its `match` is the gateway route's (on the request
// as received), its `rewrite` App Mesh's (Host to the service's name and a matched prefix to
// "/" by default), and its `rewritten_match` the service route's, on the rewritten request.
#pragma once

#include <string_view>

#include "emulator/core/status.h"
#include "harness/control/node_renderer.h"

namespace crossmesh::control {

// `options.apps` is unused. NotFoundException when the gateway is not in the mesh;
// AccessDeniedException for a listener certificate of another account.
Result<RenderedNode> RenderGateway(const MeshView& mesh, std::string_view gateway_name,
                                   const RenderOptions& options);

}  // namespace crossmesh::control
