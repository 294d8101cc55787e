#include "emulator/appmesh/model/model_helpers.h"

#include <fmt/format.h>

#include "emulator/appmesh/model/access.h"
#include "emulator/appmesh/model/resource_store.h"
#include "emulator/appmesh/model/spec_rules.h"
#include "emulator/appmesh/model/spec_schema.h"
#include "emulator/core/ids.h"

namespace crossmesh::appmesh {

ResourceId MeshIdOf(const ResourceId& id) {
  return {id.mesh_owner, id.region, id.mesh, Kind::kMesh, "", id.mesh};
}

Status CheckName(Kind kind, const std::string& name) {
  // ResourceName in the API model: 1 to 255 characters. A name with '/' would be another
  // resource's ARN path; the service refused those (aws-app-mesh-roadmap#101).
  if (name.empty() || name.size() > 255 || name.find('/') != std::string::npos) {
    return Error("BadRequestException",
                 fmt::format("{} name '{}' is not valid: give 1 to 255 characters without '/' "
                             "(a name, not an ARN)",
                             KindTypeName(kind), name));
  }
  // Names reach logs, ARNs, sidecar configs and stats names: a control character in one (a
  // NUL, a newline) is a mistake of the caller's, never part of a name.
  for (size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if (byte < 0x20 || byte == 0x7f) {
      return Error("BadRequestException",
                   fmt::format("{} name is not valid: it holds the control character 0x{:02x} at "
                               "position {}; names are printable text",
                               KindTypeName(kind), byte, i));
    }
  }
  return Status::Ok();
}

ResourceId ChildOf(const ResourceId& mesh, const ResourceRef& ref) {
  ResourceId id = mesh;
  id.kind = ref.kind;
  id.parent = ref.parent;
  id.name = ref.name;
  return id;
}

bool HasListenerTls(Kind kind) {
  return kind == Kind::kVirtualNode || kind == Kind::kVirtualGateway;
}

Status CheckTags(const Tags& tags, size_t total_after) {
  if (total_after > 50) {
    return Error("TooManyTagsException",
                 fmt::format("a resource takes at most 50 tags; this would give it {}; none of "
                             "the tags in this request were applied",
                             total_after));
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [key, value] : tags) list.push_back({{"key", key}, {"value", value}});
  return CheckShape(list, "TagList", "tags");
}

Resource NewResource(const CallContext& ctx, const ResourceId& id, const nlohmann::json& spec) {
  Resource r;
  r.id = id;
  r.arn = ArnOf(id);
  r.resource_owner = ctx.account->id;
  r.uid = NewUuid();
  r.version = 1;
  r.created_at = ctx.now;
  r.last_updated_at = ctx.now;
  r.spec = spec;
  return r;
}

Status AlreadyExists(const ResourceId& id) {
  std::string where = id.kind == Kind::kMesh ? fmt::format("account {}", id.mesh_owner)
                                             : fmt::format("mesh {}", id.mesh);
  if (auto parent = ParentKind(id.kind)) {
    where = fmt::format("{} {} of {}", KindTypeName(*parent), id.parent, where);
  }
  return Error("ConflictException", fmt::format("{} with name {} already exists in {}",
                                                KindTypeName(id.kind), id.name, where));
}

Status RequireParent(Store& store, const ResourceId& id) {
  auto parent = ParentKind(id.kind);
  if (!parent) return Status::Ok();
  return MeshView(store, MeshIdOf(id)).Require(*parent, "", id.parent).status();
}

Result<Resource> LoadExisting(Store& store, const ResourceId& id) {
  CM_RETURN_IF_ERROR(RequireParent(store, id));
  auto found = internal::LoadResource(store, id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotPresent(id);
  return std::move(**found);
}

}  // namespace crossmesh::appmesh
