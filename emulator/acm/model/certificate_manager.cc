// The ACM operations a caller invokes. The timed events (issuance, renewal, expiry) are in
// certificate_lifecycle.cc.
#include "emulator/acm/model/certificate_manager.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "emulator/acm/model/certificate_store.h"
#include "emulator/acm/model/certificate_usage.h"
#include "emulator/acm/model/input_rules.h"
#include "emulator/core/ids.h"
#include "emulator/pki/pkcs8.h"

namespace crossmesh::acm {

using internal::CertificateRecord;

namespace {

constexpr int kDefaultPageSize = 100;

Status RequestInProgress(std::string_view arn) {
  return Error("RequestInProgressException",
               fmt::format("Certificate {} is still being issued (status PENDING_VALIDATION); "
                           "poll DescribeCertificate until it is ISSUED",
                           arn));
}

// GetCertificate / ExportCertificate on a certificate that never got one.
Status NoCertificate(const CertificateRecord& record) {
  std::string why = record.failure_reason.empty() ? "" : " (" + record.failure_reason + ")";
  return Error("ValidationException",
               fmt::format("Certificate {} has status {}{} and holds no certificate; request a "
                           "new one",
                           record.arn, record.status, why));
}

CertificateRecord NewRecord(const CallContext& ctx, const RequestCertificateInput& input,
                            std::vector<std::string> names, pki::KeyAlgorithm algorithm) {
  CertificateRecord r;
  r.account = ctx.account->id;
  r.region = ctx.region;
  r.arn = fmt::format("arn:aws:acm:{}:{}:certificate/{}", r.region, r.account, NewUuid());
  r.status = status::kPendingValidation;
  r.domain_name = input.domain_name;
  r.names = std::move(names);
  r.key_algorithm = pki::KeyAlgorithmName(algorithm);
  r.ca_arn = input.certificate_authority_arn;
  r.transparency_logging =
      input.transparency_logging.empty() ? "ENABLED" : input.transparency_logging;
  r.created_at = ctx.now;
  if (r.ca_arn.empty()) {
    r.type = type::kAmazonIssued;
    r.validation_method = input.validation_method.empty() ? "EMAIL" : input.validation_method;
    r.action_due = ctx.now + kValidationTimeout;
  } else {
    r.type = type::kPrivate;
    r.action_due = ctx.now + kIssuanceDelay;
  }
  return r;
}

Status CheckRequest(const RequestCertificateInput& input) {
  if (!input.certificate_authority_arn.empty()) {
    auto ca = internal::ParseCertificateAuthorityArn(input.certificate_authority_arn);
    if (!ca.ok()) return ca.status();
  }
  if (!input.idempotency_token.empty()) {
    CM_RETURN_IF_ERROR(internal::CheckIdempotencyToken(input.idempotency_token));
  }
  if (input.tags.size() > kMaxTags) {
    return Error(
        "TooManyTagsException",
        fmt::format("{} tags given; a certificate holds at most {}", input.tags.size(), kMaxTags));
  }
  return internal::CheckTags(input.tags);
}

// A public request's validation details: the CNAME to create (DNS) or the addresses ACM mails
// (EMAIL). Derived from the ARN, so they stay the same on every read.
void AddPublicValidation(const CertificateRecord& r, DomainValidation& v) {
  std::string base = v.domain_name.starts_with("*.") ? v.domain_name.substr(2) : v.domain_name;
  v.validation_method = r.validation_method;
  if (r.validation_method == "DNS") {
    std::string token = Sha256Hex(r.arn + "/" + v.domain_name);
    v.record_name = fmt::format("_{}.{}.", token.substr(0, 32), base);
    v.record_value =
        fmt::format("_{}.{}.acm-validations.aws.", token.substr(32, 32), token.substr(0, 10));
    return;
  }
  for (const char* box : {"admin", "administrator", "hostmaster", "postmaster", "webmaster"}) {
    v.validation_emails.push_back(fmt::format("{}@{}", box, base));
  }
}

// DomainValidationOptions. Private certificates need no validation; ACM still lists each name,
// with SUCCESS once issued, which is what `aws acm wait certificate-validated` polls for.
std::vector<DomainValidation> ValidationsFor(const CertificateRecord& r) {
  std::vector<DomainValidation> out;
  for (const auto& name : r.names) {
    DomainValidation v;
    v.domain_name = name;
    v.validation_domain = name;
    if (r.status == status::kPendingValidation) {
      v.validation_status = "PENDING_VALIDATION";
    } else if (r.certificate_pem.empty()) {
      v.validation_status = "FAILED";
    } else {
      v.validation_status = "SUCCESS";
    }
    if (r.type == type::kAmazonIssued) AddPublicValidation(r, v);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<ExtendedKeyUsage> WithOids(const std::vector<std::string>& names) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kOids = {
      {"TLS_WEB_SERVER_AUTHENTICATION", "1.3.6.1.5.5.7.3.1"},
      {"TLS_WEB_CLIENT_AUTHENTICATION", "1.3.6.1.5.5.7.3.2"},
      {"CODE_SIGNING", "1.3.6.1.5.5.7.3.3"},
      {"EMAIL_PROTECTION", "1.3.6.1.5.5.7.3.4"},
      {"IPSEC_END_SYSTEM", "1.3.6.1.5.5.7.3.5"},
      {"IPSEC_TUNNEL", "1.3.6.1.5.5.7.3.6"},
      {"IPSEC_USER", "1.3.6.1.5.5.7.3.7"},
      {"TIME_STAMPING", "1.3.6.1.5.5.7.3.8"},
      {"OCSP_SIGNING", "1.3.6.1.5.5.7.3.9"},
  };
  std::vector<ExtendedKeyUsage> out;
  for (const auto& name : names) {
    ExtendedKeyUsage usage{name, ""};
    for (const auto& [known, oid] : kOids) {
      if (known == name) usage.oid = oid;
    }
    out.push_back(std::move(usage));
  }
  return out;
}

bool AnyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& present) {
  if (wanted.empty()) return true;
  return std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
    return std::find(present.begin(), present.end(), w) != present.end();
  });
}

