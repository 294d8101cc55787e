// The App Mesh model's tables and the row-level reads and writes on them. Internal to the
// model: rules live in the operation files, not here.
//
// Tables (every row keyed by mesh owner and region):
//   appmesh_resources      one row per mesh and mesh resource; the spec as JSON text
//   appmesh_tags           tags by resource ARN
//   appmesh_client_tokens  clientToken idempotency: the request each token carried
//   appmesh_changes        a change log (created / updated / deleted) for the data path
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/appmesh/model/types.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh::internal {

Status MigrateSchema(Store& store);

Result<std::optional<Resource>> LoadResource(Store& store, const ResourceId& id);
Result<std::optional<Resource>> LoadResourceByArn(Store& store, std::string_view arn);
// The resources of one kind in a mesh, sorted by name; `parent` narrows routes and gateway
// routes to one router or gateway (nullopt: every parent).
Result<std::vector<Resource>> LoadResources(Store& store, const ResourceId& mesh, Kind kind,
                                            const std::optional<std::string>& parent);
// Every mesh in `region` (every region when empty), of every account, sorted by owner and name.
Result<std::vector<Resource>> LoadMeshes(Store& store, std::string_view region);
// How many resources (other than the mesh itself) live in the mesh.
Result<int64_t> CountMeshContents(Store& store, const ResourceId& mesh);

Status InsertResource(Store& store, const Resource& resource);
// Writes spec, version and lastUpdatedAt back.
Status UpdateResource(Store& store, const Resource& resource);
// Deletes the row and its tags.
Status DeleteResource(Store& store, const Resource& resource);

Result<Tags> LoadTags(Store& store, std::string_view arn);
Status PutTag(Store& store, std::string_view arn, std::string_view key, std::string_view value);
Status DeleteTag(Store& store, std::string_view arn, std::string_view key);

struct TokenRecord {
  std::string request;  // the request's canonical JSON
  std::string arn;
};
Result<std::optional<TokenRecord>> FindClientToken(Store& store, std::string_view account,
                                                   std::string_view region,
                                                   std::string_view operation,
                                                   std::string_view token);
Status SaveClientToken(Store& store, std::string_view account, std::string_view region,
                       std::string_view operation, std::string_view token,
                       const TokenRecord& record, TimePoint now);

Status AppendChange(Store& store, const Resource& resource, std::string_view change, TimePoint at);

}  // namespace crossmesh::appmesh::internal
