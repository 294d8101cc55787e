#include "emulator/appmesh/model/idempotency.h"

#include <fmt/format.h>

#include "emulator/appmesh/model/resource_store.h"

namespace crossmesh::appmesh {

std::string RequestFingerprint(const ResourceRef& ref, const nlohmann::json& spec,
                               const Tags& tags) {
  // nlohmann::json keeps object members sorted, so equal requests serialize equally.
  nlohmann::json request = {{"mesh", ref.mesh},
                            {"meshOwner", ref.mesh_owner.value_or("")},
                            {"kind", KindName(ref.kind)},
                            {"parent", ref.parent},
                            {"name", ref.name},
                            {"spec", spec},
                            {"tags", tags}};
  return request.dump();
}

Result<std::optional<Resource>> ReplayClientToken(Store& store, const CallContext& ctx,
                                                  std::string_view operation,
                                                  const std::string& token,
                                                  const std::string& request) {
  if (token.empty()) return std::optional<Resource>();
  auto seen = internal::FindClientToken(store, ctx.account->id, ctx.region, operation, token);
  if (!seen.ok()) return seen.status();
  if (!seen->has_value()) return std::optional<Resource>();
  if ((*seen)->request != request) {
    return Error("ConflictException",
                 fmt::format("The request contains a client token ({}) that was used for a "
                             "previous {} call with different specifications; try the request "
                             "again with a new client token",
                             token, operation));
  }
  return internal::LoadResourceByArn(store, (*seen)->arn);
}

Status RememberClientToken(Store& store, const CallContext& ctx, std::string_view operation,
                           const std::string& token, const std::string& request,
                           const std::string& arn) {
  if (token.empty()) return Status::Ok();
  return internal::SaveClientToken(store, ctx.account->id, ctx.region, operation, token,
                                   {request, arn}, ctx.now);
}

}  // namespace crossmesh::appmesh
