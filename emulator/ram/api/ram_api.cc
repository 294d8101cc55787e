#include "emulator/ram/api/ram_api.h"

#include <fmt/format.h>

#include <set>

#include "emulator/core/arn.h"
#include "emulator/core/ids.h"
#include "emulator/protocol/json_input.h"
#include "emulator/ram/model/permissions.h"
#include "emulator/ram/model/ram_model.h"

namespace crossmesh::ram {
namespace {

using nlohmann::json;

constexpr const char* kInvalid = "InvalidParameterException";
constexpr const char* kMissing = "MissingRequiredParameterException";

// A list of ARNs to filter by, each checked as RAM checks them: one that is not an ARN (of
// `service`, when given) is MalformedArnException, not a filter that matches nothing.
Result<std::vector<std::string>> ArnList(const JsonInput& in, const char* member,
                                         std::string_view service) {
  Result<std::vector<std::string>> listed = in.StringList(member);
  if (!listed.ok()) return listed.status();
  const std::vector<std::string>& arns = *listed;
  for (size_t i = 0; i < arns.size(); ++i) {
    if (Result<Arn> parsed = ParseArn(arns[i], service); !parsed.ok()) {
      return Error("MalformedArnException",
                   fmt::format("{}[{}] '{}' is not a valid ARN: {}", member, i, arns[i],
                               parsed.status().message()));
    }
  }
  return arns;
}

json TagsJson(const Tags& tags) {
  json out = json::array();
  for (const auto& [k, v] : tags) out.push_back({{"key", k}, {"value", v}});
  return out;
}

json ShareJson(const ResourceShare& s) {
  return {{"resourceShareArn", s.arn},
          {"name", s.name},
          {"owningAccountId", s.owner},
          {"allowExternalPrincipals", s.allow_external_principals},
          {"status", s.status},
          {"tags", TagsJson(s.tags)},
          {"creationTime", EpochSeconds(s.created)},
          {"lastUpdatedTime", EpochSeconds(s.updated)},
          {"featureSet", "STANDARD"}};
}

json AssociationJson(const Association& a) {
  json out = {{"resourceShareArn", a.share_arn},
              {"resourceShareName", a.share_name},
              {"associatedEntity", a.entity},
              {"associationType", a.type},
              {"status", a.status},
              {"creationTime", EpochSeconds(a.created)},
              {"lastUpdatedTime", EpochSeconds(a.updated)},
              {"external", a.external}};
  if (!a.status_message.empty()) out["statusMessage"] = a.status_message;
  return out;
}

json InvitationJson(const Invitation& i) {
  json out = {{"resourceShareInvitationArn", i.arn},
              {"resourceShareName", i.share_name},
              {"resourceShareArn", i.share_arn},
              {"senderAccountId", i.sender},
              {"receiverAccountId", i.receiver},
              {"invitationTimestamp", EpochSeconds(i.created)},
              {"status", i.status}};
  if (!i.associations.empty()) {
    out["resourceShareAssociations"] = json::array();
    for (const auto& a : i.associations)
      out["resourceShareAssociations"].push_back(AssociationJson(a));
  }
  return out;
}

// maxResults / nextToken paging over an already filtered list. The token is an offset, with
// the list it pages, the caller and the request's other members (its filters): one from
// another operation, account or filter is refused.
template <typename T, typename ToJson>
Result<json> Page(const CallContext& ctx, const JsonInput& in, const std::vector<T>& items,
                  const char* member, ToJson to_json) {
  auto max = in.OptionalInt("maxResults", 1, 500);
  if (!max.ok()) return max.status();
  auto token = in.OptionalString("nextToken");
  if (!token.ok()) return token.status();

  nlohmann::json filters = in.body();
  if (filters.is_object()) {
    filters.erase("nextToken");
    filters.erase("maxResults");
  }
  const std::string prefix = fmt::format("{}/{}/{}/offset-", member, ctx.account->id,
                                         Sha256Hex(filters.dump()).substr(0, 16));
  size_t start = 0;
  if (token->has_value()) {
    const std::string& t = **token;
    const std::string_view offset = std::string_view(t).substr(std::min(t.size(), prefix.size()));
    if (!t.starts_with(prefix) || offset.empty() || offset.size() > 12 || offset[0] == '0' ||
        offset.find_first_not_of("0123456789") != std::string_view::npos) {
      return Error("InvalidNextTokenException",
                   fmt::format("nextToken '{}' was not issued for this list, account and "
                               "filters; pass the nextToken this list returned with the same "
                               "filters, or start without one",
                               t));
    }
    start = std::stoul(std::string(offset));
  }
  size_t limit = max->value_or(500);
  json out = {{member, json::array()}};
  for (size_t i = start; i < items.size() && i < start + limit; ++i) {
    out[member].push_back(to_json(items[i]));
  }
  if (start + limit < items.size()) out["nextToken"] = fmt::format("{}{}", prefix, start + limit);
  return out;
}

// Keeps the first of each value, in order.
void DropRepeats(std::vector<std::string>& values) {
  std::set<std::string> seen;
  std::erase_if(values, [&seen](const std::string& value) { return !seen.insert(value).second; });
}

Result<bool> OtherAccounts(const JsonInput& in) {
  auto owner = in.OptionalEnum("resourceOwner", {"SELF", "OTHER-ACCOUNTS"});
  if (!owner.ok()) return owner.status();
  if (!owner->has_value()) {
    return Error(kMissing,
                 "the required member 'resourceOwner' is missing; give SELF or "
                 "OTHER-ACCOUNTS");
  }
  return **owner == "OTHER-ACCOUNTS";
}

#define CM_ASSIGN(lhs, expr)                            \
  auto lhs##_result = (expr);                           \
  if (!lhs##_result.ok()) return lhs##_result.status(); \
  auto lhs = std::move(*lhs##_result)

Result<RestResponse> Ok(json body) { return RestResponse{200, std::move(body)}; }

void AddShareRoutes(RestJsonService& s, Store& store, const ResourceCatalog& catalog) {
  s.On("POST", "/createresourceshare", "CreateResourceShare",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kInvalid, kMissing);
         CM_RETURN_IF_ERROR(in.OnlyMembers(
             {"name", "resourceArns", "principals", "tags", "allowExternalPrincipals",
              "clientToken", "permissionArns", "sources", "resourceShareConfiguration"}));
         CreateShareInput input;
         CM_ASSIGN(name, in.String("name"));
         CM_ASSIGN(resources, in.StringList("resourceArns"));
         CM_ASSIGN(principals, in.StringList("principals"));
         CM_ASSIGN(tags, in.Tags("tags", "key", "value"));
         CM_ASSIGN(external, in.OptionalBool("allowExternalPrincipals"));
         CM_ASSIGN(token, in.OptionalString("clientToken"));
         CM_ASSIGN(permissions, in.StringList("permissionArns"));
         input = {name, resources, principals, tags, external.value_or(true), token, permissions};
         CM_ASSIGN(share, RamModel(store, catalog).CreateResourceShare(ctx, input));
         json out = {{"resourceShare", ShareJson(share)}};
         if (token) out["clientToken"] = *token;
         return Ok(out);
       });

  s.On("POST", "/getresourceshares", "GetResourceShares",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kInvalid, kMissing);
         CM_RETURN_IF_ERROR(in.OnlyMembers({"resourceShareArns", "resourceShareStatus",
                                            "resourceOwner", "name", "tagFilters", "nextToken",
                                            "maxResults", "permissionArn", "permissionVersion"}));
         ShareFilter filter;
         CM_ASSIGN(other, OtherAccounts(in));
         CM_ASSIGN(arns, ArnList(in, "resourceShareArns", "ram"));
         CM_ASSIGN(status, in.OptionalEnum("resourceShareStatus",
                                           {"PENDING", "ACTIVE", "FAILED", "DELETING", "DELETED"}));
         CM_ASSIGN(name, in.OptionalString("name"));
         filter = {other, arns, status, name};
         CM_ASSIGN(shares, RamModel(store, catalog).GetResourceShares(ctx, filter));
         CM_ASSIGN(page, Page(ctx, in, shares, "resourceShares", ShareJson));
         return Ok(page);
       });

