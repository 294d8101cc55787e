// The App Mesh model: meshes, virtual nodes, virtual services, virtual routers, routes, virtual
// gateways and gateway routes, their tags, and shared meshes through RAM.
//
// Contract, as App Mesh behaved (see emulator/appmesh/COVERAGE.md for what differs):
//  - Resources live in their mesh owner's account and the Region the request was signed for;
//    ARNs carry both. metadata.resourceOwner is the account that created the resource, version
//    starts at 1 and grows by one per update, times come from the virtual clock.
//  - Create validates the spec (shapes: spec_schema.h; rules: spec_rules.h; TLS: tls_rules.h)
//    and stores it as given. Names are unique per mesh (per router for routes, per gateway for
//    gateway routes): ConflictException. A clientToken seen before with the same request answers
//    the resource as it is now; with a different request, ConflictException.
//  - Update replaces the spec wholesale. Delete answers the resource with status DELETED, unless
//    something still uses it (ResourceInUseException).
//  - Who may do what in a shared mesh: access.h.
//  - A virtual node or gateway whose listener uses an ACM certificate is recorded in the
//    certificate's InUseBy (certificate_users.h).
//
// Every function runs inside the caller's transaction and never begins or commits one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/appmesh/model/types.h"
#include "emulator/core/accounts.h"
#include "emulator/core/arn.h"
#include "emulator/core/call_context.h"
#include "emulator/core/resource_catalog.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh {

class AppMeshModel {
 public:
  // `accounts` lets the TLS rules describe ACM certificates as the caller would.
  AppMeshModel(Store& store, const AccountRegistry& accounts)
      : store_(store), accounts_(accounts) {}

  // Creates or upgrades App Mesh's tables. Call once, outside any transaction.
  static Status Migrate(Store& store);

  Result<Resource> Create(const CallContext& ctx, const CreateInput& input);
  Result<Resource> Describe(const CallContext& ctx, const ResourceRef& ref);
  Result<Resource> Update(const CallContext& ctx, const UpdateInput& input);
  Result<Resource> Delete(const CallContext& ctx, const ResourceRef& ref);
  // ListMeshes (ref.kind == kMesh) answers the caller's meshes and those shared with it.
  Result<ResourcePage> List(const CallContext& ctx, const ListInput& input);

  // Tags by ARN. Tagging is the resource owner's; the mesh owner may also read a resource's
  // tags. TooManyTagsException past 50 tags.
  Status TagResource(const CallContext& ctx, std::string_view arn, const Tags& tags);
  Status UntagResource(const CallContext& ctx, std::string_view arn,
                       const std::vector<std::string>& keys);
  Result<TagPage> ListTagsForResource(const CallContext& ctx, std::string_view arn,
                                      const PageRequest& page);

 private:
  Result<Resource> CreateMesh(const CallContext& ctx, const CreateInput& input);
  Result<Resource> CreateInMesh(const CallContext& ctx, const CreateInput& input);
  // The steps after access checks: clientToken, name conflict, spec, insert.
  Result<Resource> CreateAt(const CallContext& ctx, const std::string& op, const ResourceId& id,
                            const CreateInput& input);
  Result<ResourcePage> ListMeshes(const CallContext& ctx, const PageRequest& page);
  // Validates `spec` for `self`, owned by `owner`: shapes, rules, TLS.
  Status CheckSpec(const CallContext& ctx, const ResourceId& self, const std::string& owner,
                   const nlohmann::json& spec);
  Result<Resource> Insert(const CallContext& ctx, Resource resource, const Tags& tags);
  Result<Resource> LoadTagged(const CallContext& ctx, std::string_view arn, bool for_write);

  Store& store_;
  const AccountRegistry& accounts_;
};

// The ResourceCatalog lookup RAM uses to share meshes (registered for "appmesh" ARNs): only
// `mesh/<name>` resources are shareable.
Result<std::optional<ResourceInfo>> FindMeshResource(Store& store, const Arn& arn);

}  // namespace crossmesh::appmesh
