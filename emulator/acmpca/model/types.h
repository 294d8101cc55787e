// The ACM Private CA model's vocabulary: the enumerations of the API (with their wire names, which
// are also their storage names) and the plain structs the model operations take and return.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/clock.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/subject.h"

namespace crossmesh::acmpca {

// One value of an API enumeration and its exact wire spelling.
template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

enum class CaStatus {
  kCreating,
  kPendingCertificate,
  kActive,
  kDeleted,
  kDisabled,
  kExpired,
  kFailed,
};
inline constexpr std::array<EnumName<CaStatus>, 7> kCaStatusNames = {{
    {CaStatus::kCreating, "CREATING"},
    {CaStatus::kPendingCertificate, "PENDING_CERTIFICATE"},
    {CaStatus::kActive, "ACTIVE"},
    {CaStatus::kDeleted, "DELETED"},
    {CaStatus::kDisabled, "DISABLED"},
    {CaStatus::kExpired, "EXPIRED"},
    {CaStatus::kFailed, "FAILED"},
}};

enum class CaType { kRoot, kSubordinate };
inline constexpr std::array<EnumName<CaType>, 2> kCaTypeNames = {{
    {CaType::kRoot, "ROOT"},
    {CaType::kSubordinate, "SUBORDINATE"},
}};

enum class ValidityType { kEndDate, kAbsolute, kDays, kMonths, kYears };
inline constexpr std::array<EnumName<ValidityType>, 5> kValidityTypeNames = {{
    {ValidityType::kEndDate, "END_DATE"},
    {ValidityType::kAbsolute, "ABSOLUTE"},
    {ValidityType::kDays, "DAYS"},
    {ValidityType::kMonths, "MONTHS"},
    {ValidityType::kYears, "YEARS"},
}};

enum class RevocationReason {
  kUnspecified,
  kKeyCompromise,
  kCertificateAuthorityCompromise,
  kAffiliationChanged,
  kSuperseded,
  kCessationOfOperation,
  kPrivilegeWithdrawn,
  kAACompromise,
};
inline constexpr std::array<EnumName<RevocationReason>, 8> kRevocationReasonNames = {{
    {RevocationReason::kUnspecified, "UNSPECIFIED"},
    {RevocationReason::kKeyCompromise, "KEY_COMPROMISE"},
    {RevocationReason::kCertificateAuthorityCompromise, "CERTIFICATE_AUTHORITY_COMPROMISE"},
    {RevocationReason::kAffiliationChanged, "AFFILIATION_CHANGED"},
    {RevocationReason::kSuperseded, "SUPERSEDED"},
    {RevocationReason::kCessationOfOperation, "CESSATION_OF_OPERATION"},
    {RevocationReason::kPrivilegeWithdrawn, "PRIVILEGE_WITHDRAWN"},
    {RevocationReason::kAACompromise, "A_A_COMPROMISE"},
}};

enum class ResourceOwner { kSelf, kOtherAccounts };
inline constexpr std::array<EnumName<ResourceOwner>, 2> kResourceOwnerNames = {{
    {ResourceOwner::kSelf, "SELF"},
    {ResourceOwner::kOtherAccounts, "OTHER_ACCOUNTS"},
}};

// The actions a CreatePermission may grant (the ActionType enumeration).
enum class PermissionAction { kIssueCertificate, kGetCertificate, kListPermissions };
inline constexpr std::array<EnumName<PermissionAction>, 3> kPermissionActionNames = {{
    {PermissionAction::kIssueCertificate, "IssueCertificate"},
    {PermissionAction::kGetCertificate, "GetCertificate"},
    {PermissionAction::kListPermissions, "ListPermissions"},
}};

inline constexpr std::array<std::string_view, 3> kKeyStorageSecurityStandards = {
    "FIPS_140_2_LEVEL_2_OR_HIGHER", "FIPS_140_2_LEVEL_3_OR_HIGHER", "CCPC_LEVEL_1_OR_HIGHER"};
inline constexpr std::array<std::string_view, 2> kUsageModes = {"GENERAL_PURPOSE",
                                                                "SHORT_LIVED_CERTIFICATE"};
inline constexpr std::array<std::string_view, 2> kS3ObjectAcls = {"PUBLIC_READ",
                                                                  "BUCKET_OWNER_FULL_CONTROL"};

template <typename E, size_t N>
std::string_view NameOf(const std::array<EnumName<E>, N>& names, E value) {
  for (const auto& entry : names) {
    if (entry.value == value) return entry.name;
  }
  return {};
}

template <typename E, size_t N>
std::optional<E> ValueOf(const std::array<EnumName<E>, N>& names, std::string_view name) {
  for (const auto& entry : names) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::vector<std::string_view> NamesOf(const std::array<EnumName<E>, N>& names) {
  std::vector<std::string_view> out;
  for (const auto& entry : names) out.push_back(entry.name);
  return out;
}

inline std::string_view StatusName(CaStatus status) { return NameOf(kCaStatusNames, status); }

struct CrlConfiguration {
  bool enabled = false;
  std::optional<int64_t> expiration_in_days;
  std::string custom_cname;
  std::string s3_bucket_name;
  std::string s3_object_acl;
};

struct OcspConfiguration {
  bool enabled = false;
  std::string ocsp_custom_cname;
};

struct RevocationConfiguration {
  std::optional<CrlConfiguration> crl;
  std::optional<OcspConfiguration> ocsp;
};

struct CaConfiguration {
  pki::KeyAlgorithm key_algorithm = pki::KeyAlgorithm::kRsa2048;
  pki::SigningAlgorithm signing_algorithm = pki::SigningAlgorithm::kSha256WithRsa;
  pki::Subject subject;
};

struct Tag {
  std::string key;
  std::optional<std::string> value;
};

struct Validity {
  ValidityType type = ValidityType::kDays;
  int64_t value = 0;
};

// A certificate authority as stored. The private key is deliberately not part of it: only the
// signing code loads the key, so no response can carry it by accident.
struct CaRecord {
  std::string account;  // the owner
  std::string region;
  std::string id;  // the UUID in the ARN
  std::string arn;
  CaType type = CaType::kRoot;
  CaStatus status = CaStatus::kPendingCertificate;
  // The status to return to: before DELETED (for RestoreCertificateAuthority) or before EXPIRED
  // (for a later ImportCertificateAuthorityCertificate).
  std::optional<CaStatus> status_before;
  pki::KeyAlgorithm key_algorithm = pki::KeyAlgorithm::kRsa2048;
  pki::SigningAlgorithm signing_algorithm = pki::SigningAlgorithm::kSha256WithRsa;
  std::string key_storage_security_standard;
  std::string usage_mode;
  std::string csr_pem;
  std::string certificate_pem;  // empty until a certificate is imported
  std::string chain_pem;        // the imported chain (subordinates); empty for a root
  std::string serial;           // colon hex of the CA certificate
  std::optional<TimePoint> not_before;
  std::optional<TimePoint> not_after;
  TimePoint created_at;
  TimePoint last_state_change_at;
  std::optional<TimePoint> restorable_until;
  std::optional<RevocationConfiguration> revocation;
  std::string policy;

  bool has_certificate() const { return !certificate_pem.empty(); }
};

// What DescribeCertificateAuthority and ListCertificateAuthorities report: the record plus the
// configured subject, read back from the CA's CSR.
struct CaDescription {
  CaRecord record;
  pki::Subject subject;
};

struct Page {
  std::optional<int64_t> max_results;
  std::string next_token;
};

struct CaList {
  std::vector<CaDescription> authorities;
  std::string next_token;
};

struct Permission {
  std::string ca_arn;
  TimePoint created_at;
  std::string principal;
  std::string source_account;
  std::vector<PermissionAction> actions;
  std::string policy;
};

struct PermissionList {
  std::vector<Permission> permissions;
  std::string next_token;
};

struct TagList {
  std::vector<Tag> tags;
  std::string next_token;
};

struct CreateCaInput {
  CaConfiguration configuration;
  std::optional<RevocationConfiguration> revocation;
  CaType type = CaType::kRoot;
  std::string idempotency_token;
  std::string key_storage_security_standard;  // empty: FIPS_140_2_LEVEL_3_OR_HIGHER
  std::string usage_mode;                     // empty: GENERAL_PURPOSE
  std::vector<Tag> tags;
};

struct IssueInput {
  std::string ca_arn;
  std::string csr_pem;
  pki::SigningAlgorithm signing_algorithm = pki::SigningAlgorithm::kSha256WithRsa;
  std::string template_arn;  // empty: EndEntityCertificate/V1
  Validity validity;
  std::optional<Validity> validity_not_before;
  std::string idempotency_token;
};

struct CertificateAndChain {
  std::string certificate_pem;
  std::string chain_pem;  // empty when there is no chain to report
};

struct UpdateCaInput {
  std::string ca_arn;
  std::optional<CaStatus> status;
  std::optional<RevocationConfiguration> revocation;
};

}  // namespace crossmesh::acmpca
