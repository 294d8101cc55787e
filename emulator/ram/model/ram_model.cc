#include "emulator/ram/model/ram_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>

#include "emulator/core/arn.h"
#include "emulator/core/ids.h"
#include "emulator/ram/model/permissions.h"

namespace crossmesh::ram {
namespace {

const std::vector<std::string> kMigrations = {
    "CREATE TABLE ram_shares ("
    " arn TEXT PRIMARY KEY, region TEXT NOT NULL, owner TEXT NOT NULL, name TEXT NOT NULL,"
    " allow_external INTEGER NOT NULL, status TEXT NOT NULL, status_message TEXT NOT NULL,"
    " tags TEXT NOT NULL, permission_arns TEXT NOT NULL, client_token TEXT,"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE TABLE ram_associations ("
    " share_arn TEXT NOT NULL REFERENCES ram_shares(arn), type TEXT NOT NULL,"
    " entity TEXT NOT NULL, status TEXT NOT NULL, status_message TEXT NOT NULL,"
    " external INTEGER NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " PRIMARY KEY (share_arn, type, entity));"
    "CREATE TABLE ram_invitations ("
    " arn TEXT PRIMARY KEY, share_arn TEXT NOT NULL REFERENCES ram_shares(arn),"
    " region TEXT NOT NULL, sender TEXT NOT NULL, receiver TEXT NOT NULL,"
    " status TEXT NOT NULL, created_ms INTEGER NOT NULL);"
    "CREATE INDEX ram_invitations_receiver ON ram_invitations(receiver, status);",
    // The clientToken of the accept or reject that answered an invitation, to replay it.
    "ALTER TABLE ram_invitations ADD COLUMN response_token TEXT;",
    // The clientToken of the delete that deleted a share, to answer its retry again.
    "ALTER TABLE ram_shares ADD COLUMN delete_token TEXT;",
};

constexpr const char* kShareColumns =
    "arn, name, owner, allow_external, status, status_message, tags, permission_arns, "
    "created_ms, updated_ms";

ResourceShare ShareFromRow(const Statement& row) {
  ResourceShare share;
  share.arn = row.Text(0);
  share.name = row.Text(1);
  share.owner = row.Text(2);
  share.allow_external_principals = row.Int(3) != 0;
  share.status = row.Text(4);
  share.status_message = row.Text(5);
  for (const auto& tag : nlohmann::json::parse(row.Text(6))) {
    share.tags.emplace_back(tag[0].get<std::string>(), tag[1].get<std::string>());
  }
  share.permission_arns = nlohmann::json::parse(row.Text(7)).get<std::vector<std::string>>();
  share.created = FromMillis(row.Int(8));
  share.updated = FromMillis(row.Int(9));
  return share;
}

Status MalformedArn(std::string_view what, std::string_view arn, const Status& why) {
  return Error("MalformedArnException",
               fmt::format("{} '{}' is not a valid ARN: {}", what, arn, why.message()));
}

Status UnknownShare(std::string_view arn) {
  return Error("UnknownResourceException",
               fmt::format("resource share '{}' does not exist in this account and region; list "
                           "yours with get-resource-shares --resource-owner SELF",
                           arn));
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

Status RamModel::Migrate(Store& store) { return store.Migrate("ram", kMigrations); }

Result<ResourceShare> RamModel::LoadShare(const std::string& arn, const std::string& region) {
  auto parsed = ParseArn(arn, "ram");
  if (!parsed.ok()) return MalformedArn("resourceShareArn", arn, parsed.status());
  auto stmt = store_.Prepare(
      fmt::format("SELECT {} FROM ram_shares WHERE arn = ? AND region = ?", kShareColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, arn).Bind(2, region);
  if (!stmt->Step()) {
    CM_RETURN_IF_ERROR(stmt->status());
    return UnknownShare(arn);
  }
  return ShareFromRow(*stmt);
}

Result<ResourceShare> RamModel::LoadOwnShare(const CallContext& ctx, const std::string& arn) {
  auto share = LoadShare(arn, ctx.region);
  if (!share.ok()) return share;
  if (share->owner != ctx.account->id) {
    return Error("OperationNotPermittedException",
                 fmt::format("account {} does not own resource share '{}' (owner {}); only the "
                             "owner can change it",
                             ctx.account->id, arn, share->owner));
  }
  if (share->status == "DELETED") {
    return Error("UnknownResourceException",
                 fmt::format("resource share '{}' has been deleted", arn));
  }
  return share;
}

Result<std::string> RamModel::CheckShareableResource(const CallContext& ctx,
                                                     const std::string& arn) {
  auto parsed = ParseArn(arn);
  if (!parsed.ok()) return MalformedArn("resource", arn, parsed.status());
  std::string type = ResourceTypeOf(parsed->service, parsed->resource);
  if (type.empty()) {
    return Error("InvalidParameterException",
                 fmt::format("'{}' is not a resource type crossmesh can share; RAM here shares "
                             "acm-pca:CertificateAuthority and appmesh:Mesh",
                             arn));
  }
  if (parsed->region != ctx.region) {
    return Error("InvalidParameterException",
                 fmt::format("resource '{}' is in region {}, but this share is in {}; RAM shares "
                             "are regional",
                             arn, parsed->region, ctx.region));
  }

  auto info = catalog_.Find(store_, *parsed);
  if (!info.ok()) return info.status();
  if (!info->has_value()) {
    return Error("UnknownResourceException", fmt::format("resource '{}' does not exist", arn));
  }
  if ((*info)->owner_account != ctx.account->id) {
    return Error("UnknownResourceException",
                 fmt::format("resource '{}' belongs to account {}; account {} can share only "
                             "resources it owns",
                             arn, (*info)->owner_account, ctx.account->id));
  }
  return type;
}

Status RamModel::CheckPrincipal(const ResourceShare& share, const std::string& principal) {
  if (!IsAccountId(principal)) {
    return Error("InvalidParameterException",
                 fmt::format("principal '{}' is not a 12-digit AWS account id; crossmesh shares "
                             "with accounts only (no organizations, OUs or IAM principals)",
                             principal));
  }
  if (principal == share.owner) {
    return Error("InvalidParameterException",
                 fmt::format("account {} owns resource share '{}' and cannot be its principal",
                             principal, share.name));
  }
  // Without AWS Organizations every other account is external to the owner.
  if (!share.allow_external_principals) {
    return Error("OperationNotPermittedException",
                 fmt::format("resource share '{}' does not allow external principals, and account "
                             "{} is outside the owner's organization; set "
                             "allowExternalPrincipals to true",
                             share.name, principal));
  }
  return Status::Ok();
}

Status RamModel::SetAssociation(const std::string& share_arn, const std::string& type,
                                const std::string& entity, const std::string& status,
                                const std::string& message, TimePoint now) {
  auto stmt = store_.Prepare(
      "INSERT INTO ram_associations (share_arn, type, entity, status, status_message, external,"
      " created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(share_arn, type, entity) DO UPDATE SET status = excluded.status,"
      " status_message = excluded.status_message, updated_ms = excluded.updated_ms");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, share_arn)
      .Bind(2, type)
      .Bind(3, entity)
      .Bind(4, status)
      .Bind(5, message)
      .Bind(6, int64_t{type == "PRINCIPAL"})
      .Bind(7, ToMillis(now))
      .Bind(8, ToMillis(now))
      .Run();
}

Result<Association> RamModel::AddResource(const CallContext& ctx, const ResourceShare& share,
                                          const std::string& resource_arn) {
  auto type = CheckShareableResource(ctx, resource_arn);
  if (!type.ok()) return type.status();
  auto existing = LoadAssociations("a.share_arn = ? AND a.type = 'RESOURCE' AND a.entity = ?",
                                   {share.arn, resource_arn});
  if (!existing.ok()) return existing.status();
  if (!existing->empty() && existing->front().status == "ASSOCIATED") return existing->front();
  CM_RETURN_IF_ERROR(
      SetAssociation(share.arn, "RESOURCE", resource_arn, "ASSOCIATED", "", ctx.now));
  spdlog::info("resource {} added to share {}", resource_arn, share.name);
  return Association{share.arn, share.name, resource_arn, "RESOURCE", "ASSOCIATED",
                     "",        ctx.now,    ctx.now,      false};
}

Result<Association> RamModel::AddPrincipal(const CallContext& ctx, const ResourceShare& share,
                                           const std::string& principal) {
  CM_RETURN_IF_ERROR(CheckPrincipal(share, principal));
  // Associating again what is associated, or invited, changes nothing, as in AWS: a new
  // invitation would take an accepted share's access away until it too was accepted, and a
  // principal named twice would get two invitations, the rejection of either failing both.
  auto existing = LoadAssociations("a.share_arn = ? AND a.type = 'PRINCIPAL' AND a.entity = ?",
                                   {share.arn, principal});
  if (!existing.ok()) return existing.status();
  if (!existing->empty() &&
      (existing->front().status == "ASSOCIATED" || existing->front().status == "ASSOCIATING")) {
    spdlog::debug("account {} is already {} with share {}", principal, existing->front().status,
                  share.name);
    return existing->front();
  }
  CM_RETURN_IF_ERROR(SetAssociation(share.arn, "PRINCIPAL", principal, "ASSOCIATING",
                                    "waiting for the invitation to be accepted", ctx.now));

  // An account outside the owner's organization must accept an invitation first.
  std::string invitation =
      Arn{"aws", "ram", ctx.region, ctx.account->id, "resource-share-invitation/" + NewUuid()}
          .ToString();
  auto stmt = store_.Prepare(
      "INSERT INTO ram_invitations (arn, share_arn, region, sender, receiver, status, created_ms)"
      " VALUES (?, ?, ?, ?, ?, 'PENDING', ?)");
  if (!stmt.ok()) return stmt.status();
  CM_RETURN_IF_ERROR(stmt->Bind(1, invitation)
                         .Bind(2, share.arn)
                         .Bind(3, ctx.region)
                         .Bind(4, ctx.account->id)
                         .Bind(5, principal)
                         .Bind(6, ToMillis(ctx.now))
                         .Run());
  spdlog::info("invitation to share {} sent to account {}", share.name, principal);
  return Association{share.arn,   share.name,    principal,
                     "PRINCIPAL", "ASSOCIATING", "waiting for the invitation to be accepted",
                     ctx.now,     ctx.now,       true};
}

Result<std::string> RamModel::IdempotencyMismatch(const ResourceShare& share,
                                                  const CreateShareInput& in) {
  auto associated =
      LoadAssociations("a.share_arn = ? AND a.status != 'DISASSOCIATED'", {share.arn});
  if (!associated.ok()) return associated.status();
  std::set<std::string> resources, principals;
  for (const Association& a : *associated) {
    (a.type == "RESOURCE" ? resources : principals).insert(a.entity);
  }

  std::vector<std::string> differ;
  if (share.name != in.name) differ.push_back("name");
  if (resources != std::set<std::string>(in.resource_arns.begin(), in.resource_arns.end())) {
    differ.push_back("resourceArns");
  }
  if (principals != std::set<std::string>(in.principals.begin(), in.principals.end())) {
    differ.push_back("principals");
  }
  if (share.allow_external_principals != in.allow_external_principals) {
    differ.push_back("allowExternalPrincipals");
  }
  if (share.tags != in.tags) differ.push_back("tags");
  if (share.permission_arns != in.permission_arns) differ.push_back("permissionArns");
  if (differ.empty()) return std::string();
  return fmt::format("{} ({})", differ.size() == 1 ? "parameter" : "parameters",
                     fmt::join(differ, ", "));
}

Result<ResourceShare> RamModel::CreateResourceShare(const CallContext& ctx,
                                                    const CreateShareInput& in) {
  if (in.name.empty()) {
    return Error("InvalidParameterException", "the resource share needs a non-empty name");
  }
  for (size_t i = 0; i < in.tags.size(); ++i) {
    const size_t length = in.tags[i].first.size();
    if (length == 0 || length > 128) {
      return Error(
          "InvalidParameterException",
          fmt::format("tags[{}].key is {} characters long; a tag key has 1 to 128", i, length));
    }
  }
  if (in.client_token) {
    auto prior = store_.Prepare(
        fmt::format("SELECT {} FROM ram_shares WHERE client_token = ? AND owner = ? AND region = ?",
                    kShareColumns));
    if (!prior.ok()) return prior.status();
    prior->Bind(1, *in.client_token).Bind(2, ctx.account->id).Bind(3, ctx.region);
    if (prior->Step()) {
      ResourceShare share = ShareFromRow(*prior);
      auto differs = IdempotencyMismatch(share, in);
      if (!differs.ok()) return differs.status();
      if (!differs->empty()) {
        return Error("IdempotentParameterMismatchException",
                     fmt::format("clientToken '{}' was used for share '{}' with other {}; use a "
                                 "new token for a new share",
                                 *in.client_token, share.name, *differs));
      }
      return share;
    }
  }

  ResourceShare share;
  share.arn =
      Arn{"aws", "ram", ctx.region, ctx.account->id, "resource-share/" + NewUuid()}.ToString();
  share.name = in.name;
  share.owner = ctx.account->id;
  share.allow_external_principals = in.allow_external_principals;
  share.status = "ACTIVE";
  share.tags = in.tags;
  share.created = share.updated = ctx.now;
  share.permission_arns = in.permission_arns;
  for (const auto& arn : share.permission_arns) {
    if (!FindPermission(arn)) {
      return Error("UnknownResourceException",
                   fmt::format("permission '{}' does not exist; see ram list-permissions", arn));
    }
  }

  nlohmann::json tags = nlohmann::json::array();
  for (const auto& [k, v] : share.tags) tags.push_back({k, v});
  auto insert = store_.Prepare(
      "INSERT INTO ram_shares (arn, region, owner, name, allow_external, status, status_message,"
      " tags, permission_arns, client_token, created_ms, updated_ms)"
      " VALUES (?, ?, ?, ?, ?, 'ACTIVE', '', ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  CM_RETURN_IF_ERROR(insert->Bind(1, share.arn)
                         .Bind(2, ctx.region)
                         .Bind(3, share.owner)
                         .Bind(4, share.name)
                         .Bind(5, int64_t{share.allow_external_principals})
                         .Bind(6, tags.dump())
                         .Bind(7, nlohmann::json(share.permission_arns).dump())
                         .Bind(8, in.client_token)
                         .Bind(9, ToMillis(ctx.now))
                         .Bind(10, ToMillis(ctx.now))
                         .Run());

  for (const auto& resource : in.resource_arns) {
    auto added = AddResource(ctx, share, resource);
    if (!added.ok()) return added.status();
  }
  for (const auto& principal : in.principals) {
    auto added = AddPrincipal(ctx, share, principal);
    if (!added.ok()) return added.status();
  }
  spdlog::info("resource share {} created by {}", share.name, share.owner);
  return share;
}

Result<std::vector<ResourceShare>> RamModel::GetResourceShares(const CallContext& ctx,
                                                               const ShareFilter& filter) {
  // Other accounts' shares show once this account's principal association is ASSOCIATED.
  auto stmt = store_.Prepare(
      filter.other_accounts
          ? fmt::format("SELECT {} FROM ram_shares s WHERE owner != ?1 AND region = ?2 AND EXISTS"
                        " (SELECT 1 FROM ram_associations a WHERE a.share_arn = s.arn AND"
                        " a.type = 'PRINCIPAL' AND a.entity = ?1 AND a.status = 'ASSOCIATED')"
                        " ORDER BY created_ms",
                        kShareColumns)
          : fmt::format("SELECT {} FROM ram_shares WHERE owner = ?1 AND region = ?2"
                        " ORDER BY created_ms",
                        kShareColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ctx.account->id).Bind(2, ctx.region);

  std::vector<ResourceShare> out;
  while (stmt->Step()) {
    ResourceShare share = ShareFromRow(*stmt);
    if (!Contains(filter.arns, share.arn)) continue;
    if (filter.status && share.status != *filter.status) continue;
    if (filter.name && share.name != *filter.name) continue;
    out.push_back(std::move(share));
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return out;
}

Result<ResourceShare> RamModel::UpdateResourceShare(const CallContext& ctx, const std::string& arn,
                                                    const std::optional<std::string>& name,
                                                    std::optional<bool> allow_external) {
  auto share = LoadOwnShare(ctx, arn);
  if (!share.ok()) return share;
  if (name) {
    if (name->empty()) return Error("InvalidParameterException", "name cannot be empty");
    share->name = *name;
  }
  if (allow_external) share->allow_external_principals = *allow_external;
  share->updated = ctx.now;

  auto stmt = store_.Prepare(
      "UPDATE ram_shares SET name = ?, allow_external = ?, updated_ms = ? WHERE arn = ?");
  if (!stmt.ok()) return stmt.status();
  CM_RETURN_IF_ERROR(stmt->Bind(1, share->name)
                         .Bind(2, int64_t{share->allow_external_principals})
                         .Bind(3, ToMillis(ctx.now))
                         .Bind(4, arn)
                         .Run());
  return share;
}

Status RamModel::DeleteResourceShare(const CallContext& ctx, const std::string& arn,
                                     const std::optional<std::string>& client_token) {
  // A retry of the delete that deleted it (its answer lost) is answered again, as create,
  // accept and reject are; another delete of a deleted share is refused.
  if (client_token) {
    auto replay = store_.Prepare(
        "SELECT 1 FROM ram_shares WHERE arn = ? AND region = ? AND owner = ? AND "
        "status = 'DELETED' AND delete_token = ?");
    if (!replay.ok()) return replay.status();
    replay->Bind(1, arn).Bind(2, ctx.region).Bind(3, ctx.account->id).Bind(4, *client_token);
    if (replay->Step()) return Status::Ok();
    CM_RETURN_IF_ERROR(replay->status());
  }
  auto share = LoadOwnShare(ctx, arn);
  if (!share.ok()) return share.status();

  // Deleting a share takes every association and pending invitation with it, at once.
  int64_t now = ToMillis(ctx.now);
  auto shares = store_.Prepare(
      "UPDATE ram_shares SET status = 'DELETED', updated_ms = ?, delete_token = ? WHERE arn = ?");
  auto associations = store_.Prepare(
      "UPDATE ram_associations SET status = 'DISASSOCIATED', status_message = 'the resource "
      "share was deleted', updated_ms = ? WHERE share_arn = ?");
  auto invitations = store_.Prepare(
      "UPDATE ram_invitations SET status = 'EXPIRED' WHERE share_arn = ? AND status = 'PENDING'");
  if (!shares.ok() || !associations.ok() || !invitations.ok()) {
    return !shares.ok() ? shares.status()
                        : (!associations.ok() ? associations.status() : invitations.status());
  }
  shares->Bind(1, now).Bind(3, arn);
  if (client_token) shares->Bind(2, *client_token);
  CM_RETURN_IF_ERROR(shares->Run());
  CM_RETURN_IF_ERROR(associations->Bind(1, now).Bind(2, arn).Run());
  CM_RETURN_IF_ERROR(invitations->Bind(1, arn).Run());
  spdlog::info("resource share {} deleted", share->name);
  return Status::Ok();
}

Result<std::vector<Association>> RamModel::AssociateResourceShare(
    const CallContext& ctx, const std::string& arn, const std::vector<std::string>& resources,
    const std::vector<std::string>& principals) {
  auto share = LoadOwnShare(ctx, arn);
  if (!share.ok()) return share.status();
  if (resources.empty() && principals.empty()) {
    return Error("InvalidParameterException",
                 "name at least one of resourceArns or principals to associate");
  }

  std::vector<Association> out;
  for (const auto& resource : resources) {
    auto added = AddResource(ctx, *share, resource);
    if (!added.ok()) return added.status();
    out.push_back(*added);
  }
  for (const auto& principal : principals) {
    auto added = AddPrincipal(ctx, *share, principal);
    if (!added.ok()) return added.status();
    out.push_back(*added);
  }
  return out;
}

Result<std::vector<Association>> RamModel::DisassociateResourceShare(
    const CallContext& ctx, const std::string& arn, const std::vector<std::string>& resources,
    const std::vector<std::string>& principals) {
  auto share = LoadOwnShare(ctx, arn);
  if (!share.ok()) return share.status();

  std::vector<Association> out;
  auto drop = [&](const std::string& type, const std::string& entity) -> Status {
    auto existing =
        LoadAssociations("share_arn = ? AND type = ? AND entity = ?", {arn, type, entity});
    if (!existing.ok()) return existing.status();
    if (existing->empty()) {
      return Error(
          "UnknownResourceException",
          fmt::format("'{}' is not associated with resource share '{}'", entity, share->name));
    }
    CM_RETURN_IF_ERROR(
        SetAssociation(arn, type, entity, "DISASSOCIATED", "disassociated by the owner", ctx.now));
    Association a = existing->front();
    a.status = "DISASSOCIATED";
    a.updated = ctx.now;
    out.push_back(a);
    return Status::Ok();
  };
  for (const auto& resource : resources) CM_RETURN_IF_ERROR(drop("RESOURCE", resource));
  for (const auto& principal : principals) CM_RETURN_IF_ERROR(drop("PRINCIPAL", principal));
  return out;
}

Result<std::vector<Association>> RamModel::LoadAssociations(const std::string& sql_where,
                                                            const std::vector<std::string>& binds) {
  auto stmt = store_.Prepare(
      "SELECT a.share_arn, s.name, a.entity, a.type, a.status, a.status_message, a.created_ms,"
      " a.updated_ms, a.external FROM ram_associations a JOIN ram_shares s ON s.arn = a.share_arn"
      " WHERE " +
      sql_where + " ORDER BY a.created_ms");
  if (!stmt.ok()) return stmt.status();
  for (size_t i = 0; i < binds.size(); ++i) stmt->Bind(static_cast<int>(i + 1), binds[i]);

  std::vector<Association> out;
  while (stmt->Step()) {
    out.push_back({stmt->Text(0), stmt->Text(1), stmt->Text(2), stmt->Text(3), stmt->Text(4),
                   stmt->Text(5), FromMillis(stmt->Int(6)), FromMillis(stmt->Int(7)),
                   stmt->Int(8) != 0});
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return out;
}

Result<std::vector<Association>> RamModel::GetResourceShareAssociations(
    const CallContext& ctx, const AssociationFilter& filter) {
  // The owner sees every association of its shares; a principal sees its own.
  auto all = LoadAssociations("a.type = ? AND s.region = ? AND (s.owner = ? OR a.entity = ?)",
                              {filter.type, ctx.region, ctx.account->id, ctx.account->id});
  if (!all.ok()) return all;

  std::vector<Association> out;
  for (auto& a : *all) {
    if (!Contains(filter.share_arns, a.share_arn)) continue;
    if (filter.resource_arn && a.entity != *filter.resource_arn) continue;
    if (filter.principal && a.entity != *filter.principal) continue;
    if (filter.status && a.status != *filter.status) continue;
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<Invitation>> RamModel::LoadInvitations(const std::string& sql_where,
                                                          const std::vector<std::string>& binds) {
  auto stmt = store_.Prepare(
      "SELECT i.arn, i.share_arn, s.name, i.sender, i.receiver, i.status, i.created_ms"
      " FROM ram_invitations i JOIN ram_shares s ON s.arn = i.share_arn WHERE " +
      sql_where + " ORDER BY i.created_ms");
  if (!stmt.ok()) return stmt.status();
  for (size_t i = 0; i < binds.size(); ++i) stmt->Bind(static_cast<int>(i + 1), binds[i]);

  std::vector<Invitation> out;
  while (stmt->Step()) {
    out.push_back({stmt->Text(0),
                   stmt->Text(1),
                   stmt->Text(2),
                   stmt->Text(3),
                   stmt->Text(4),
                   stmt->Text(5),
                   FromMillis(stmt->Int(6)),
                   {}});
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return out;
}

Result<std::vector<Invitation>> RamModel::GetResourceShareInvitations(
    const CallContext& ctx, const std::vector<std::string>& invitation_arns,
    const std::vector<std::string>& share_arns) {
  for (const auto& arn : invitation_arns) {
    auto parsed = ParseArn(arn, "ram");
    if (!parsed.ok()) return MalformedArn("resourceShareInvitationArn", arn, parsed.status());
  }
  auto all = LoadInvitations("i.receiver = ? AND i.region = ?", {ctx.account->id, ctx.region});
  if (!all.ok()) return all;

  std::vector<Invitation> out;
  for (auto& invitation : *all) {
    if (!Contains(invitation_arns, invitation.arn)) continue;
    if (!Contains(share_arns, invitation.share_arn)) continue;
    out.push_back(std::move(invitation));
  }
  if (!invitation_arns.empty() && out.size() != invitation_arns.size()) {
    return Error(
        "ResourceShareInvitationArnNotFoundException",
        fmt::format("account {} has no invitation with some of the given ARNs", ctx.account->id));
  }
  return out;
}

Result<Invitation> RamModel::Respond(const CallContext& ctx, const std::string& arn, bool accept,
                                     const std::optional<std::string>& client_token) {
  auto parsed = ParseArn(arn, "ram");
  if (!parsed.ok()) return MalformedArn("resourceShareInvitationArn", arn, parsed.status());
  auto found = LoadInvitations("i.arn = ?", {arn});
  if (!found.ok()) return found.status();
  if (found->empty() || found->front().receiver != ctx.account->id) {
    return Error("ResourceShareInvitationArnNotFoundException",
                 fmt::format("account {} has no invitation '{}'; list them with "
                             "get-resource-share-invitations",
                             ctx.account->id, arn));
  }

  Invitation invitation = found->front();
  // A retry of the call that answered it (an SDK's, after a lost response) gets that answer.
  const std::string answered = accept ? "ACCEPTED" : "REJECTED";
  if (client_token && invitation.status == answered) {
    auto token = store_.Prepare("SELECT response_token FROM ram_invitations WHERE arn = ?");
    if (!token.ok()) return token.status();
    if (token->Bind(1, arn).Step() && !token->IsNull(0) && token->Text(0) == *client_token) {
      auto associations =
          LoadAssociations("a.share_arn = ? AND a.type = 'PRINCIPAL' AND a.entity = ?",
                           {invitation.share_arn, ctx.account->id});
      if (!associations.ok()) return associations.status();
      invitation.associations = *associations;
      return invitation;
    }
  }
  if (invitation.status == "ACCEPTED") {
    return Error("ResourceShareInvitationAlreadyAcceptedException",
                 fmt::format("invitation '{}' was already accepted", arn));
  }
  if (invitation.status == "REJECTED") {
    return Error(
        "ResourceShareInvitationAlreadyRejectedException",
        fmt::format("invitation '{}' was already rejected; ask the owner to share again", arn));
  }
  if (invitation.status == "EXPIRED") {
    return Error("ResourceShareInvitationExpiredException",
                 fmt::format("invitation '{}' expired (invitations last 7 days, or the share was "
                             "deleted); ask the owner to share again",
                             arn));
  }

  invitation.status = accept ? "ACCEPTED" : "REJECTED";
  auto stmt =
      store_.Prepare("UPDATE ram_invitations SET status = ?, response_token = ? WHERE arn = ?");
  if (!stmt.ok()) return stmt.status();
  CM_RETURN_IF_ERROR(stmt->Bind(1, invitation.status).Bind(2, client_token).Bind(3, arn).Run());
  CM_RETURN_IF_ERROR(SetAssociation(invitation.share_arn, "PRINCIPAL", ctx.account->id,
                                    accept ? "ASSOCIATED" : "FAILED",
                                    accept ? "" : "the invitation was rejected", ctx.now));
  spdlog::info("invitation to share {} {} by account {}", invitation.share_name,
               accept ? "accepted" : "rejected", ctx.account->id);

  auto associations = LoadAssociations("a.share_arn = ? AND a.type = 'PRINCIPAL' AND a.entity = ?",
                                       {invitation.share_arn, ctx.account->id});
  if (!associations.ok()) return associations.status();
  invitation.associations = *associations;
  return invitation;
}

Result<Invitation> RamModel::AcceptResourceShareInvitation(
    const CallContext& ctx, const std::string& arn,
    const std::optional<std::string>& client_token) {
  return Respond(ctx, arn, true, client_token);
}

Result<Invitation> RamModel::RejectResourceShareInvitation(
    const CallContext& ctx, const std::string& arn,
    const std::optional<std::string>& client_token) {
  return Respond(ctx, arn, false, client_token);
}

Result<std::vector<SharedResource>> RamModel::ListResources(const CallContext& ctx,
                                                            const ListFilter& filter) {
  // SELF: resources in this account's shares; OTHER-ACCOUNTS: resources shared with it.
  std::string where =
      filter.other_accounts
          ? "a.type = 'RESOURCE' AND a.status = 'ASSOCIATED' AND s.status = 'ACTIVE' AND "
            "s.region = ? AND EXISTS (SELECT 1 FROM ram_associations p WHERE p.share_arn = "
            "s.arn AND p.type = 'PRINCIPAL' AND p.entity = ? AND p.status = 'ASSOCIATED')"
          : "a.type = 'RESOURCE' AND a.status = 'ASSOCIATED' AND s.region = ? AND s.owner = ?";
  auto associations = LoadAssociations(where, {ctx.region, ctx.account->id});
  if (!associations.ok()) return associations.status();

  std::vector<SharedResource> out;
  for (const auto& a : *associations) {
    auto arn = ParseArn(a.entity);
    std::string type = arn.ok() ? ResourceTypeOf(arn->service, arn->resource) : "";
    if (filter.resource_type && type != *filter.resource_type) continue;
    if (!Contains(filter.resource_arns, a.entity)) continue;
    if (!Contains(filter.share_arns, a.share_arn)) continue;
    if (filter.principal) {
      auto principal = LoadAssociations("a.share_arn = ? AND a.type = 'PRINCIPAL' AND a.entity = ?",
                                        {a.share_arn, *filter.principal});
      if (!principal.ok()) return principal.status();
      if (principal->empty()) continue;
    }
    out.push_back({a.entity, type, a.share_arn, "AVAILABLE", a.created, a.updated});
  }
  return out;
}

Result<std::vector<SharedPrincipal>> RamModel::ListPrincipals(const CallContext& ctx,
                                                              const ListFilter& filter) {
  std::string where =
      filter.other_accounts
          ? "a.type = 'PRINCIPAL' AND a.status = 'ASSOCIATED' AND s.region = ? AND a.entity = ?"
          : "a.type = 'PRINCIPAL' AND a.status != 'DISASSOCIATED' AND s.region = ? AND "
            "s.owner = ?";
  auto associations = LoadAssociations(where, {ctx.region, ctx.account->id});
  if (!associations.ok()) return associations.status();

  std::vector<SharedPrincipal> out;
  for (const auto& a : *associations) {
    if (!Contains(filter.principals, a.entity)) continue;
    if (!Contains(filter.share_arns, a.share_arn)) continue;
    if (filter.resource_arn || filter.resource_type) {
      auto resources = ListResources(ctx, ListFilter{filter.other_accounts,
                                                     std::nullopt,
                                                     std::nullopt,
                                                     filter.resource_type,
                                                     {},
                                                     {a.share_arn},
                                                     {}});
      if (!resources.ok()) return resources.status();
      bool match = false;
      for (const auto& r : *resources) {
        match = match || !filter.resource_arn || r.arn == *filter.resource_arn;
      }
      if (!match) continue;
    }
    out.push_back({a.entity, a.share_arn, a.created, a.updated, a.external});
  }
  return out;
}

std::optional<TimePoint> RamModel::NextInvitationExpiry() {
  auto stmt =
      store_.Prepare("SELECT MIN(created_ms) FROM ram_invitations WHERE status = 'PENDING'");
  if (!stmt.ok() || !stmt->Step() || stmt->IsNull(0)) return std::nullopt;
  return FromMillis(stmt->Int(0)) + kInvitationLifetime;
}

Status RamModel::ExpireInvitations(TimePoint now) {
  int64_t cutoff = ToMillis(now - kInvitationLifetime);
  auto stmt = store_.Prepare(
      "SELECT arn, share_arn, receiver FROM ram_invitations"
      " WHERE status = 'PENDING' AND created_ms <= ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, cutoff);
  std::vector<std::array<std::string, 3>> expired;
  while (stmt->Step()) expired.push_back({stmt->Text(0), stmt->Text(1), stmt->Text(2)});
  CM_RETURN_IF_ERROR(stmt->status());

  for (const auto& [arn, share_arn, receiver] : expired) {
    auto update = store_.Prepare("UPDATE ram_invitations SET status = 'EXPIRED' WHERE arn = ?");
    if (!update.ok()) return update.status();
    CM_RETURN_IF_ERROR(update->Bind(1, arn).Run());
    CM_RETURN_IF_ERROR(SetAssociation(share_arn, "PRINCIPAL", receiver, "FAILED",
                                      "the invitation expired after 7 days", now));
    spdlog::info("invitation {} to account {} expired", arn, receiver);
  }
  return Status::Ok();
}

Status CheckSharedAccess(Store& store, std::string_view resource_arn, std::string_view account,
                         std::string_view action) {
  auto stmt = store.Prepare(
      "SELECT s.name, s.status, s.permission_arns, p.status, p.status_message, r.status"
      " FROM ram_associations r JOIN ram_shares s ON s.arn = r.share_arn"
      " LEFT JOIN ram_associations p ON p.share_arn = s.arn AND p.type = 'PRINCIPAL'"
      " AND p.entity = ?2"
      " WHERE r.type = 'RESOURCE' AND r.entity = ?1"
      " ORDER BY s.created_ms");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, resource_arn).Bind(2, account);

  auto parsed = ParseArn(resource_arn);
  std::string type = parsed.ok() ? ResourceTypeOf(parsed->service, parsed->resource) : "";
  std::string owner = parsed.ok() ? parsed->account : std::string("its owner");
  std::string reason = fmt::format(
      "no resource share gives it access; account {} can share it through RAM "
      "(ram create-resource-share), then this account accepts the invitation",
      owner);
  while (stmt->Step()) {
    std::string share = stmt->Text(0);
    if (stmt->IsNull(3)) continue;
    if (stmt->Text(1) != "ACTIVE") {
      reason = fmt::format("resource share '{}' was deleted; ask account {} to share it again",
                           share, owner);
      continue;
    }
    if (stmt->Text(5) != "ASSOCIATED") {
      reason = fmt::format("the resource was removed from resource share '{}'", share);
      continue;
    }
    std::string principal_status = stmt->Text(3);
    if (principal_status != "ASSOCIATED") {
      reason = principal_status == "ASSOCIATING"
                   ? fmt::format(
                         "its invitation to resource share '{}' is not accepted yet; "
                         "accept it with ram accept-resource-share-invitation",
                         share)
                   : fmt::format(
                         "its association with resource share '{}' is {} ({}); ask "
                         "account {} to associate this account with the share again",
                         share, principal_status, stmt->Text(4), owner);
      continue;
    }

    auto arns = nlohmann::json::parse(stmt->Text(2)).get<std::vector<std::string>>();
    std::vector<const ManagedPermission*> permissions;
    for (const auto& arn : arns) permissions.push_back(FindPermission(arn));
    if (permissions.empty()) permissions.push_back(DefaultPermission(type));
    for (const auto* permission : permissions) {
      if (permission && Grants(*permission, action)) return Status::Ok();
    }
    reason = fmt::format("resource share '{}' does not grant {}", share, action);
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return Error("AccessDeniedException",
               fmt::format("Account {} is not authorized to perform {} on {}: {}", account, action,
                           resource_arn, reason));
}

}  // namespace crossmesh::ram
