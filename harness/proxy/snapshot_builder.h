// BuildSnapshot: turns a validated ProxyConfig (and the ports its listeners are bound to) into
// the ProxySnapshot connections use. Clusters whose configuration did not change keep their
// ClusterState, and listeners whose TLS did not change keep their ContextProvider, so an
// Update does not throw away TLS contexts, session caches or endpoint rotation.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "emulator/core/status.h"
#include "harness/proxy/proxy_core.h"

namespace crossmesh::proxy {

struct BoundPorts {
  std::map<std::string, uint16_t> listeners;  // by listener name
  std::map<std::string, uint16_t> outbounds;  // by outbound name
};

Result<std::shared_ptr<const ProxySnapshot>> BuildSnapshot(ProxyCore& core,
                                                           const ProxyConfig& config,
                                                           const BoundPorts& ports,
                                                           const ProxySnapshot* previous);

}  // namespace crossmesh::proxy
