// Who may do what in a mesh (App Mesh User Guide, "Working with shared meshes"):
//
//  - Without meshOwner (or with the caller's own id) the mesh is the caller's own; a missing
//    mesh is NotFoundException. Only the owner manages the mesh itself.
//  - With another account's id, the mesh must be shared with the caller through an accepted RAM
//    share whose permission grants the action ("appmesh:CreateVirtualNode"). Anything else (no
//    share, invitation pending or rejected, share deleted or the mesh removed from it) is
//    ForbiddenException (403), decided before the mesh is looked up, as IAM decides a
//    cross-account call before the service sees it: a consumer learns nothing about meshes that
//    are not shared with it.
//  - Consumers and owners change only the resources their account created; the mesh owner may
//    also delete any resource in its mesh. Virtual gateways and gateway routes are the mesh
//    owner's alone.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "emulator/appmesh/model/types.h"
#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh {

// The mesh a call works in, after the access check.
struct MeshAccess {
  Resource mesh;
  bool caller_owns_mesh = false;
};

// Resolves `mesh` (owned by `mesh_owner`, or the caller) for `operation` ("CreateVirtualNode"):
// BadRequestException for a malformed account id, ForbiddenException when RAM does not grant
// the action, NotFoundException when the mesh does not exist.
Result<MeshAccess> OpenMesh(Store& store, const CallContext& ctx, std::string_view mesh,
                            const std::optional<std::string>& mesh_owner,
                            std::string_view operation);

// Whether another account's mesh is visible to the caller in ListMeshes.
bool MeshSharedWith(Store& store, const Resource& mesh, std::string_view account);

// ForbiddenException unless the caller created `resource` (updates), or created it or owns the
// mesh (deletes, `owner_may_delete`).
Status CheckMayChange(const CallContext& ctx, const MeshAccess& access, const Resource& resource,
                      std::string_view operation, bool owner_may_delete);

// ForbiddenException for a consumer creating a virtual gateway or gateway route.
Status CheckMayCreate(const CallContext& ctx, const MeshAccess& access, Kind kind,
                      std::string_view operation);

// NotFoundException in the service's words: "VirtualNode with name X is not present under mesh
// M for account A" (aws-app-mesh-roadmap#173).
Status NotPresent(const ResourceId& id);

}  // namespace crossmesh::appmesh
