#include "emulator/iam/model/iam_model.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "emulator/core/ids.h"

namespace crossmesh::iam {
namespace {

// A role row exists once an account's role was first read, deleted or created; no row means
// the role is there as it was when the account was set up.
const std::vector<std::string> kMigrations = {
    "CREATE TABLE iam_service_linked_roles ("
    " account TEXT NOT NULL, role_name TEXT NOT NULL, present INTEGER NOT NULL,"
    " role_id TEXT NOT NULL, description TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " PRIMARY KEY (account, role_name));"
    "CREATE TABLE iam_deletion_tasks ("
    " account TEXT NOT NULL, task_id TEXT NOT NULL, role_name TEXT NOT NULL,"
    " status TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY (account, task_id));",
};

// The service-linked roles crossmesh knows: the service principal and the role it gets.
struct LinkedService {
  std::string_view principal;
  std::string_view role_name;
};
constexpr LinkedService kLinkedServices[] = {
    {kAcmServicePrincipal, kAcmServiceLinkedRole},
};

const LinkedService* ServiceByPrincipal(std::string_view principal) {
  for (const auto& service : kLinkedServices) {
    if (service.principal == principal) return &service;
  }
  return nullptr;
}

const LinkedService* ServiceByRole(std::string_view role_name) {
  for (const auto& service : kLinkedServices) {
    if (service.role_name == role_name) return &service;
  }
  return nullptr;
}

// roleNameType in the IAM model: 1 to 64 of [\w+=,.@-].
Status CheckRoleName(std::string_view name) {
  bool valid =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("_+=,.@-").find(c) != std::string_view::npos;
      });
  if (valid) return Status::Ok();
  return Error("ValidationError",
               fmt::format("1 validation error detected: Value '{}' at 'roleName' failed to "
                           "satisfy constraint: Member must have length between 1 and 64 and "
                           "match the pattern [\\w+=,.@-]+",
                           name));
}

// IAM reports times to the second.
TimePoint WholeSecondsOf(TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t); }

Status NoSuchRole(std::string_view role_name) {
  return Error("NoSuchEntity", fmt::format("The role with name {} cannot be found.", role_name));
}

std::string NewRoleId() {
  std::string id = "AROA" + NewHexId(9).substr(0, 17);
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return id;
}

struct RoleRow {
  bool present = true;
  std::string role_id;
  std::string description;
  TimePoint created;
};

Result<std::optional<RoleRow>> LoadRow(Store& store, std::string_view account,
                                       std::string_view role_name) {
  auto stmt = store.Prepare(
      "SELECT present, role_id, description, created_ms FROM iam_service_linked_roles"
      " WHERE account = ? AND role_name = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, account).Bind(2, role_name);
  if (!stmt->Step()) {
    CM_RETURN_IF_ERROR(stmt->status());
    return std::optional<RoleRow>();
  }
  return std::optional<RoleRow>(
      RoleRow{stmt->Int(0) != 0, stmt->Text(1), stmt->Text(2), FromMillis(stmt->Int(3))});
}

Status SaveRow(Store& store, std::string_view account, std::string_view role_name,
               const RoleRow& row) {
  auto stmt = store.Prepare(
      "INSERT INTO iam_service_linked_roles"
      " (account, role_name, present, role_id, description, created_ms) VALUES (?, ?, ?, ?, ?, ?)"
      " ON CONFLICT(account, role_name) DO UPDATE SET present = excluded.present,"
      " role_id = excluded.role_id, description = excluded.description,"
      " created_ms = excluded.created_ms");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, account).Bind(2, role_name).Bind(3, int64_t{row.present ? 1 : 0});
  stmt->Bind(4, row.role_id).Bind(5, row.description).Bind(6, ToMillis(row.created));
  return stmt->Run();
}

// The account's row for a known role, written now if the role is still as the account began
// (so its RoleId and CreateDate stay the same from one call to the next).
Result<RoleRow> Materialize(Store& store, const CallContext& ctx, std::string_view role_name) {
  auto row = LoadRow(store, ctx.account->id, role_name);
  if (!row.ok()) return row.status();
  if (row->has_value()) return **row;
  RoleRow initial{true, NewRoleId(), "", WholeSecondsOf(ctx.now)};
  CM_RETURN_IF_ERROR(SaveRow(store, ctx.account->id, role_name, initial));
  return initial;
}

Role RoleOf(const LinkedService& service, std::string_view account, const RoleRow& row) {
  Role role;
  role.path = fmt::format("/aws-service-role/{}/", service.principal);
  role.role_name = service.role_name;
  role.role_id = row.role_id;
  role.arn = fmt::format("arn:aws:iam::{}:role{}{}", account, role.path, service.role_name);
  role.created = row.created;
  role.assume_role_policy_document =
      fmt::format(R"({{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":)"
                  R"({{"Service":"{}"}},"Action":"sts:AssumeRole"}}]}})",
                  service.principal);
  role.description = row.description;
  return role;
}

}  // namespace

Status Migrate(Store& store) { return store.Migrate("iam", kMigrations); }

