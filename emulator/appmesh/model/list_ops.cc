// List* and ListMeshes: pages of at most `limit` (1 to 100, default 100) in ARN order. The
// nextToken is the listing's scope and the last ARN answered, hex-encoded, so a page stays right
// when resources come and go between calls, and a token fits only the listing it came from.
#include <fmt/format.h>

#include <algorithm>

#include "emulator/appmesh/model/access.h"
#include "emulator/appmesh/model/appmesh_model.h"
#include "emulator/appmesh/model/model_helpers.h"
#include "emulator/appmesh/model/page.h"
#include "emulator/appmesh/model/resource_store.h"

namespace crossmesh::appmesh {
namespace {

Result<ResourcePage> PageOfResources(std::vector<Resource> items, const PageRequest& request,
                                     const std::string& scope) {
  std::sort(items.begin(), items.end(),
            [](const Resource& a, const Resource& b) { return a.arn < b.arn; });
  std::vector<std::string> keys;
  keys.reserve(items.size());
  for (const auto& r : items) keys.push_back(r.arn);
  auto window = PageWindow(keys, request, 100, scope);
  if (!window.ok()) return window.status();
  ResourcePage page;
  for (size_t i = window->begin; i < window->end; ++i) page.items.push_back(std::move(items[i]));
  page.next_token = window->next_token;
  return page;
}

}  // namespace

Result<ResourcePage> AppMeshModel::ListMeshes(const CallContext& ctx, const PageRequest& page) {
  auto meshes = internal::LoadMeshes(store_, ctx.region);
  if (!meshes.ok()) return meshes.status();
  std::vector<Resource> visible;
  for (auto& mesh : *meshes) {
    if (mesh.id.mesh_owner == ctx.account->id || MeshSharedWith(store_, mesh, ctx.account->id)) {
      visible.push_back(std::move(mesh));
    }
  }
  return PageOfResources(std::move(visible), page,
                         fmt::format("ListMeshes {} {}", ctx.account->id, ctx.region));
}

Result<ResourcePage> AppMeshModel::List(const CallContext& ctx, const ListInput& input) {
  const ResourceRef& ref = input.ref;
  if (ref.kind == Kind::kMesh) return ListMeshes(ctx, input.page);
  auto access = OpenMesh(store_, ctx, ref.mesh, ref.mesh_owner, OperationName("List", ref.kind));
  if (!access.ok()) return access.status();
  ResourceId id = ChildOf(access->mesh.id, ref);
  CM_RETURN_IF_ERROR(RequireParent(store_, id));
  std::optional<std::string> parent;
  if (ParentKind(ref.kind)) parent = ref.parent;
  auto items = internal::LoadResources(store_, access->mesh.id, ref.kind, parent);
  if (!items.ok()) return items.status();
  return PageOfResources(std::move(*items), input.page,
                         fmt::format("{} {} {} {}", OperationName("List", ref.kind),
                                     ctx.account->id, access->mesh.arn, parent.value_or("")));
}

}  // namespace crossmesh::appmesh
