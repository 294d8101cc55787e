#include "emulator/acm/api/acm_api.h"

#include <fmt/format.h>

#include <algorithm>

#include "emulator/acm/api/json_members.h"
#include "emulator/acm/model/certificate_manager.h"
#include "emulator/acm/model/key_source.h"

namespace crossmesh::acm {
namespace {

using api::CheckMembers;
using api::Member;
using api::MemberKind;
using nlohmann::json;

// Enum value sets from the ACM service model (2015-12-08).
const std::vector<std::string_view> kKeyAlgorithms = {
    "RSA_1024",      "RSA_2048",     "RSA_3072",    "RSA_4096",
    "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"};
const std::vector<std::string_view> kStatuses = {
    "PENDING_VALIDATION",   "ISSUED",  "INACTIVE", "EXPIRED",
    "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"};
const std::vector<std::string_view> kKeyUsageNames = {"DIGITAL_SIGNATURE",
                                                      "NON_REPUDIATION",
                                                      "KEY_ENCIPHERMENT",
                                                      "DATA_ENCIPHERMENT",
                                                      "KEY_AGREEMENT",
                                                      "CERTIFICATE_SIGNING",
                                                      "CRL_SIGNING",
                                                      "ENCIPHER_ONLY",
                                                      "DECIPHER_ONLY",
                                                      "ANY",
                                                      "CUSTOM"};
const std::vector<std::string_view> kExtendedKeyUsageNames = {"TLS_WEB_SERVER_AUTHENTICATION",
                                                              "TLS_WEB_CLIENT_AUTHENTICATION",
                                                              "CODE_SIGNING",
                                                              "EMAIL_PROTECTION",
                                                              "TIME_STAMPING",
                                                              "OCSP_SIGNING",
                                                              "IPSEC_END_SYSTEM",
                                                              "IPSEC_TUNNEL",
                                                              "IPSEC_USER",
                                                              "ANY",
                                                              "NONE",
                                                              "CUSTOM"};
const std::vector<std::string_view> kEnabledDisabled = {"ENABLED", "DISABLED"};

const std::vector<Member> kTag = {{"Key", MemberKind::kString, true},
                                  {"Value", MemberKind::kString}};
const std::vector<Member> kOptions = {
    {"CertificateTransparencyLoggingPreference", MemberKind::kString, false, kEnabledDisabled},
    {"Export", MemberKind::kString, false, kEnabledDisabled}};
const std::vector<Member> kDomainValidationOption = {
    {"DomainName", MemberKind::kString, true}, {"ValidationDomain", MemberKind::kString, true}};
const std::vector<Member> kFilters = {
    {"extendedKeyUsage", MemberKind::kStringList, false, kExtendedKeyUsageNames},
    {"keyUsage", MemberKind::kStringList, false, kKeyUsageNames},
    {"keyTypes", MemberKind::kStringList, false, kKeyAlgorithms}};

const std::vector<Member> kRequestCertificate = {
    {"DomainName", MemberKind::kString, true},
    {"ValidationMethod", MemberKind::kString, false, {"EMAIL", "DNS"}},
    {"SubjectAlternativeNames", MemberKind::kStringList},
    {"IdempotencyToken", MemberKind::kString},
    {"DomainValidationOptions", MemberKind::kStructureList, false, {}, &kDomainValidationOption},
    {"Options", MemberKind::kStructure, false, {}, &kOptions},
    {"CertificateAuthorityArn", MemberKind::kString},
    {"Tags", MemberKind::kStructureList, false, {}, &kTag},
    {"KeyAlgorithm", MemberKind::kString, false, kKeyAlgorithms},
    {"ManagedBy", MemberKind::kString, false, {"CLOUDFRONT"}}};
const std::vector<Member> kCertificateArnOnly = {{"CertificateArn", MemberKind::kString, true}};
const std::vector<Member> kExportCertificate = {{"CertificateArn", MemberKind::kString, true},
                                                {"Passphrase", MemberKind::kBlob, true}};
const std::vector<Member> kTagsOperation = {{"CertificateArn", MemberKind::kString, true},
                                            {"Tags", MemberKind::kStructureList, true, {}, &kTag}};
const std::vector<Member> kListCertificates = {
    {"CertificateStatuses", MemberKind::kStringList, false, kStatuses},
    {"Includes", MemberKind::kStructure, false, {}, &kFilters},
    {"NextToken", MemberKind::kString},
    {"MaxItems", MemberKind::kInteger},
    {"SortBy", MemberKind::kString, false, {"CREATED_AT"}},
    {"SortOrder", MemberKind::kString, false, {"ASCENDING", "DESCENDING"}}};

std::string TextOf(const json& object, std::string_view member) {
  auto found = object.find(member);
  return found == object.end() || found->is_null() ? std::string() : found->get<std::string>();
}

std::vector<std::string> StringsOf(const json& object, std::string_view member) {
  auto found = object.find(member);
  if (found == object.end() || found->is_null()) return {};
  return found->get<std::vector<std::string>>();
}

std::vector<Tag> TagsOf(const json& object) {
  std::vector<Tag> tags;
  auto found = object.find("Tags");
  if (found == object.end() || found->is_null()) return tags;
  for (const auto& tag : *found) {
    std::optional<std::string> value;
    if (tag.contains("Value") && !tag["Value"].is_null()) value = tag["Value"].get<std::string>();
    tags.push_back({tag["Key"].get<std::string>(), std::move(value)});
  }
  return tags;
}

json TagsJson(const std::vector<Tag>& tags) {
  json out = json::array();
  for (const auto& tag : tags) {
    json entry = {{"Key", tag.key}};
    if (tag.value) entry["Value"] = *tag.value;
    out.push_back(std::move(entry));
  }
  return out;
}

void SetTime(json& out, const char* member, const std::optional<TimePoint>& time) {
  if (time) out[member] = EpochSeconds(*time);
}

void SetText(json& out, const char* member, const std::string& text) {
  if (!text.empty()) out[member] = text;
}

json ValidationJson(const DomainValidation& v) {
  json out = {{"DomainName", v.domain_name},
              {"ValidationDomain", v.validation_domain},
              {"ValidationStatus", v.validation_status}};
  SetText(out, "ValidationMethod", v.validation_method);
  if (!v.validation_emails.empty()) out["ValidationEmails"] = v.validation_emails;
  if (!v.record_name.empty()) {
    out["ResourceRecord"] = {{"Name", v.record_name}, {"Type", "CNAME"}, {"Value", v.record_value}};
  }
  return out;
}

json RenewalJson(const RenewalSummary& summary, const CertificateDetail& d) {
  json validations = json::array();
  for (const auto& name : d.subject_alternative_names) {
    validations.push_back(
        {{"DomainName", name}, {"ValidationDomain", name}, {"ValidationStatus", "SUCCESS"}});
  }
  json out = {{"RenewalStatus", summary.renewal_status},
              {"DomainValidationOptions", validations},
              {"UpdatedAt", EpochSeconds(summary.updated_at)}};
  SetText(out, "RenewalStatusReason", summary.renewal_status_reason);
  return out;
}

// DescribeCertificate spells KeyAlgorithm with a hyphen ("RSA-2048", "EC-prime256v1"), unlike
// the enum ListCertificates and the request use.
std::string DescribedKeyAlgorithm(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

json DetailJson(const CertificateDetail& d) {
  json out = {{"CertificateArn", d.certificate_arn},
              {"DomainName", d.domain_name},
              {"SubjectAlternativeNames", d.subject_alternative_names},
              {"CreatedAt", EpochSeconds(d.created_at)},
              {"Status", d.status},
              {"Type", d.type},
              {"KeyAlgorithm", DescribedKeyAlgorithm(d.key_algorithm)},
              {"InUseBy", d.in_use_by},
              {"RenewalEligibility", d.renewal_eligibility},
              {"Options", {{"CertificateTransparencyLoggingPreference", d.transparency_logging}}}};
  json validations = json::array();
  for (const auto& v : d.domain_validation_options) validations.push_back(ValidationJson(v));
  out["DomainValidationOptions"] = std::move(validations);
  SetText(out, "Serial", d.serial);
  SetText(out, "Subject", d.subject);
  SetText(out, "Issuer", d.issuer);
  SetText(out, "SignatureAlgorithm", d.signature_algorithm);
  SetText(out, "FailureReason", d.failure_reason);
  SetText(out, "CertificateAuthorityArn", d.certificate_authority_arn);
  SetTime(out, "IssuedAt", d.issued_at);
  SetTime(out, "NotBefore", d.not_before);
  SetTime(out, "NotAfter", d.not_after);
  if (d.renewal_summary) out["RenewalSummary"] = RenewalJson(*d.renewal_summary, d);
  out["KeyUsages"] = json::array();
  for (const auto& name : d.key_usages) out["KeyUsages"].push_back({{"Name", name}});
  out["ExtendedKeyUsages"] = json::array();
  for (const auto& usage : d.extended_key_usages) {
    json entry = {{"Name", usage.name}};
    if (!usage.oid.empty()) entry["OID"] = usage.oid;
    out["ExtendedKeyUsages"].push_back(std::move(entry));
  }
  return out;
}

json SummaryJson(const CertificateDetail& d) {
  json out = {{"CertificateArn", d.certificate_arn},
              {"DomainName", d.domain_name},
              {"SubjectAlternativeNameSummaries", d.subject_alternative_names},
              {"HasAdditionalSubjectAlternativeNames", false},
              {"Status", d.status},
              {"Type", d.type},
              {"KeyAlgorithm", d.key_algorithm},
              {"KeyUsages", d.key_usages},
              {"InUse", !d.in_use_by.empty()},
              {"Exported", d.exported},
              {"RenewalEligibility", d.renewal_eligibility},
              {"CreatedAt", EpochSeconds(d.created_at)}};
  out["ExtendedKeyUsages"] = json::array();
  for (const auto& usage : d.extended_key_usages) out["ExtendedKeyUsages"].push_back(usage.name);
  SetTime(out, "IssuedAt", d.issued_at);
  SetTime(out, "NotBefore", d.not_before);
  SetTime(out, "NotAfter", d.not_after);
  return out;
}

class AcmService final : public JsonRpcService {
 public:
  AcmService(Store& store, const AccountRegistry& accounts)
      : JsonRpcService("acm", "CertificateManager"), manager_(store, accounts, PooledKeys()) {
    RegisterHandlers();
  }

 private:
  using Body = std::function<Result<json>(const CallContext&, const json&)>;

  // Every operation checks its input's members before the body reads them.
  void Operation(std::string name, const std::vector<Member>& members, Body body) {
    On(std::move(name),
       [&members, body = std::move(body)](const CallContext& ctx, const json& input) {
         if (Status checked = CheckMembers(input, members); !checked.ok()) {
           return Result<json>(checked);
         }
         return body(ctx, input);
       });
  }

  void RegisterHandlers();
  Result<json> RequestCertificate(const CallContext& ctx, const json& input);
  Result<json> ListCertificates(const CallContext& ctx, const json& input);
  Result<json> ExportCertificate(const CallContext& ctx, const json& input);

  CertificateManager manager_;
};

Result<json> Empty(const Status& status) {
  if (!status.ok()) return status;
  return json::object();
}

void AcmService::RegisterHandlers() {
  auto arn = [](const json& input) { return input["CertificateArn"].get<std::string>(); };
  Operation("RequestCertificate", kRequestCertificate,
            [this](const CallContext& ctx, const json& in) { return RequestCertificate(ctx, in); });
  Operation("DescribeCertificate", kCertificateArnOnly,
            [this, arn](const CallContext& ctx, const json& in) -> Result<json> {
              auto detail = manager_.DescribeCertificate(ctx, arn(in));
              if (!detail.ok()) return detail.status();
              return json{{"Certificate", DetailJson(*detail)}};
            });
  Operation("ListCertificates", kListCertificates,
            [this](const CallContext& ctx, const json& in) { return ListCertificates(ctx, in); });
  Operation("GetCertificate", kCertificateArnOnly,
            [this, arn](const CallContext& ctx, const json& in) -> Result<json> {
              auto pems = manager_.GetCertificate(ctx, arn(in));
              if (!pems.ok()) return pems.status();
              return json{{"Certificate", pems->certificate},
                          {"CertificateChain", pems->certificate_chain}};
            });
  Operation("ExportCertificate", kExportCertificate,
            [this](const CallContext& ctx, const json& in) { return ExportCertificate(ctx, in); });
  Operation("RenewCertificate", kCertificateArnOnly,
            [this, arn](const CallContext& ctx, const json& in) {
              return Empty(manager_.RenewCertificate(ctx, arn(in)));
            });
  Operation("DeleteCertificate", kCertificateArnOnly,
            [this, arn](const CallContext& ctx, const json& in) {
              return Empty(manager_.DeleteCertificate(ctx, arn(in)));
            });
  Operation("AddTagsToCertificate", kTagsOperation,
            [this, arn](const CallContext& ctx, const json& in) {
              return Empty(manager_.AddTagsToCertificate(ctx, arn(in), TagsOf(in)));
            });
  Operation("RemoveTagsFromCertificate", kTagsOperation,
            [this, arn](const CallContext& ctx, const json& in) {
              return Empty(manager_.RemoveTagsFromCertificate(ctx, arn(in), TagsOf(in)));
            });
  Operation("ListTagsForCertificate", kCertificateArnOnly,
            [this, arn](const CallContext& ctx, const json& in) -> Result<json> {
              auto tags = manager_.ListTagsForCertificate(ctx, arn(in));
              if (!tags.ok()) return tags.status();
              return json{{"Tags", TagsJson(*tags)}};
            });
}

Result<json> AcmService::RequestCertificate(const CallContext& ctx, const json& in) {
  RequestCertificateInput request;
  request.domain_name = in["DomainName"].get<std::string>();
  request.subject_alternative_names = StringsOf(in, "SubjectAlternativeNames");
  request.certificate_authority_arn = TextOf(in, "CertificateAuthorityArn");
  request.idempotency_token = TextOf(in, "IdempotencyToken");
  request.key_algorithm = TextOf(in, "KeyAlgorithm");
  request.validation_method = TextOf(in, "ValidationMethod");
  if (auto options = in.find("Options"); options != in.end() && options->is_object()) {
    request.transparency_logging = TextOf(*options, "CertificateTransparencyLoggingPreference");
  }
  request.tags = TagsOf(in);
  auto arn = manager_.RequestCertificate(ctx, request);
  if (!arn.ok()) return arn.status();
  return json{{"CertificateArn", *arn}};
}

Result<json> AcmService::ListCertificates(const CallContext& ctx, const json& in) {
  ListCertificatesInput request;
  request.statuses = StringsOf(in, "CertificateStatuses");
  if (auto includes = in.find("Includes"); includes != in.end() && includes->is_object()) {
    request.key_types = StringsOf(*includes, "keyTypes");
    request.key_usages = StringsOf(*includes, "keyUsage");
    request.extended_key_usages = StringsOf(*includes, "extendedKeyUsage");
  }
  if (auto max = in.find("MaxItems"); max != in.end() && !max->is_null()) {
    int64_t value = max->get<int64_t>();
    if (value < 1 || value > 1000) {
      return Error("ValidationException",
                   fmt::format("Value '{}' at 'maxItems' failed to satisfy constraint: Member "
                               "must have value between 1 and 1000",
                               value));
    }
    request.max_items = static_cast<int>(value);
  }
  request.next_token = TextOf(in, "NextToken");
  request.sort_by = TextOf(in, "SortBy");
  request.sort_order = TextOf(in, "SortOrder");

  auto listed = manager_.ListCertificates(ctx, request);
  if (!listed.ok()) return listed.status();
  json out = {{"CertificateSummaryList", json::array()}};
  for (const auto& d : listed->certificates) {
    out["CertificateSummaryList"].push_back(SummaryJson(d));
  }
  if (!listed->next_token.empty()) out["NextToken"] = listed->next_token;
  return out;
}

Result<json> AcmService::ExportCertificate(const CallContext& ctx, const json& in) {
  auto passphrase = api::DecodeBase64(in["Passphrase"].get<std::string>(), "Passphrase");
  if (!passphrase.ok()) return passphrase.status();
  auto exported =
      manager_.ExportCertificate(ctx, in["CertificateArn"].get<std::string>(), *passphrase);
  if (!exported.ok()) return exported.status();
  return json{{"Certificate", exported->certificate},
              {"CertificateChain", exported->certificate_chain},
              {"PrivateKey", exported->private_key}};
}

}  // namespace

std::unique_ptr<Service> MakeAcmService(Store& store, const AccountRegistry& accounts) {
  return std::make_unique<AcmService>(store, accounts);
}

}  // namespace crossmesh::acm
