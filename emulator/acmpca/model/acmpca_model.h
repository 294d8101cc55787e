// The ACM Private CA model: one function per API operation, named as the operation.
//
// Every function runs inside the caller's transaction (the Emulator opens one per API call) and
// never begins or commits one itself. CA ARNs are looked up by the ARN's own account and region
// and then authorized through Authorize (authorize.h), so another account's CA is denied with
// AccessDeniedException rather than reported missing. Errors carry the AWS error codes of the
// ACM-PCA API reference. CA private keys stay in the store: nothing here returns them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/acmpca/model/types.h"
#include "emulator/core/arn.h"
#include "emulator/core/call_context.h"
#include "emulator/core/resource_catalog.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca {

// Creates the tables; call once at start-up, outside any transaction.
Status MigrateSchema(Store& store);

// The ResourceCatalog lookup RAM uses to share CAs (registered for "acm-pca" ARNs).
Result<std::optional<ResourceInfo>> FindCaResource(Store& store, const Arn& arn);

// A new CA in PENDING_CERTIFICATE with a fresh key of the configured algorithm and a CSR for the
// configured subject. The same IdempotencyToken with the same input within five minutes returns
// the first CA's ARN. InvalidArgsException for a signing algorithm that does not fit the key, an
// empty or invalid subject, or an invalid revocation configuration; InvalidTagException.
Result<std::string> CreateCertificateAuthority(Store& store, const CallContext& ctx,
                                               const CreateCaInput& input);

Result<CaDescription> DescribeCertificateAuthority(Store& store, const CallContext& ctx,
                                                   std::string_view ca_arn);

// SELF: the caller's CAs in the request's region. OTHER_ACCOUNTS: other accounts' CAs in that
// region that Authorize lets the caller describe (those shared with it through RAM).
Result<CaList> ListCertificateAuthorities(Store& store, const CallContext& ctx, ResourceOwner owner,
                                          const Page& page);

Result<std::string> GetCertificateAuthorityCsr(Store& store, const CallContext& ctx,
                                               std::string_view ca_arn);

// Signs the CSR. Allowed while ACTIVE; while PENDING_CERTIFICATE or EXPIRED only for a ROOT CA
// signing its own CSR with RootCACertificate/V1 (how a root gets, or renews, its certificate).
// Returns the certificate ARN. The same IdempotencyToken with the same input within one minute
// returns the first ARN.
Result<std::string> IssueCertificate(Store& store, const CallContext& ctx, const IssueInput& input);

Result<CertificateAndChain> GetCertificate(Store& store, const CallContext& ctx,
                                           std::string_view ca_arn,
                                           std::string_view certificate_arn);

// Installs the CA's own certificate: it must carry the CA's key (CertificateMismatchException)
// and, for a subordinate, come with a chain that verifies up to a root. The CA becomes ACTIVE (or
// returns to DISABLED when it was disabled before its certificate expired).
Status ImportCertificateAuthorityCertificate(Store& store, const CallContext& ctx,
                                             std::string_view ca_arn,
                                             std::string_view certificate_pem,
                                             std::string_view chain_pem);

Result<CertificateAndChain> GetCertificateAuthorityCertificate(Store& store, const CallContext& ctx,
                                                               std::string_view ca_arn);

Status CreatePermission(Store& store, const CallContext& ctx, std::string_view ca_arn,
                        std::string_view principal, std::string_view source_account,
                        const std::vector<PermissionAction>& actions);
Result<PermissionList> ListPermissions(Store& store, const CallContext& ctx,
                                       std::string_view ca_arn, const Page& page);
Status DeletePermission(Store& store, const CallContext& ctx, std::string_view ca_arn,
                        std::string_view principal, std::string_view source_account);

// Records the revocation (no CRL or OCSP is published; App Mesh does not read them either).
Status RevokeCertificate(Store& store, const CallContext& ctx, std::string_view ca_arn,
                         std::string_view serial, RevocationReason reason);

// Status ACTIVE <-> DISABLED, and the revocation configuration.
Status UpdateCertificateAuthority(Store& store, const CallContext& ctx, const UpdateCaInput& input);

// DELETED with a restore window of `days` (7..30, default 30); the CA disappears when the window
// ends. Allowed from PENDING_CERTIFICATE, CREATING, DISABLED, EXPIRED and FAILED.
Status DeleteCertificateAuthority(Store& store, const CallContext& ctx, std::string_view ca_arn,
                                  std::optional<int64_t> days);
Status RestoreCertificateAuthority(Store& store, const CallContext& ctx, std::string_view ca_arn);

Status TagCertificateAuthority(Store& store, const CallContext& ctx, std::string_view ca_arn,
                               const std::vector<Tag>& tags);
Status UntagCertificateAuthority(Store& store, const CallContext& ctx, std::string_view ca_arn,
                                 const std::vector<Tag>& tags);
Result<TagList> ListTags(Store& store, const CallContext& ctx, std::string_view ca_arn,
                         const Page& page);

// The resource policy is stored and returned; it is not evaluated yet (see COVERAGE.md).
Status PutPolicy(Store& store, const CallContext& ctx, std::string_view resource_arn,
                 std::string_view policy);
Result<std::string> GetPolicy(Store& store, const CallContext& ctx, std::string_view resource_arn);
Status DeletePolicy(Store& store, const CallContext& ctx, std::string_view resource_arn);

}  // namespace crossmesh::acmpca