  s.On("POST", "/updateresourceshare", "UpdateResourceShare",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kInvalid, kMissing);
         CM_RETURN_IF_ERROR(in.OnlyMembers(
             {"resourceShareArn", "name", "allowExternalPrincipals", "clientToken"}));
         CM_ASSIGN(arn, in.String("resourceShareArn"));
         CM_ASSIGN(name, in.OptionalString("name"));
         CM_ASSIGN(external, in.OptionalBool("allowExternalPrincipals"));
         CM_ASSIGN(share, RamModel(store, catalog).UpdateResourceShare(ctx, arn, name, external));
         return Ok({{"resourceShare", ShareJson(share)}});
       });

  s.On("DELETE", "/deleteresourceshare", "DeleteResourceShare",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         auto arn = r.query.find("resourceShareArn");
         if (arn == r.query.end()) {
           return Error(kMissing, "the required query parameter 'resourceShareArn' is missing");
         }
         std::optional<std::string> token;
         if (auto given = r.query.find("clientToken"); given != r.query.end()) {
           token = given->second;
         }
         CM_RETURN_IF_ERROR(RamModel(store, catalog).DeleteResourceShare(ctx, arn->second, token));
         json out = {{"returnValue", true}};
         if (token) out["clientToken"] = *token;
         return Ok(out);
       });
}

