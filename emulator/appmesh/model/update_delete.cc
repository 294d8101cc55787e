// Update and Delete.
#include <spdlog/spdlog.h>

#include "emulator/appmesh/model/access.h"
#include "emulator/appmesh/model/appmesh_model.h"
#include "emulator/appmesh/model/certificate_users.h"
#include "emulator/appmesh/model/idempotency.h"
#include "emulator/appmesh/model/model_helpers.h"
#include "emulator/appmesh/model/resource_store.h"
#include "emulator/appmesh/model/spec_rules.h"
#include "emulator/appmesh/model/tls_rules.h"

namespace crossmesh::appmesh {
namespace {

// Writes `spec` as the resource's new version and keeps InUseBy in step.
Status Rewrite(Store& store, const CallContext& ctx, Resource& resource,
               const nlohmann::json& spec) {
  auto before = ListenerCertificateArns(resource.spec);
  resource.spec = spec;
  resource.version += 1;
  resource.last_updated_at = ctx.now;
  CM_RETURN_IF_ERROR(internal::UpdateResource(store, resource));
  if (HasListenerTls(resource.id.kind)) {
    CM_RETURN_IF_ERROR(
        SyncCertificateUsers(store, resource.arn, before, ListenerCertificateArns(resource.spec)));
  }
  CM_RETURN_IF_ERROR(internal::AppendChange(store, resource, "UPDATED", ctx.now));
  spdlog::info("appmesh {} updated: {} version {}", KindName(resource.id.kind), resource.arn,
               resource.version);
  return Status::Ok();
}

Result<Resource> Remove(Store& store, const CallContext& ctx, Resource resource) {
  if (HasListenerTls(resource.id.kind)) {
    CM_RETURN_IF_ERROR(
        SyncCertificateUsers(store, resource.arn, ListenerCertificateArns(resource.spec), {}));
  }
  CM_RETURN_IF_ERROR(internal::DeleteResource(store, resource));
  CM_RETURN_IF_ERROR(internal::AppendChange(store, resource, "DELETED", ctx.now));
  spdlog::info("appmesh {} deleted: {} by account {}", KindName(resource.id.kind), resource.arn,
               ctx.account->id);
  resource.status = kDeleted;
  return resource;
}

}  // namespace

Result<Resource> AppMeshModel::Update(const CallContext& ctx, const UpdateInput& input) {
  const ResourceRef& ref = input.ref;
  const std::string op = OperationName("Update", ref.kind);
  std::optional<std::string> owner = ref.mesh_owner;
  if (ref.kind == Kind::kMesh) owner = std::nullopt;  // only the owner manages the mesh itself
  auto access = OpenMesh(store_, ctx, ref.mesh, owner, op);
  if (!access.ok()) return access.status();
  Resource resource = access->mesh;
  if (ref.kind != Kind::kMesh) {
    auto found = LoadExisting(store_, ChildOf(access->mesh.id, ref));
    if (!found.ok()) return found;
    resource = std::move(*found);
    CM_RETURN_IF_ERROR(CheckMayChange(ctx, *access, resource, op, false));
  }

  std::string request = RequestFingerprint(ref, input.spec, {});
  auto replay = ReplayClientToken(store_, ctx, op, input.client_token, request);
  if (!replay.ok()) return replay.status();
  if (replay->has_value()) return std::move(**replay);

  CM_RETURN_IF_ERROR(CheckSpec(ctx, resource.id, resource.resource_owner, input.spec));
  CM_RETURN_IF_ERROR(Rewrite(store_, ctx, resource, input.spec));
  CM_RETURN_IF_ERROR(
      RememberClientToken(store_, ctx, op, input.client_token, request, resource.arn));
  return resource;
}

Result<Resource> AppMeshModel::Delete(const CallContext& ctx, const ResourceRef& ref) {
  const std::string op = OperationName("Delete", ref.kind);
  std::optional<std::string> owner = ref.mesh_owner;
  if (ref.kind == Kind::kMesh) owner = std::nullopt;
  auto access = OpenMesh(store_, ctx, ref.mesh, owner, op);
  if (!access.ok()) return access.status();
  Resource resource = access->mesh;
  if (ref.kind != Kind::kMesh) {
    auto found = LoadExisting(store_, ChildOf(access->mesh.id, ref));
    if (!found.ok()) return found;
    resource = std::move(*found);
    CM_RETURN_IF_ERROR(CheckMayChange(ctx, *access, resource, op, true));
  }
  CM_RETURN_IF_ERROR(CheckNotInUse(MeshView(store_, access->mesh.id), resource));
  return Remove(store_, ctx, std::move(resource));
}

}  // namespace crossmesh::appmesh