bool Matches(const ListCertificatesInput& input, const CertificateRecord& r) {
  static const std::vector<std::string> kDefaultKeyTypes = {"RSA_1024", "RSA_2048"};
  const auto& key_types = input.key_types.empty() ? kDefaultKeyTypes : input.key_types;
  return AnyOf(input.statuses, {r.status}) && AnyOf(key_types, {r.key_algorithm}) &&
         AnyOf(input.key_usages, r.key_usages) &&
         AnyOf(input.extended_key_usages, r.extended_key_usages);
}

Result<size_t> PageStart(std::string_view token) {
  if (token.empty()) return size_t{0};
  constexpr std::string_view kPrefix = "acm-page-";
  size_t offset = 0;
  bool digits = token.size() > kPrefix.size() && token.starts_with(kPrefix) &&
                std::all_of(token.begin() + kPrefix.size(), token.end(),
                            [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || token.size() > kPrefix.size() + 9) {
    return Error("InvalidArgsException",
                 fmt::format("NextToken '{}' was not returned by ListCertificates", token));
  }
  offset = std::stoul(std::string(token.substr(kPrefix.size())));
  return offset;
}

}  // namespace

Status CertificateManager::Migrate(Store& store) { return internal::MigrateSchema(store); }

Result<CertificateRecord> CertificateManager::LoadOwned(const CallContext& ctx,
                                                        std::string_view arn_text,
                                                        std::string_view action) {
  auto arn = internal::ParseCertificateArn(arn_text);
  if (!arn.ok()) return arn.status();
  if (arn->account != ctx.account->id) {
    return Error("AccessDeniedException",
                 fmt::format("User: {} is not authorized to perform: acm:{} on resource: {} "
                             "because no resource-based policy allows the acm:{} action. ACM "
                             "certificates stay in the account that requested them ({}); "
                             "request this account's own with aws acm request-certificate",
                             ctx.account->RootArn(), action, arn_text, action, arn->account));
  }
  auto record = internal::LoadCertificate(store_, arn_text);
  if (!record.ok()) return record.status();
  if (!record->has_value() || (*record)->region != ctx.region) {
    return Error("ResourceNotFoundException",
                 fmt::format("Could not find certificate {} in account {} region {}", arn_text,
                             ctx.account->id, ctx.region));
  }
  return std::move(**record);
}

