#include "emulator/appmesh/api/appmesh_api.h"

#include <fmt/format.h>

#include <charconv>
#include <set>

#include "emulator/appmesh/api/wire_shapes.h"
#include "emulator/appmesh/model/appmesh_model.h"
#include "emulator/appmesh/model/spec_schema.h"
#include "emulator/protocol/json_input.h"

namespace crossmesh::appmesh {
namespace {

using nlohmann::json;

// App Mesh answers every malformed input, missing or wrong, with BadRequestException.
constexpr const char* kBadRequest = "BadRequestException";

// NOLINTBEGIN(bugprone-macro-parentheses): `lhs` is the name being declared, not an expression.
#define CM_ASSIGN(lhs, expr)                            \
  auto lhs##_result = (expr);                           \
  if (!lhs##_result.ok()) return lhs##_result.status(); \
  auto lhs = std::move(*lhs##_result)
// NOLINTEND(bugprone-macro-parentheses)

Result<RestResponse> Ok(json body) { return RestResponse{200, std::move(body)}; }

std::optional<std::string> Query(const RestRequest& r, const std::string& name) {
  auto it = r.query.find(name);
  if (it == r.query.end()) return std::nullopt;
  return it->second;
}

// The resource a request's path (and ?meshOwner=) names; `name` overrides the path's own label
// (Create takes the name from the body).
ResourceRef RefFrom(const KindWire& wire, const RestRequest& r, const std::string& name = "") {
  auto label = [&](const std::string& key) {
    auto it = r.path.find(key);
    return it == r.path.end() ? std::string() : it->second;
  };
  ResourceRef ref;
  ref.kind = wire.kind;
  ref.mesh = label("meshName");
  if (wire.kind != Kind::kMesh) ref.mesh_owner = Query(r, "meshOwner");
  if (*wire.parent_member) ref.parent = label(wire.parent_member);
  ref.name = name.empty() ? label(wire.name_member) : name;
  if (wire.kind == Kind::kMesh && ref.mesh.empty()) ref.mesh = ref.name;
  return ref;
}

Result<PageRequest> PageFrom(const RestRequest& r) {
  PageRequest page;
  page.next_token = Query(r, "nextToken").value_or("");
  if (auto limit = Query(r, "limit")) {
    const std::string text = *limit;
    const char* last = text.data() + text.size();
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), last, value);
    if (ec != std::errc() || end != last) {
      return Error(kBadRequest, fmt::format("limit '{}' is not an integer", text));
    }
    page.limit = value;
  }
  return page;
}

// `spec` as sent; required for everything but meshes.
Result<json> SpecFrom(const KindWire& wire, const json& body) {
  if (body.contains("spec") && !body["spec"].is_null()) return body["spec"];
  if (wire.kind == Kind::kMesh) return json::object();
  return Error(kBadRequest, "the required member 'spec' is missing");
}

Result<Tags> TagsFrom(const json& body, const char* member) {
  if (!body.contains(member)) return Tags();
  CM_RETURN_IF_ERROR(CheckShape(body[member], "TagList", member));
  Tags tags;
  std::set<std::string> keys;
  for (const auto& tag : body[member]) {
    std::string key = tag["key"].get<std::string>();
    // Which of two values would win is not said anywhere: the caller must choose.
    if (!keys.insert(key).second) {
      return Error(kBadRequest,
                   fmt::format("{}: the key '{}' appears twice; give each key once", member, key));
    }
    tags.emplace_back(std::move(key), tag["value"].get<std::string>());
  }
  return tags;
}

RestJsonService::Handler CreateHandler(Store& store, const AccountRegistry& accounts,
                                       const KindWire& wire) {
  return [&store, &accounts, &wire](const CallContext& ctx,
                                    const RestRequest& r) -> Result<RestResponse> {
    JsonInput in(r.body, kBadRequest, kBadRequest);
    CM_RETURN_IF_ERROR(in.OnlyMembers({"clientToken", wire.name_member, "spec", "tags"}));
    CM_ASSIGN(name, in.String(wire.name_member));
    CM_ASSIGN(token, in.OptionalString("clientToken"));
    CM_ASSIGN(spec, SpecFrom(wire, r.body));
    CM_ASSIGN(tags, TagsFrom(r.body, "tags"));
    CreateInput input{RefFrom(wire, r, name), std::move(spec), std::move(tags), token.value_or("")};
    CM_ASSIGN(created, AppMeshModel(store, accounts).Create(ctx, input));
    return Ok(ResourceJson(created));
  };
}

RestJsonService::Handler DescribeHandler(Store& store, const AccountRegistry& accounts,
                                         const KindWire& wire) {
  return [&store, &accounts, &wire](const CallContext& ctx,
                                    const RestRequest& r) -> Result<RestResponse> {
    ResourceRef ref = RefFrom(wire, r);
    if (wire.kind == Kind::kMesh) ref.mesh_owner = Query(r, "meshOwner");
    CM_ASSIGN(found, AppMeshModel(store, accounts).Describe(ctx, ref));
    return Ok(ResourceJson(found));
  };
}

RestJsonService::Handler UpdateHandler(Store& store, const AccountRegistry& accounts,
                                       const KindWire& wire) {
  return [&store, &accounts, &wire](const CallContext& ctx,
                                    const RestRequest& r) -> Result<RestResponse> {
    JsonInput in(r.body, kBadRequest, kBadRequest);
    CM_RETURN_IF_ERROR(in.OnlyMembers({"clientToken", "spec"}));
    CM_ASSIGN(token, in.OptionalString("clientToken"));
    CM_ASSIGN(spec, SpecFrom(wire, r.body));
    UpdateInput input{RefFrom(wire, r), std::move(spec), token.value_or("")};
    CM_ASSIGN(updated, AppMeshModel(store, accounts).Update(ctx, input));
    return Ok(ResourceJson(updated));
  };
}

RestJsonService::Handler DeleteHandler(Store& store, const AccountRegistry& accounts,
                                       const KindWire& wire) {
  return [&store, &accounts, &wire](const CallContext& ctx,
                                    const RestRequest& r) -> Result<RestResponse> {
    CM_ASSIGN(deleted, AppMeshModel(store, accounts).Delete(ctx, RefFrom(wire, r)));
    return Ok(ResourceJson(deleted));
  };
}

RestJsonService::Handler ListHandler(Store& store, const AccountRegistry& accounts,
                                     const KindWire& wire) {
  return [&store, &accounts, &wire](const CallContext& ctx,
                                    const RestRequest& r) -> Result<RestResponse> {
    CM_ASSIGN(page, PageFrom(r));
    CM_ASSIGN(listed, AppMeshModel(store, accounts).List(ctx, {RefFrom(wire, r), page}));
    json out = {{wire.list_member, json::array()}};
    for (const auto& item : listed.items) out[wire.list_member].push_back(RefJson(item));
    if (!listed.next_token.empty()) out["nextToken"] = listed.next_token;
    return Ok(out);
  };
}

void AddKindRoutes(RestJsonService& s, Store& store, const AccountRegistry& accounts,
                   const KindWire& wire) {
  std::string item = ItemPath(wire);
  s.On("PUT", wire.collection, OperationName("Create", wire.kind),
       CreateHandler(store, accounts, wire));
  s.On("GET", wire.collection, OperationName("List", wire.kind),
       ListHandler(store, accounts, wire));
  s.On("GET", item, OperationName("Describe", wire.kind), DescribeHandler(store, accounts, wire));
  s.On("PUT", item, OperationName("Update", wire.kind), UpdateHandler(store, accounts, wire));
  s.On("DELETE", item, OperationName("Delete", wire.kind), DeleteHandler(store, accounts, wire));
}

Result<std::string> ResourceArnFrom(const RestRequest& r) {
  auto arn = Query(r, "resourceArn");
  if (!arn || arn->empty()) {
    return Error(kBadRequest, "the required query parameter 'resourceArn' is missing");
  }
  return *arn;
}

void AddTagRoutes(RestJsonService& s, Store& store, const AccountRegistry& accounts) {
  s.On("PUT", "/v20190125/tag", "TagResource",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kBadRequest, kBadRequest);
         CM_RETURN_IF_ERROR(in.OnlyMembers({"tags"}));
         CM_ASSIGN(arn, ResourceArnFrom(r));
         if (!r.body.contains("tags")) {
           return Error(kBadRequest, "the required member 'tags' is missing");
         }
         CM_ASSIGN(tags, TagsFrom(r.body, "tags"));
         CM_RETURN_IF_ERROR(AppMeshModel(store, accounts).TagResource(ctx, arn, tags));
         return Ok(json::object());
       });
  s.On("PUT", "/v20190125/untag", "UntagResource",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kBadRequest, kBadRequest);
         CM_RETURN_IF_ERROR(in.OnlyMembers({"tagKeys"}));
         CM_ASSIGN(arn, ResourceArnFrom(r));
         CM_ASSIGN(keys, in.StringList("tagKeys", true));
         CM_RETURN_IF_ERROR(AppMeshModel(store, accounts).UntagResource(ctx, arn, keys));
         return Ok(json::object());
       });
  s.On("GET", "/v20190125/tags", "ListTagsForResource",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         CM_ASSIGN(arn, ResourceArnFrom(r));
         CM_ASSIGN(page, PageFrom(r));
         CM_ASSIGN(tags, AppMeshModel(store, accounts).ListTagsForResource(ctx, arn, page));
         json out = {{"tags", TagsJson(tags.tags)}};
         if (!tags.next_token.empty()) out["nextToken"] = tags.next_token;
         return Ok(out);
       });
}

}  // namespace

std::unique_ptr<Service> MakeAppMeshService(Store& store, const AccountRegistry& accounts) {
  auto service = std::make_unique<RestJsonService>("appmesh");
  for (Kind kind : kAllKinds) AddKindRoutes(*service, store, accounts, WireOf(kind));
  AddTagRoutes(*service, store, accounts);
  return service;
}

}  // namespace crossmesh::appmesh
