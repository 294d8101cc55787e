#include "emulator/appmesh/model/access.h"

#include <fmt/format.h>

#include "emulator/appmesh/model/resource_store.h"
#include "emulator/core/arn.h"
#include "emulator/ram/model/ram_model.h"

namespace crossmesh::appmesh {
namespace {

Status Forbidden(std::string message) { return Error("ForbiddenException", std::move(message)); }

std::string CallerArn(const CallContext& ctx) { return ctx.account->RootArn(); }

}  // namespace

Status NotPresent(const ResourceId& id) {
  if (id.kind == Kind::kMesh) {
    return Error("NotFoundException", fmt::format("Mesh with name {} is not present for account {}",
                                                  id.mesh, id.mesh_owner));
  }
  std::string where = fmt::format("mesh {}", id.mesh);
  if (auto parent = ParentKind(id.kind)) {
    where = fmt::format("{} {} in {}", KindTypeName(*parent), id.parent, where);
  }
  return Error("NotFoundException",
               fmt::format("{} with name {} is not present under {} for account {}",
                           KindTypeName(id.kind), id.name, where, id.mesh_owner));
}

Result<MeshAccess> OpenMesh(Store& store, const CallContext& ctx, std::string_view mesh,
                            const std::optional<std::string>& mesh_owner,
                            std::string_view operation) {
  const std::string& caller = ctx.account->id;
  std::string owner = mesh_owner.value_or(caller);
  if (!IsAccountId(owner)) {
    return Error("BadRequestException",
                 fmt::format("meshOwner '{}' is not an AWS account id (12 digits)", owner));
  }
  ResourceId id{owner, ctx.region, std::string(mesh), Kind::kMesh, "", std::string(mesh)};

  if (owner != caller) {
    Status shared =
        ram::CheckSharedAccess(store, MeshArnOf(id), caller, fmt::format("appmesh:{}", operation));
    if (shared.code() == "AccessDeniedException") return Forbidden(shared.message());
    CM_RETURN_IF_ERROR(shared);
  }

  auto found = internal::LoadResource(store, id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    Status missing = NotPresent(id);
    if (mesh_owner) return missing;
    bool owner_only = operation == "UpdateMesh" || operation == "DeleteMesh";
    return Error(missing.code(),
                 missing.message() +
                     (owner_only ? "; only the account that owns a mesh can update or delete it"
                                 : "; a mesh shared with this account through RAM is named "
                                   "together with its owner (--mesh-owner ACCOUNT_ID)"));
  }
  return MeshAccess{std::move(**found), owner == caller};
}

bool MeshSharedWith(Store& store, const Resource& mesh, std::string_view account) {
  return ram::CheckSharedAccess(store, mesh.arn, account, "appmesh:ListMeshes").ok();
}

Status CheckMayChange(const CallContext& ctx, const MeshAccess& access, const Resource& resource,
                      std::string_view operation, bool owner_may_delete) {
  const std::string& caller = ctx.account->id;
  if (resource.resource_owner == caller) return Status::Ok();
  if (owner_may_delete && access.caller_owns_mesh) return Status::Ok();
  return Forbidden(fmt::format(
      "User: {} is not authorized to perform: appmesh:{} on resource: {}: it was created by "
      "account {}, and in a shared mesh only the account that created a resource {}",
      CallerArn(ctx), operation, resource.arn, resource.resource_owner,
      owner_may_delete ? "or the mesh owner may delete it" : "may change it"));
}

Status CheckMayCreate(const CallContext& ctx, const MeshAccess& access, Kind kind,
                      std::string_view operation) {
  bool gateway = kind == Kind::kVirtualGateway || kind == Kind::kGatewayRoute;
  if (!gateway || access.caller_owns_mesh) return Status::Ok();
  return Forbidden(fmt::format(
      "User: {} is not authorized to perform: appmesh:{} in mesh {}: virtual gateways and "
      "gateway routes can only be created by the mesh owner, account {}",
      CallerArn(ctx), operation, access.mesh.arn, access.mesh.id.mesh_owner));
}

}  // namespace crossmesh::appmesh