void AddAssociationRoutes(RestJsonService& s, Store& store, const ResourceCatalog& catalog) {
  auto change = [&](bool associate) {
    return [&, associate](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
      JsonInput in(r.body, kInvalid, kMissing);
      CM_RETURN_IF_ERROR(in.OnlyMembers(
          {"resourceShareArn", "resourceArns", "principals", "clientToken", "sources"}));
      CM_ASSIGN(arn, in.String("resourceShareArn"));
      CM_ASSIGN(resources, in.StringList("resourceArns"));
      CM_ASSIGN(principals, in.StringList("principals"));
      CM_ASSIGN(token, in.OptionalString("clientToken"));
      // One association per principal or resource, however often a request names it.
      DropRepeats(resources);
      DropRepeats(principals);
      RamModel model(store, catalog);
      CM_ASSIGN(associations,
                associate ? model.AssociateResourceShare(ctx, arn, resources, principals)
                          : model.DisassociateResourceShare(ctx, arn, resources, principals));
      json out = {{"resourceShareAssociations", json::array()}};
      for (const auto& a : associations)
        out["resourceShareAssociations"].push_back(AssociationJson(a));
      if (token) out["clientToken"] = *token;
      return Ok(out);
    };
  };
  s.On("POST", "/associateresourceshare", "AssociateResourceShare", change(true));
  s.On("POST", "/disassociateresourceshare", "DisassociateResourceShare", change(false));

  s.On("POST", "/getresourceshareassociations", "GetResourceShareAssociations",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kInvalid, kMissing);
         CM_RETURN_IF_ERROR(
             in.OnlyMembers({"associationType", "resourceShareArns", "resourceArn", "principal",
                             "associationStatus", "nextToken", "maxResults"}));
         CM_ASSIGN(type, in.OptionalEnum("associationType", {"PRINCIPAL", "RESOURCE"}));
         if (!type) {
           return Error(kMissing,
                        "the required member 'associationType' is missing; give "
                        "PRINCIPAL or RESOURCE");
         }
         AssociationFilter filter;
         filter.type = *type;
         CM_ASSIGN(shares, ArnList(in, "resourceShareArns", "ram"));
         CM_ASSIGN(resource, in.OptionalString("resourceArn"));
         CM_ASSIGN(principal, in.OptionalString("principal"));
         CM_ASSIGN(status,
                   in.OptionalEnum("associationStatus", {"ASSOCIATING", "ASSOCIATED", "FAILED",
                                                         "DISASSOCIATING", "DISASSOCIATED"}));
         filter.share_arns = shares;
         filter.resource_arn = resource;
         filter.principal = principal;
         filter.status = status;
         CM_ASSIGN(found, RamModel(store, catalog).GetResourceShareAssociations(ctx, filter));
         CM_ASSIGN(page, Page(ctx, in, found, "resourceShareAssociations", AssociationJson));
         return Ok(page);
       });
}

