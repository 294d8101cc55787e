// Create and Describe, and what every operation shares: names, spec checks, inserting.
#include "emulator/appmesh/model/appmesh_model.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "emulator/appmesh/model/access.h"
#include "emulator/appmesh/model/certificate_users.h"
#include "emulator/appmesh/model/idempotency.h"
#include "emulator/appmesh/model/model_helpers.h"
#include "emulator/appmesh/model/resource_store.h"
#include "emulator/appmesh/model/spec_rules.h"
#include "emulator/appmesh/model/spec_schema.h"
#include "emulator/appmesh/model/tls_rules.h"

namespace crossmesh::appmesh {

Status AppMeshModel::Migrate(Store& store) { return internal::MigrateSchema(store); }

Status AppMeshModel::CheckSpec(const CallContext& ctx, const ResourceId& self,
                               const std::string& owner, const nlohmann::json& spec) {
  CM_RETURN_IF_ERROR(CheckShape(spec, SpecShapeOf(self.kind), "spec"));
  CM_RETURN_IF_ERROR(CheckSpecRules(MeshView(store_, MeshIdOf(self)), self, spec));
  if (!HasListenerTls(self.kind)) return Status::Ok();
  return CheckTlsRules(store_, accounts_, ctx, owner, spec);
}

Result<Resource> AppMeshModel::Insert(const CallContext& ctx, Resource resource, const Tags& tags) {
  CM_RETURN_IF_ERROR(CheckTags(tags, tags.size()));
  CM_RETURN_IF_ERROR(internal::InsertResource(store_, resource));
  for (const auto& [key, value] : tags) {
    CM_RETURN_IF_ERROR(internal::PutTag(store_, resource.arn, key, value));
  }
  if (HasListenerTls(resource.id.kind)) {
    CM_RETURN_IF_ERROR(
        SyncCertificateUsers(store_, resource.arn, {}, ListenerCertificateArns(resource.spec)));
  }
  CM_RETURN_IF_ERROR(internal::AppendChange(store_, resource, "CREATED", ctx.now));
  spdlog::info("appmesh {} created: {} by account {}", KindName(resource.id.kind), resource.arn,
               resource.resource_owner);
  return resource;
}

Result<Resource> AppMeshModel::Create(const CallContext& ctx, const CreateInput& input) {
  CM_RETURN_IF_ERROR(CheckName(input.ref.kind, input.ref.name));
  if (input.ref.kind == Kind::kMesh) return CreateMesh(ctx, input);
  return CreateInMesh(ctx, input);
}

Result<Resource> AppMeshModel::CreateMesh(const CallContext& ctx, const CreateInput& input) {
  ResourceId id{ctx.account->id, ctx.region, input.ref.name, Kind::kMesh, "", input.ref.name};
  return CreateAt(ctx, "CreateMesh", id, input);
}

Result<Resource> AppMeshModel::CreateInMesh(const CallContext& ctx, const CreateInput& input) {
  const ResourceRef& ref = input.ref;
  const std::string op = OperationName("Create", ref.kind);
  auto access = OpenMesh(store_, ctx, ref.mesh, ref.mesh_owner, op);
  if (!access.ok()) return access.status();
  CM_RETURN_IF_ERROR(CheckMayCreate(ctx, *access, ref.kind, op));
  ResourceId id = ChildOf(access->mesh.id, ref);
  CM_RETURN_IF_ERROR(RequireParent(store_, id));
  return CreateAt(ctx, op, id, input);
}

Result<Resource> AppMeshModel::CreateAt(const CallContext& ctx, const std::string& op,
                                        const ResourceId& id, const CreateInput& input) {
  std::string request = RequestFingerprint(input.ref, input.spec, input.tags);
  auto replay = ReplayClientToken(store_, ctx, op, input.client_token, request);
  if (!replay.ok()) return replay.status();
  if (replay->has_value()) return std::move(**replay);

  auto existing = internal::LoadResource(store_, id);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return AlreadyExists(id);
  CM_RETURN_IF_ERROR(CheckSpec(ctx, id, ctx.account->id, input.spec));

  auto created = Insert(ctx, NewResource(ctx, id, input.spec), input.tags);
  if (!created.ok()) return created;
  CM_RETURN_IF_ERROR(
      RememberClientToken(store_, ctx, op, input.client_token, request, created->arn));
  return created;
}

Result<Resource> AppMeshModel::Describe(const CallContext& ctx, const ResourceRef& ref) {
  auto access =
      OpenMesh(store_, ctx, ref.mesh, ref.mesh_owner, OperationName("Describe", ref.kind));
  if (!access.ok()) return access.status();
  if (ref.kind == Kind::kMesh) return std::move(access->mesh);
  return LoadExisting(store_, ChildOf(access->mesh.id, ref));
}

Result<std::optional<ResourceInfo>> FindMeshResource(Store& store, const Arn& arn) {
  constexpr std::string_view kPrefix = "mesh/";
  if (arn.resource.rfind(kPrefix, 0) != 0 ||
      arn.resource.find('/', kPrefix.size()) != std::string::npos) {
    return std::optional<ResourceInfo>();
  }
  std::string name = arn.resource.substr(kPrefix.size());
  auto mesh = internal::LoadResource(store, {arn.account, arn.region, name, Kind::kMesh, "", name});
  if (!mesh.ok()) return mesh.status();
  if (!mesh->has_value()) return std::optional<ResourceInfo>();
  return std::optional<ResourceInfo>(ResourceInfo{"appmesh:Mesh", arn.account});
}

}  // namespace crossmesh::appmesh
