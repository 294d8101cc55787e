// RAM model: resource shares, their resource and principal associations, invitations, and the
// one question every other service asks: does a share give this account this action here?
//
// Sharing with an account creates a PENDING invitation that only the receiver sees; accepting
// makes the principal association ASSOCIATED. Rejecting, expiry (7 days on the virtual clock),
// disassociating or deleting the share takes access away at once.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emulator/core/call_context.h"
#include "emulator/core/resource_catalog.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::ram {

using Tags = std::vector<std::pair<std::string, std::string>>;

struct ResourceShare {
  std::string arn;
  std::string name;
  std::string owner;
  bool allow_external_principals = true;
  std::string status;  // ACTIVE | DELETED
  std::string status_message;
  Tags tags;
  TimePoint created;
  TimePoint updated;
  std::vector<std::string> permission_arns;
};

struct Association {
  std::string share_arn;
  std::string share_name;
  std::string entity;  // account id or resource ARN
  std::string type;    // PRINCIPAL | RESOURCE
  std::string status;  // ASSOCIATING | ASSOCIATED | FAILED | DISASSOCIATED
  std::string status_message;
  TimePoint created;
  TimePoint updated;
  bool external = false;
};

struct Invitation {
  std::string arn;
  std::string share_arn;
  std::string share_name;
  std::string sender;
  std::string receiver;
  std::string status;  // PENDING | ACCEPTED | REJECTED | EXPIRED
  TimePoint created;
  std::vector<Association> associations;
};

struct SharedResource {
  std::string arn;
  std::string type;
  std::string share_arn;
  std::string status = "AVAILABLE";
  TimePoint created;
  TimePoint updated;
};

struct SharedPrincipal {
  std::string id;
  std::string share_arn;
  TimePoint created;
  TimePoint updated;
  bool external = true;
};

struct CreateShareInput {
  std::string name;
  std::vector<std::string> resource_arns;
  std::vector<std::string> principals;
  Tags tags;
  bool allow_external_principals = true;
  std::optional<std::string> client_token;
  std::vector<std::string> permission_arns;
};

struct ShareFilter {
  bool other_accounts = false;  // resourceOwner OTHER-ACCOUNTS
  std::vector<std::string> arns;
  std::optional<std::string> status;
  std::optional<std::string> name;
};

struct AssociationFilter {
  std::string type;  // PRINCIPAL | RESOURCE
  std::vector<std::string> share_arns;
  std::optional<std::string> resource_arn;
  std::optional<std::string> principal;
  std::optional<std::string> status;
};

struct ListFilter {
  bool other_accounts = false;
  std::optional<std::string> principal;
  std::optional<std::string> resource_arn;
  std::optional<std::string> resource_type;
  std::vector<std::string> resource_arns;
  std::vector<std::string> share_arns;
  std::vector<std::string> principals;
};

inline constexpr auto kInvitationLifetime = std::chrono::hours(24 * 7);

class RamModel {
 public:
  RamModel(Store& store, const ResourceCatalog& catalog) : store_(store), catalog_(catalog) {}

  static Status Migrate(Store& store);

  Result<ResourceShare> CreateResourceShare(const CallContext& ctx, const CreateShareInput& in);
  Result<std::vector<ResourceShare>> GetResourceShares(const CallContext& ctx,
                                                       const ShareFilter& filter);
  Result<ResourceShare> UpdateResourceShare(const CallContext& ctx, const std::string& arn,
                                            const std::optional<std::string>& name,
                                            std::optional<bool> allow_external);
  // `client_token`: a retry with the token of the delete that succeeded succeeds again.
  Status DeleteResourceShare(const CallContext& ctx, const std::string& arn,
                             const std::optional<std::string>& client_token = std::nullopt);
  Result<std::vector<Association>> AssociateResourceShare(
      const CallContext& ctx, const std::string& arn, const std::vector<std::string>& resources,
      const std::vector<std::string>& principals);
  Result<std::vector<Association>> DisassociateResourceShare(
      const CallContext& ctx, const std::string& arn, const std::vector<std::string>& resources,
      const std::vector<std::string>& principals);
  Result<std::vector<Association>> GetResourceShareAssociations(const CallContext& ctx,
                                                                const AssociationFilter& filter);
  Result<std::vector<Invitation>> GetResourceShareInvitations(
      const CallContext& ctx, const std::vector<std::string>& invitation_arns,
      const std::vector<std::string>& share_arns);
  // `client_token`: a retry with the token of the answer that was given replays that answer.
  Result<Invitation> AcceptResourceShareInvitation(const CallContext& ctx, const std::string& arn,
                                                   const std::optional<std::string>& client_token);
  Result<Invitation> RejectResourceShareInvitation(const CallContext& ctx, const std::string& arn,
                                                   const std::optional<std::string>& client_token);
  Result<std::vector<SharedResource>> ListResources(const CallContext& ctx,
                                                    const ListFilter& filter);
  Result<std::vector<SharedPrincipal>> ListPrincipals(const CallContext& ctx,
                                                      const ListFilter& filter);

  // Expiry of invitations pending for 7 days.
  std::optional<TimePoint> NextInvitationExpiry();
  Status ExpireInvitations(TimePoint now);

 private:
  Result<ResourceShare> LoadShare(const std::string& arn, const std::string& region);
  Result<ResourceShare> LoadOwnShare(const CallContext& ctx, const std::string& arn);
  Result<std::string> CheckShareableResource(const CallContext& ctx, const std::string& arn);
  Status CheckPrincipal(const ResourceShare& share, const std::string& principal);
  Result<Association> AddResource(const CallContext& ctx, const ResourceShare& share,
                                  const std::string& resource_arn);
  Result<Association> AddPrincipal(const CallContext& ctx, const ResourceShare& share,
                                   const std::string& principal);
  Result<std::vector<Association>> LoadAssociations(const std::string& sql_where,
                                                    const std::vector<std::string>& binds);
  Result<std::vector<Invitation>> LoadInvitations(const std::string& sql_where,
                                                  const std::vector<std::string>& binds);
  Result<Invitation> Respond(const CallContext& ctx, const std::string& arn, bool accept,
                             const std::optional<std::string>& client_token);
  // What differs between a share made with a client token and a new request with it ("" when
  // nothing does): AWS refuses a token reused for other parameters.
  Result<std::string> IdempotencyMismatch(const ResourceShare& share, const CreateShareInput& in);
  Status SetAssociation(const std::string& share_arn, const std::string& type,
                        const std::string& entity, const std::string& status,
                        const std::string& message, TimePoint now);

  Store& store_;
  const ResourceCatalog& catalog_;
};

// The one cross-account question: may `account` perform `action` ("acm-pca:IssueCertificate")
// on `resource_arn`, owned by another account, through an ASSOCIATED share? OK, or
// AccessDeniedException whose message names the account, the action, the resource and what is
// missing (no share, invitation not accepted, share deleted, permission does not grant it).
Status CheckSharedAccess(Store& store, std::string_view resource_arn, std::string_view account,
                         std::string_view action);

}  // namespace crossmesh::ram
