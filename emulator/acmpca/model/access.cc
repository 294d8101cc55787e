// What is attached to a CA: permissions for the ACM service principal, tags and the resource
// policy.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "emulator/acmpca/model/acmpca_model.h"
#include "emulator/acmpca/model/authorize.h"
#include "emulator/acmpca/model/ca_store.h"
#include "emulator/acmpca/model/rules.h"

namespace crossmesh::acmpca {
namespace {

constexpr size_t kDefaultPageSize = 100;
constexpr size_t kMaxPolicyBytes = 20480;

std::string JoinActions(std::vector<PermissionAction> actions) {
  std::sort(actions.begin(), actions.end());
  actions.erase(std::unique(actions.begin(), actions.end()), actions.end());
  std::string out;
  for (PermissionAction action : actions) {
    if (!out.empty()) out += ',';
    out += NameOf(kPermissionActionNames, action);
  }
  return out;
}

std::vector<PermissionAction> SplitActions(std::string_view text) {
  std::vector<PermissionAction> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    if (auto action = ValueOf(kPermissionActionNames, text.substr(0, comma))) {
      out.push_back(*action);
    }
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

// Every state but DELETED and FAILED, for what is attached to a CA rather than what it signs.
Status RequireLiveCa(const CaRecord& ca, std::string_view action) {
  return RequireState(ca, action,
                      {CaStatus::kCreating, CaStatus::kPendingCertificate, CaStatus::kActive,
                       CaStatus::kDisabled, CaStatus::kExpired},
                      "Restore a deleted CA with restore-certificate-authority first");
}

Result<std::vector<Permission>> LoadPermissions(Store& store, const CaRecord& ca) {
  auto stmt = store.Prepare(
      "SELECT principal, source_account, actions, created_ms FROM acmpca_permissions"
      " WHERE account = ? AND region = ? AND ca_id = ? ORDER BY created_ms, rowid");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ca.account).Bind(2, ca.region).Bind(3, ca.id);
  std::vector<Permission> out;
  while (stmt->Step()) {
    out.push_back({ca.arn, FromMillis(stmt->Int(3)), stmt->Text(0), stmt->Text(1),
                   SplitActions(stmt->Text(2)), std::string()});
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return out;
}

}  // namespace

Status CreatePermission(Store& store, const CallContext& ctx, std::string_view ca_arn,
                        std::string_view principal, std::string_view source_account,
                        const std::vector<PermissionAction>& actions) {
  auto ca = FindCaFor(store, ctx, ca_arn, "CreatePermission");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireLiveCa(*ca, "CreatePermission"));
  if (principal != kAcmPrincipal) {
    return Error("ValidationException",
                 fmt::format("Principal '{}' cannot be granted permissions; the only principal "
                             "is {}",
                             principal, kAcmPrincipal));
  }
  if (actions.empty()) {
    return Error("ValidationException",
                 "Actions is empty; grant IssueCertificate, GetCertificate and/or ListPermissions");
  }

  auto stmt = store.Prepare(
      "INSERT INTO acmpca_permissions (account, region, ca_id, principal, source_account,"
      " actions, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ca->account).Bind(2, ca->region).Bind(3, ca->id).Bind(4, principal);
  stmt->Bind(5, source_account).Bind(6, JoinActions(actions)).Bind(7, ToMillis(ctx.now));
  CM_RETURN_IF_ERROR(stmt->Run());
  if (store.Changes() == 0) {
    return Error("PermissionAlreadyExistsException",
                 fmt::format("{} already has a permission for {}; delete it first to change "
                             "its actions",
                             ca->arn, principal));
  }
  spdlog::info("ca permission created arn={} principal={} actions={}", ca->arn, principal,
               JoinActions(actions));
  return Status::Ok();
}

Result<PermissionList> ListPermissions(Store& store, const CallContext& ctx,
                                       std::string_view ca_arn, const Page& page) {
  auto ca = FindCaFor(store, ctx, ca_arn, "ListPermissions");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireLiveCa(*ca, "ListPermissions"));
  auto all = LoadPermissions(store, *ca);
  if (!all.ok()) return all.status();

  auto window = PageOf(all->size(), page, kDefaultPageSize,
                       fmt::format("ListPermissions\n{}\n{}", ctx.account->id, ca->arn));
  if (!window.ok()) return window.status();
  PermissionList list;
  list.permissions.assign(all->begin() + static_cast<ptrdiff_t>(window->begin),
                          all->begin() + static_cast<ptrdiff_t>(window->end));
  list.next_token = window->next_token;
  return list;
}

Status DeletePermission(Store& store, const CallContext& ctx, std::string_view ca_arn,
                        std::string_view principal, std::string_view source_account) {
  auto ca = FindCaFor(store, ctx, ca_arn, "DeletePermission");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireLiveCa(*ca, "DeletePermission"));

