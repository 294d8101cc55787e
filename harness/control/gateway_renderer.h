// Rendering one virtual gateway's proxy configuration: its listeners with their TLS, as a
// node's, and its gateway routes as the route table those listeners route by.
//
// The proxy's listeners forward to a local app; a gateway has none. So each listener forwards
// (plaintext, on the gateway's own address) to a routing port of the same proxy: a kBackend
// outbound named "gateway_<port>" whose virtual service, also "gateway_<port>", holds the
// gateway routes that listener serves. Clusters and their client policy
// (`backendDefaults.clientPolicy`) are rendered exactly as a node's outbound clusters.
//
// A gateway route targets a virtual service, which may route again through its virtual
// router. The proxy has one route level, so each pair (gateway route, service route) becomes
// one route matching both, at the gateway route's priority; a pair no request can satisfy (two
// unrelated prefixes), or that the proxy cannot express (two regexes), is left out.
#pragma once

#include <string_view>

#include "emulator/core/status.h"
#include "harness/control/node_renderer.h"

namespace crossmesh::control {

// `options.apps[i]` is where the routing port of listener i binds (the DataPlane reserves a
// free port on the gateway's address). NotFoundException when the gateway is not in the mesh;
// AccessDeniedException for a listener certificate of another account.
Result<RenderedNode> RenderGateway(const MeshView& mesh, std::string_view gateway_name,
                                   const RenderOptions& options);

}  // namespace crossmesh::control