void AddInvitationRoutes(RestJsonService& s, Store& store, const ResourceCatalog& catalog) {
  s.On("POST", "/getresourceshareinvitations", "GetResourceShareInvitations",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kInvalid, kMissing);
         CM_RETURN_IF_ERROR(in.OnlyMembers(
             {"resourceShareInvitationArns", "resourceShareArns", "nextToken", "maxResults"}));
         CM_ASSIGN(arns, ArnList(in, "resourceShareInvitationArns", "ram"));
         CM_ASSIGN(shares, ArnList(in, "resourceShareArns", "ram"));
         CM_ASSIGN(found, RamModel(store, catalog).GetResourceShareInvitations(ctx, arns, shares));
         CM_ASSIGN(page, Page(ctx, in, found, "resourceShareInvitations", InvitationJson));
         return Ok(page);
       });

  auto respond = [&](bool accept) {
    return [&, accept](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
      JsonInput in(r.body, kInvalid, kMissing);
      CM_RETURN_IF_ERROR(in.OnlyMembers({"resourceShareInvitationArn", "clientToken"}));
      CM_ASSIGN(arn, in.String("resourceShareInvitationArn"));
      CM_ASSIGN(token, in.OptionalString("clientToken"));
      RamModel model(store, catalog);
      CM_ASSIGN(invitation, accept ? model.AcceptResourceShareInvitation(ctx, arn, token)
                                   : model.RejectResourceShareInvitation(ctx, arn, token));
      json out = {{"resourceShareInvitation", InvitationJson(invitation)}};
      if (token) out["clientToken"] = *token;
      return Ok(out);
    };
  };
  s.On("POST", "/acceptresourceshareinvitation", "AcceptResourceShareInvitation", respond(true));
  s.On("POST", "/rejectresourceshareinvitation", "RejectResourceShareInvitation", respond(false));
}