  auto stmt = store.Prepare(
      "DELETE FROM acmpca_permissions WHERE account = ? AND region = ? AND ca_id = ?"
      " AND principal = ? AND source_account = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ca->account).Bind(2, ca->region).Bind(3, ca->id).Bind(4, principal);
  stmt->Bind(5, source_account);
  CM_RETURN_IF_ERROR(stmt->Run());
  if (store.Changes() == 0) {
    return Error(
        "ResourceNotFoundException",
        fmt::format(
            "{} has no permission for principal {}{}", ca->arn, principal,
            source_account.empty() ? "" : " and source account " + std::string(source_account)));
  }
  spdlog::info("ca permission deleted arn={} principal={}", ca->arn, principal);
  return Status::Ok();
}

Status TagCertificateAuthority(Store& store, const CallContext& ctx, std::string_view ca_arn,
                               const std::vector<Tag>& tags) {
  auto ca = FindCaFor(store, ctx, ca_arn, "TagCertificateAuthority");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(CheckTags(tags));
  return UpsertTags(store, *ca, tags);
}

Status UntagCertificateAuthority(Store& store, const CallContext& ctx, std::string_view ca_arn,
                                 const std::vector<Tag>& tags) {
  auto ca = FindCaFor(store, ctx, ca_arn, "UntagCertificateAuthority");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(CheckTags(tags));

  // A tag given with a value is removed only when the value matches (API reference).
  for (const Tag& tag : tags) {
    auto stmt = store.Prepare(
        "DELETE FROM acmpca_tags WHERE account = ? AND region = ? AND ca_id = ? AND key = ?"
        " AND (? IS NULL OR value IS ?)");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, ca->account).Bind(2, ca->region).Bind(3, ca->id).Bind(4, tag.key);
    stmt->Bind(5, tag.value).Bind(6, tag.value);
    CM_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Result<TagList> ListTags(Store& store, const CallContext& ctx, std::string_view ca_arn,
                         const Page& page) {
  auto ca = FindCaFor(store, ctx, ca_arn, "ListTags");
  if (!ca.ok()) return ca.status();
  auto stmt = store.Prepare(
      "SELECT key, value FROM acmpca_tags WHERE account = ? AND region = ? AND ca_id = ?"
      " ORDER BY rowid");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ca->account).Bind(2, ca->region).Bind(3, ca->id);
  std::vector<Tag> all;
  while (stmt->Step()) all.push_back({stmt->Text(0), stmt->OptionalText(1)});
  CM_RETURN_IF_ERROR(stmt->status());

  auto window = PageOf(all.size(), page, kDefaultPageSize,
                       fmt::format("ListTags\n{}\n{}", ctx.account->id, ca->arn));
  if (!window.ok()) return window.status();
  TagList list;
  list.tags.assign(all.begin() + static_cast<ptrdiff_t>(window->begin),
                   all.begin() + static_cast<ptrdiff_t>(window->end));
  list.next_token = window->next_token;
  return list;
}

Status PutPolicy(Store& store, const CallContext& ctx, std::string_view resource_arn,
                 std::string_view policy) {
  auto ca = FindCaFor(store, ctx, resource_arn, "PutPolicy");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireLiveCa(*ca, "PutPolicy"));
  if (policy.empty() || policy.size() > kMaxPolicyBytes) {
    return Error("InvalidPolicyException",
                 fmt::format("The policy is {} bytes; a resource policy holds 1 to {} bytes",
                             policy.size(), kMaxPolicyBytes));
  }
  ca->policy = std::string(policy);
  CM_RETURN_IF_ERROR(SaveCa(store, *ca));
  spdlog::info("ca policy put arn={}", ca->arn);
  return Status::Ok();
}

Result<std::string> GetPolicy(Store& store, const CallContext& ctx, std::string_view resource_arn) {
  auto ca = FindCaFor(store, ctx, resource_arn, "GetPolicy");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireLiveCa(*ca, "GetPolicy"));
  if (ca->policy.empty()) {
    return Error("ResourceNotFoundException",
                 fmt::format("{} has no resource policy; attach one with put-policy", ca->arn));
  }
  return ca->policy;
}

Status DeletePolicy(Store& store, const CallContext& ctx, std::string_view resource_arn) {
  auto ca = FindCaFor(store, ctx, resource_arn, "DeletePolicy");
  if (!ca.ok()) return ca.status();
  CM_RETURN_IF_ERROR(RequireLiveCa(*ca, "DeletePolicy"));
  if (ca->policy.empty()) {
    return Error("ResourceNotFoundException",
                 fmt::format("{} has no resource policy to delete", ca->arn));
  }
  ca->policy.clear();
  CM_RETURN_IF_ERROR(SaveCa(store, *ca));
  spdlog::info("ca policy deleted arn={}", ca->arn);
  return Status::Ok();
}

}  // namespace crossmesh::acmpca