Result<std::string> CertificateManager::RequestCertificate(const CallContext& ctx,
                                                           const RequestCertificateInput& input) {
  auto names = internal::CertificateNames(input.domain_name, input.subject_alternative_names);
  if (!names.ok()) return names.status();
  auto algorithm = internal::RequestableKeyAlgorithm(input.key_algorithm, ctx.region);
  if (!algorithm.ok()) return algorithm.status();
  CM_RETURN_IF_ERROR(CheckRequest(input));

  if (!input.idempotency_token.empty()) {
    auto earlier = internal::FindIdempotentRequest(store_, ctx.account->id, ctx.region,
                                                   input.idempotency_token, ctx.now);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) return **earlier;
  }

  CertificateRecord record = NewRecord(ctx, input, std::move(*names), *algorithm);
  if (record.type == type::kPrivate) {
    // The key is made now, in the requesting account, as ACM does; the pool keeps this fast.
    auto key = keys_(*algorithm);
    if (!key.ok()) return key.status();
    auto pem = key->ToPem();
    if (!pem.ok()) return pem.status();
    record.private_key_pem = std::move(*pem);
  }
  CM_RETURN_IF_ERROR(internal::InsertCertificate(store_, record));
  for (const Tag& tag : input.tags) CM_RETURN_IF_ERROR(internal::PutTag(store_, record.arn, tag));
  if (!input.idempotency_token.empty()) {
    CM_RETURN_IF_ERROR(internal::RememberIdempotentRequest(
        store_, ctx.account->id, ctx.region, input.idempotency_token, record.arn, ctx.now));
  }
  spdlog::info("certificate requested: {} {} {} ca={}", record.arn, record.domain_name,
               record.key_algorithm, record.ca_arn.empty() ? "(public)" : record.ca_arn);
  return record.arn;
}

Result<CertificateDetail> CertificateManager::Detail(const CertificateRecord& r) {
  CertificateDetail d;
  d.certificate_arn = r.arn;
  d.domain_name = r.domain_name;
  d.subject_alternative_names = r.names;
  d.domain_validation_options = ValidationsFor(r);
  d.serial = r.serial;
  d.subject = r.subject;
  d.issuer = r.issuer;
  d.created_at = r.created_at;
  d.issued_at = r.issued_at;
  d.not_before = r.not_before;
  d.not_after = r.not_after;
  d.status = r.status;
  d.type = r.type;
  d.key_algorithm = r.key_algorithm;
  d.signature_algorithm = r.signature_algorithm;
  auto users = CertificateUsers(store_, r.arn);
  if (!users.ok()) return users.status();
  d.in_use_by = std::move(*users);
  d.failure_reason = r.failure_reason;
  if (!r.renewal_status.empty()) {
    d.renewal_summary = RenewalSummary{r.renewal_status, r.renewal_reason,
                                       r.renewal_updated_at.value_or(r.created_at)};
  }
  d.key_usages = r.key_usages;
  d.extended_key_usages = WithOids(r.extended_key_usages);
  d.certificate_authority_arn = r.ca_arn;
  d.renewal_eligibility = r.eligible_for_renewal() ? "ELIGIBLE" : "INELIGIBLE";
  d.transparency_logging = r.transparency_logging;
  d.exported = r.exported;
  return d;
}

