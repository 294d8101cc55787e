// Steps the App Mesh operations share: names, ids, tags, loading what a call names.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "emulator/appmesh/model/types.h"
#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh {

// BadRequestException unless `name` is 1 to 255 characters without '/'.
Status CheckName(Kind kind, const std::string& name);
// The id of the mesh `id` lives in.
ResourceId MeshIdOf(const ResourceId& id);
// The id of `ref`'s resource inside `mesh`.
ResourceId ChildOf(const ResourceId& mesh, const ResourceRef& ref);
// Virtual nodes and gateways: the kinds whose listeners may use ACM certificates.
bool HasListenerTls(Kind kind);
// TooManyTagsException when the resource would hold `total_after` > 50 tags;
// BadRequestException for keys or values out of bounds.
Status CheckTags(const Tags& tags, size_t total_after);
// A resource created now by the caller, version 1.
Resource NewResource(const CallContext& ctx, const ResourceId& id, const nlohmann::json& spec);
// ConflictException: the name is taken.
Status AlreadyExists(const ResourceId& id);
// NotFoundException when a route's router or a gateway route's gateway does not exist.
Status RequireParent(Store& store, const ResourceId& id);
// The resource `id` names: its parent and itself must exist (NotFoundException).
Result<Resource> LoadExisting(Store& store, const ResourceId& id);

}  // namespace crossmesh::appmesh
