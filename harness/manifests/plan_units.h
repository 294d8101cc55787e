// The App Mesh resources one apply creates (one per object, plus one per route of a virtual
// router), what each needs to exist first, and an order that respects those needs.
#pragma once

#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/manifests/cluster_view.h"
#include "harness/manifests/objects.h"

namespace crossmesh::manifests {

struct Unit {
  const K8sObject* object = nullptr;
  int route = -1;                     // for a route: its index in the router's spec.routes
  std::string key;                    // "VirtualNode yelb/x", "Route yelb/router/route"
  int rank = 0;                       // kind order when nothing else decides
  std::vector<std::string> needs;     // keys of units that must exist first
  std::vector<std::string> backends;  // a virtual node's backend services: may come later
};

struct OrderedUnit {
  const Unit* unit = nullptr;
  bool without_backends = false;  // created before its backends, updated with them at the end
};

// One unit per applied App Mesh resource other than meshes, with its needs within this apply.
Result<std::vector<Unit>> BuildUnits(const ClusterView& view,
                                     const std::vector<K8sObject>& applied);

// Needs first, otherwise kind order then file order. A cycle can only run through virtual node
// backends; it is broken by creating one such node without its backends.
Result<std::vector<OrderedUnit>> OrderUnits(const std::vector<Unit>& units);

// The virtual gateway a GatewayRoute belongs to: spec.virtualGatewayRef, else the one gateway
// whose namespaceSelector selects the route's namespace.
Result<const K8sObject*> GatewayOf(const ClusterView& view, const K8sObject& route);

}  // namespace crossmesh::manifests