Result<Role> CreateServiceLinkedRole(Store& store, const CallContext& ctx,
                                     std::string_view service_name, std::string_view description,
                                     std::string_view custom_suffix) {
  const LinkedService* service = ServiceByPrincipal(service_name);
  if (service == nullptr) {
    return Error("InvalidInput",
                 fmt::format("Service principal '{}' has no service-linked role in crossmesh; "
                             "the only one emulated is {} (role {})",
                             service_name, kAcmServicePrincipal, kAcmServiceLinkedRole));
  }
  if (!custom_suffix.empty()) {
    return Error("InvalidInput", fmt::format("Custom suffix is not allowed for {}: its "
                                             "service-linked role is always named {}",
                                             service_name, service->role_name));
  }

  auto row = Materialize(store, ctx, service->role_name);
  if (!row.ok()) return row.status();
  if (row->present) {
    return Error("InvalidInput",
                 fmt::format("Service role name {} has been taken in this account, please try a "
                             "different suffix. Account {} already has it; see it with aws iam "
                             "get-role --role-name {}",
                             service->role_name, ctx.account->id, service->role_name));
  }

  RoleRow created{true, NewRoleId(), std::string(description), WholeSecondsOf(ctx.now)};
  CM_RETURN_IF_ERROR(SaveRow(store, ctx.account->id, service->role_name, created));
  spdlog::info("service-linked role created account={} role={}", ctx.account->id,
               service->role_name);
  return RoleOf(*service, ctx.account->id, created);
}

Result<std::string> DeleteServiceLinkedRole(Store& store, const CallContext& ctx,
                                            std::string_view role_name) {
  CM_RETURN_IF_ERROR(CheckRoleName(role_name));
  const LinkedService* service = ServiceByRole(role_name);
  if (service == nullptr) return NoSuchRole(role_name);
  auto row = Materialize(store, ctx, role_name);
  if (!row.ok()) return row.status();
  if (!row->present) return NoSuchRole(role_name);

  row->present = false;
  CM_RETURN_IF_ERROR(SaveRow(store, ctx.account->id, role_name, *row));
  // Nothing in crossmesh holds the role in use, so the deletion task succeeds at once.
  std::string task_id =
      fmt::format("task/aws-service-role/{}/{}/{}", service->principal, role_name, NewUuid());
  auto stmt = store.Prepare(
      "INSERT INTO iam_deletion_tasks (account, task_id, role_name, status, created_ms)"
      " VALUES (?, ?, ?, 'SUCCEEDED', ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ctx.account->id).Bind(2, task_id).Bind(3, role_name).Bind(4, ToMillis(ctx.now));
  CM_RETURN_IF_ERROR(stmt->Run());
  spdlog::info("service-linked role deleted account={} role={}", ctx.account->id, role_name);
  return task_id;
}

Result<DeletionStatus> GetServiceLinkedRoleDeletionStatus(Store& store, const CallContext& ctx,
                                                          std::string_view task_id) {
  if (task_id.rfind("task/aws-service-role/", 0) != 0) {
    return Error("InvalidInput",
                 fmt::format("Invalid deletion task id '{}': DeleteServiceLinkedRole returns ids "
                             "of the form task/aws-service-role/<service>/<role>/<uuid>",
                             task_id));
  }
  auto stmt =
      store.Prepare("SELECT status FROM iam_deletion_tasks WHERE account = ? AND task_id = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ctx.account->id).Bind(2, task_id);
  if (!stmt->Step()) {
    CM_RETURN_IF_ERROR(stmt->status());
    return Error("NoSuchEntity",
                 fmt::format("Deletion task {} cannot be found in account {}; use the "
                             "DeletionTaskId DeleteServiceLinkedRole returned to this account",
                             task_id, ctx.account->id));
  }
  return DeletionStatus{stmt->Text(0)};
}

Result<Role> GetRole(Store& store, const CallContext& ctx, std::string_view role_name) {
  CM_RETURN_IF_ERROR(CheckRoleName(role_name));
  const LinkedService* service = ServiceByRole(role_name);
  if (service == nullptr) return NoSuchRole(role_name);
  auto row = Materialize(store, ctx, role_name);
  if (!row.ok()) return row.status();
  if (!row->present) return NoSuchRole(role_name);
  return RoleOf(*service, ctx.account->id, *row);
}

Status RequireServiceLinkedRole(Store& store, std::string_view account,
                                std::string_view service_principal) {
  const LinkedService* service = ServiceByPrincipal(service_principal);
  if (service == nullptr) {
    return Error("NoSuchEntity",
                 fmt::format("{} has no service-linked role in crossmesh", service_principal));
  }
  auto row = LoadRow(store, account, service->role_name);
  if (!row.ok()) return row.status();
  if (!row->has_value() || (*row)->present) return Status::Ok();
  return Error("NoSuchEntity",
               fmt::format("Account {} has no service-linked role {}, which {} needs to act for "
                           "it; create it with aws iam create-service-linked-role "
                           "--aws-service-name {}",
                           account, service->role_name, service_principal, service_principal));
}

}  // namespace crossmesh::iam