Result<CertificateDetail> CertificateManager::DescribeCertificate(const CallContext& ctx,
                                                                  std::string_view arn) {
  auto record = LoadOwned(ctx, arn, "DescribeCertificate");
  if (!record.ok()) return record.status();
  return Detail(*record);
}

Result<ListCertificatesOutput> CertificateManager::ListCertificates(
    const CallContext& ctx, const ListCertificatesInput& input) {
  if (input.sort_by.empty() != input.sort_order.empty()) {
    return Error("ValidationException", "SortBy and SortOrder must be given together");
  }
  auto start = PageStart(input.next_token);
  if (!start.ok()) return start.status();
  auto records = internal::LoadCertificates(store_, ctx.account->id, ctx.region);
  if (!records.ok()) return records.status();

  std::vector<const CertificateRecord*> matching;
  for (const auto& r : *records) {
    if (Matches(input, r)) matching.push_back(&r);
  }
  if (input.sort_order == "DESCENDING") std::reverse(matching.begin(), matching.end());

  size_t page = input.max_items > 0 ? static_cast<size_t>(input.max_items) : kDefaultPageSize;
  ListCertificatesOutput out;
  for (size_t i = *start; i < matching.size() && i < *start + page; ++i) {
    auto detail = Detail(*matching[i]);
    if (!detail.ok()) return detail.status();
    out.certificates.push_back(std::move(*detail));
  }
  if (*start + page < matching.size()) out.next_token = fmt::format("acm-page-{}", *start + page);
  return out;
}

Result<CertificatePems> CertificateManager::GetCertificate(const CallContext& ctx,
                                                           std::string_view arn) {
  auto record = LoadOwned(ctx, arn, "GetCertificate");
  if (!record.ok()) return record.status();
  if (record->status == status::kPendingValidation) return RequestInProgress(arn);
  if (record->certificate_pem.empty()) return NoCertificate(*record);
  return CertificatePems{record->certificate_pem, record->chain_pem};
}

Result<ExportedCertificate> CertificateManager::ExportCertificate(const CallContext& ctx,
                                                                  std::string_view arn,
                                                                  std::string_view passphrase) {
  CM_RETURN_IF_ERROR(internal::CheckPassphrase(passphrase));
  auto record = LoadOwned(ctx, arn, "ExportCertificate");
  if (!record.ok()) return record.status();
  if (record->type != type::kPrivate) {
    return Error("ValidationException",
                 fmt::format("Certificate ARN: {} is not a private certificate; only private "
                             "certificates can be exported",
                             arn));
  }
  if (record->status == status::kPendingValidation) return RequestInProgress(arn);
  if (record->certificate_pem.empty()) return NoCertificate(*record);

  auto key = pki::PrivateKey::FromPem(record->private_key_pem);
  if (!key.ok()) return key.status();
  auto encrypted = pki::ExportEncryptedPkcs8Pem(*key, passphrase);
  if (!encrypted.ok()) return encrypted.status();
  if (!record->exported) {
    record->exported = true;  // exported since issuance: eligible for managed renewal
    CM_RETURN_IF_ERROR(internal::UpdateCertificate(store_, *record));
  }
  spdlog::info("certificate exported: {} serial {}", record->arn, record->serial);
  return ExportedCertificate{record->certificate_pem, record->chain_pem, std::move(*encrypted)};
}

