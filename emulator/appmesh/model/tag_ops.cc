// TagResource, UntagResource, ListTagsForResource. A consumer of a shared mesh cannot read the
// mesh's tags (terraform-provider-aws#21202: only the owner account could), so tags are the
// resource owner's, readable also by the mesh owner.
#include <fmt/format.h>

#include <set>

#include "emulator/appmesh/model/appmesh_model.h"
#include "emulator/appmesh/model/model_helpers.h"
#include "emulator/appmesh/model/page.h"
#include "emulator/appmesh/model/resource_store.h"

namespace crossmesh::appmesh {

Result<Resource> AppMeshModel::LoadTagged(const CallContext& ctx, std::string_view arn,
                                          bool for_write) {
  auto parsed = ParseArn(arn, "appmesh");
  if (!parsed.ok() || parsed->resource.rfind("mesh/", 0) != 0) {
    return Error("BadRequestException",
                 fmt::format("resourceArn '{}' is not an App Mesh ARN "
                             "(arn:aws:appmesh:REGION:ACCOUNT:mesh/NAME/...)",
                             arn));
  }
  auto found = internal::LoadResourceByArn(store_, arn);
  if (!found.ok()) return found.status();
  if (!found->has_value() || (*found)->id.region != ctx.region) {
    return Error(
        "NotFoundException",
        fmt::format("There is no App Mesh resource with the ARN {} in Region {}", arn, ctx.region));
  }
  Resource resource = std::move(**found);
  const std::string& caller = ctx.account->id;
  bool allowed =
      resource.resource_owner == caller || (!for_write && resource.id.mesh_owner == caller);
  if (!allowed) {
    return Error("ForbiddenException",
                 fmt::format("User: {} is not authorized to perform: appmesh:{} on resource: {}",
                             ctx.account->RootArn(),
                             for_write ? "TagResource" : "ListTagsForResource", arn));
  }
  return resource;
}

Status AppMeshModel::TagResource(const CallContext& ctx, std::string_view arn, const Tags& tags) {
  auto resource = LoadTagged(ctx, arn, true);
  if (!resource.ok()) return resource.status();
  auto existing = internal::LoadTags(store_, arn);
  if (!existing.ok()) return existing.status();

  std::set<std::string> keys;
  for (const auto& tag : *existing) keys.insert(tag.first);
  size_t added = 0;
  for (const auto& tag : tags) added += keys.insert(tag.first).second ? 1 : 0;
  CM_RETURN_IF_ERROR(CheckTags(tags, existing->size() + added));
  for (const auto& [key, value] : tags) {
    CM_RETURN_IF_ERROR(internal::PutTag(store_, arn, key, value));
  }
  return Status::Ok();
}

Status AppMeshModel::UntagResource(const CallContext& ctx, std::string_view arn,
                                   const std::vector<std::string>& keys) {
  auto resource = LoadTagged(ctx, arn, true);
  if (!resource.ok()) return resource.status();
  for (const auto& key : keys) CM_RETURN_IF_ERROR(internal::DeleteTag(store_, arn, key));
  return Status::Ok();
}

Result<TagPage> AppMeshModel::ListTagsForResource(const CallContext& ctx, std::string_view arn,
                                                  const PageRequest& request) {
  auto resource = LoadTagged(ctx, arn, false);
  if (!resource.ok()) return resource.status();
  auto tags = internal::LoadTags(store_, arn);  // sorted by key
  if (!tags.ok()) return tags.status();
  std::vector<std::string> keys;
  for (const auto& tag : *tags) keys.push_back(tag.first);
  auto window =
      PageWindow(keys, request, 50, fmt::format("ListTagsForResource {} {}", ctx.account->id, arn));
  if (!window.ok()) return window.status();
  TagPage page;
  page.tags.assign(tags->begin() + static_cast<std::ptrdiff_t>(window->begin),
                   tags->begin() + static_cast<std::ptrdiff_t>(window->end));
  page.next_token = window->next_token;
  return page;
}

}  // namespace crossmesh::appmesh
