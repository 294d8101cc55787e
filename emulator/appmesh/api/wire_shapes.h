// How each App Mesh resource kind appears on the wire: its paths, member names and the JSON
// the service answered (ResourceData payloads, *Ref list items, tags).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "emulator/appmesh/model/types.h"

namespace crossmesh::appmesh {

struct KindWire {
  Kind kind;
  const char* collection;     // "/v20190125/meshes/{meshName}/virtualNodes"
  const char* name_member;    // "virtualNodeName": path label and body member
  const char* list_member;    // "virtualNodes"
  const char* parent_member;  // "virtualRouterName" for routes; "" when none
};

const KindWire& WireOf(Kind kind);
// collection + "/{<name member>}"
std::string ItemPath(const KindWire& wire);

nlohmann::json ResourceJson(const Resource& resource);  // VirtualNodeData, MeshData, ...
nlohmann::json RefJson(const Resource& resource);       // VirtualNodeRef, MeshRef, ...
nlohmann::json TagsJson(const Tags& tags);              // [{"key": .., "value": ..}]

}  // namespace crossmesh::appmesh