Status CertificateManager::RenewCertificate(const CallContext& ctx, std::string_view arn) {
  auto record = LoadOwned(ctx, arn, "RenewCertificate");
  if (!record.ok()) return record.status();
  if (record->type != type::kPrivate) {
    return Error("ValidationException",
                 fmt::format("Certificate {} is not a private certificate; crossmesh renews "
                             "private certificates only",
                             arn));
  }
  if (record->status == status::kPendingValidation ||
      record->renewal_status == "PENDING_AUTO_RENEWAL") {
    return RequestInProgress(arn);
  }
  if (!record->eligible_for_renewal()) {
    return Error("ValidationException",
                 fmt::format("Certificate {} (status {}) is not eligible for renewal: only an "
                             "ISSUED private certificate that was exported since its issuance "
                             "or last renewal, or is in use, can be renewed",
                             arn, record->status));
  }
  record->action_due = ctx.now + kIssuanceDelay;
  record->renewal_status = "PENDING_AUTO_RENEWAL";
  record->renewal_reason.clear();
  record->renewal_updated_at = ctx.now;
  return internal::UpdateCertificate(store_, *record);
}

Status CertificateManager::DeleteCertificate(const CallContext& ctx, std::string_view arn) {
  auto record = LoadOwned(ctx, arn, "DeleteCertificate");
  if (!record.ok()) return record.status();
  auto users = CertificateUsers(store_, record->arn);
  if (!users.ok()) return users.status();
  if (!users->empty()) {
    return Error("ResourceInUseException",
                 fmt::format("Certificate {} is in use by {}; stop using it there first", arn,
                             fmt::join(*users, ", ")));
  }
  CM_RETURN_IF_ERROR(internal::AppendChange(store_, *record, ChangeKind::kDeleted, "", ctx.now));
  CM_RETURN_IF_ERROR(internal::DeleteCertificateRow(store_, record->arn));
  spdlog::info("certificate deleted: {}", record->arn);
  return Status::Ok();
}

Status CertificateManager::AddTagsToCertificate(const CallContext& ctx, std::string_view arn,
                                                const std::vector<Tag>& tags) {
  auto record = LoadOwned(ctx, arn, "AddTagsToCertificate");
  if (!record.ok()) return record.status();
  if (tags.empty()) {
    return Error("ValidationException", "Tags must list between 1 and 50 tags");
  }
  CM_RETURN_IF_ERROR(internal::CheckTags(tags));
  auto existing = internal::LoadTags(store_, record->arn);
  if (!existing.ok()) return existing.status();
  std::vector<std::string> keys;
  for (const auto& tag : *existing) keys.push_back(tag.key);
  for (const auto& tag : tags) {
    if (std::find(keys.begin(), keys.end(), tag.key) == keys.end()) keys.push_back(tag.key);
  }
  if (keys.size() > kMaxTags) {
    return Error("TooManyTagsException",
                 fmt::format("Certificate {} would have {} tags; the limit is {}", arn, keys.size(),
                             kMaxTags));
  }
  for (const auto& tag : tags) CM_RETURN_IF_ERROR(internal::PutTag(store_, record->arn, tag));
  return Status::Ok();
}

Status CertificateManager::RemoveTagsFromCertificate(const CallContext& ctx, std::string_view arn,
                                                     const std::vector<Tag>& tags) {
  auto record = LoadOwned(ctx, arn, "RemoveTagsFromCertificate");
  if (!record.ok()) return record.status();
  if (tags.empty()) {
    return Error("ValidationException", "Tags must list between 1 and 50 tags");
  }
  CM_RETURN_IF_ERROR(internal::CheckTags(tags));
  auto existing = internal::LoadTags(store_, record->arn);
  if (!existing.ok()) return existing.status();
  for (const auto& tag : tags) {
    for (const auto& have : *existing) {
      if (have.key == tag.key && (!tag.value || tag.value == have.value)) {
        CM_RETURN_IF_ERROR(internal::DeleteTag(store_, record->arn, tag.key));
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<Tag>> CertificateManager::ListTagsForCertificate(const CallContext& ctx,
                                                                    std::string_view arn) {
  auto record = LoadOwned(ctx, arn, "ListTagsForCertificate");
  if (!record.ok()) return record.status();
  return internal::LoadTags(store_, record->arn);
}

}  // namespace crossmesh::acm