void AddListRoutes(RestJsonService& s, Store& store, const ResourceCatalog& catalog) {
  s.On("POST", "/listresources", "ListResources",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kInvalid, kMissing);
         CM_RETURN_IF_ERROR(in.OnlyMembers({"resourceOwner", "principal", "resourceType",
                                            "resourceArns", "resourceShareArns", "nextToken",
                                            "maxResults", "resourceRegionScope"}));
         ListFilter filter;
         CM_ASSIGN(other, OtherAccounts(in));
         CM_ASSIGN(principal, in.OptionalString("principal"));
         CM_ASSIGN(type, in.OptionalString("resourceType"));
         CM_ASSIGN(arns, ArnList(in, "resourceArns", {}));
         CM_ASSIGN(shares, ArnList(in, "resourceShareArns", "ram"));
         filter.other_accounts = other;
         filter.principal = principal;
         filter.resource_type = type;
         filter.resource_arns = arns;
         filter.share_arns = shares;
         CM_ASSIGN(found, RamModel(store, catalog).ListResources(ctx, filter));
         CM_ASSIGN(page, Page(ctx, in, found, "resources", [](const SharedResource& res) {
                     return json{{"arn", res.arn},
                                 {"type", res.type},
                                 {"resourceShareArn", res.share_arn},
                                 {"status", res.status},
                                 {"creationTime", EpochSeconds(res.created)},
                                 {"lastUpdatedTime", EpochSeconds(res.updated)},
                                 {"resourceRegionScope", "REGIONAL"}};
                   }));
         return Ok(page);
       });

  s.On("POST", "/listprincipals", "ListPrincipals",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kInvalid, kMissing);
         CM_RETURN_IF_ERROR(
             in.OnlyMembers({"resourceOwner", "resourceArn", "principals", "resourceType",
                             "resourceShareArns", "nextToken", "maxResults"}));
         ListFilter filter;
         CM_ASSIGN(other, OtherAccounts(in));
         CM_ASSIGN(resource, in.OptionalString("resourceArn"));
         CM_ASSIGN(principals, in.StringList("principals"));
         CM_ASSIGN(type, in.OptionalString("resourceType"));
         CM_ASSIGN(shares, ArnList(in, "resourceShareArns", "ram"));
         filter.other_accounts = other;
         filter.resource_arn = resource;
         filter.principals = principals;
         filter.resource_type = type;
         filter.share_arns = shares;
         CM_ASSIGN(found, RamModel(store, catalog).ListPrincipals(ctx, filter));
         CM_ASSIGN(page, Page(ctx, in, found, "principals", [](const SharedPrincipal& p) {
                     return json{{"id", p.id},
                                 {"resourceShareArn", p.share_arn},
                                 {"creationTime", EpochSeconds(p.created)},
                                 {"lastUpdatedTime", EpochSeconds(p.updated)},
                                 {"external", p.external}};
                   }));
         return Ok(page);
       });

  s.On("POST", "/listpermissions", "ListPermissions",
       [&](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
         JsonInput in(r.body, kInvalid, kMissing);
         CM_RETURN_IF_ERROR(
             in.OnlyMembers({"resourceType", "nextToken", "maxResults", "permissionType"}));
         CM_ASSIGN(type, in.OptionalString("resourceType"));
         std::vector<ManagedPermission> found;
         for (const auto& p : ManagedPermissions()) {
           if (!type || p.resource_type == *type) found.push_back(p);
         }
         CM_ASSIGN(page, Page(ctx, in, found, "permissions", [](const ManagedPermission& p) {
                     return json{{"arn", p.arn},
                                 {"version", "1"},
                                 {"defaultVersion", true},
                                 {"name", p.name},
                                 {"resourceType", p.resource_type},
                                 {"status", "ATTACHABLE"},
                                 {"isResourceTypeDefault", true},
                                 {"permissionType", "AWS_MANAGED"},
                                 {"featureSet", "STANDARD"}};
                   }));
         return Ok(page);
       });
}

class RamTimedEvents : public TimedEventSource {
 public:
  explicit RamTimedEvents(const ResourceCatalog& catalog) : catalog_(catalog) {}
  std::optional<TimePoint> NextDue(Store& store) override {
    return RamModel(store, catalog_).NextInvitationExpiry();
  }
  Status RunDue(Store& store, TimePoint now) override {
    return RamModel(store, catalog_).ExpireInvitations(now);
  }
  std::vector<std::string> DueTables() const override { return {"ram_invitations"}; }

 private:
  const ResourceCatalog& catalog_;
};

}  // namespace

std::unique_ptr<Service> MakeRamService(Store& store, const ResourceCatalog& catalog) {
  auto service = std::make_unique<RestJsonService>("ram");
  AddShareRoutes(*service, store, catalog);
  AddAssociationRoutes(*service, store, catalog);
  AddInvitationRoutes(*service, store, catalog);
  AddListRoutes(*service, store, catalog);
  return service;
}

std::unique_ptr<TimedEventSource> MakeRamTimedEvents(const ResourceCatalog& catalog) {
  return std::make_unique<RamTimedEvents>(catalog);
}

}  // namespace crossmesh::ram
