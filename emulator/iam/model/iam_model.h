// IAM model: the service-linked roles of the emulated accounts, and the one question other
// services ask of them: does this account have the role that lets service X act for it?
//
// Only service-linked roles are emulated, and only ACM's (AWSServiceRoleForCertificateManager,
// which ACM needs to renew certificates from a CA shared by another account). Each account has
// it from the start, as an account that has used ACM does; DeleteServiceLinkedRole removes it
// (the deletion task completes at once) and CreateServiceLinkedRole brings it back.
#pragma once

#include <string>
#include <string_view>

#include "emulator/core/call_context.h"
#include "emulator/core/clock.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::iam {

inline constexpr std::string_view kAcmServicePrincipal = "acm.amazonaws.com";
inline constexpr std::string_view kAcmServiceLinkedRole = "AWSServiceRoleForCertificateManager";

// The Role structure of GetRole / CreateServiceLinkedRole.
struct Role {
  std::string path;  // "/aws-service-role/acm.amazonaws.com/"
  std::string role_name;
  std::string role_id;  // "AROA" + 17 characters
  std::string arn;
  TimePoint created;
  std::string assume_role_policy_document;  // JSON text (the wire layer URL-encodes it)
  std::string description;                  // empty: none
  int max_session_duration = 3600;
};

struct DeletionStatus {
  std::string status;  // SUCCEEDED | IN_PROGRESS | FAILED | NOT_STARTED
};

Status Migrate(Store& store);

// InvalidInput for a service principal with no service-linked role here, a CustomSuffix (ACM's
// role takes none) or a role that exists already.
Result<Role> CreateServiceLinkedRole(Store& store, const CallContext& ctx,
                                     std::string_view service_name, std::string_view description,
                                     std::string_view custom_suffix);
// The DeletionTaskId, "task/aws-service-role/<principal>/<role>/<uuid>". ValidationError for a
// malformed name, NoSuchEntity for a role the account does not have.
Result<std::string> DeleteServiceLinkedRole(Store& store, const CallContext& ctx,
                                            std::string_view role_name);
// InvalidInput for a malformed task id, NoSuchEntity for one this account never got.
Result<DeletionStatus> GetServiceLinkedRoleDeletionStatus(Store& store, const CallContext& ctx,
                                                          std::string_view task_id);
Result<Role> GetRole(Store& store, const CallContext& ctx, std::string_view role_name);

// OK when `account` has the service-linked role of `service_principal`; NoSuchEntity otherwise,
// naming the account and role and the command that creates it.
Status RequireServiceLinkedRole(Store& store, std::string_view account,
                                std::string_view service_principal);

}  // namespace crossmesh::iam
