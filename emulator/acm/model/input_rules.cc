#include "emulator/acm/model/input_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "emulator/core/ids.h"
#include "emulator/core/repeated_key.h"

namespace crossmesh::acm::internal {
namespace {

Status Invalid(std::string_view member, std::string_view value, std::string_view rule) {
  return Error(
      "ValidationException",
      fmt::format("Value '{}' at '{}' failed to satisfy constraint: {}", value, member, rule));
}

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// One label of DomainNameString's pattern: letters, digits and hyphens, not starting or ending
// with a hyphen, 1-63 characters.
bool IsLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return IsAlnum(c) || c == '-'; });
}

// TagKey / TagValue pattern [\p{L}\p{Z}\p{N}_.:\/=+\-@]*. Bytes of multi-byte UTF-8 sequences
// are let through as letters: the emulator does not classify Unicode.
bool IsTagText(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return IsAlnum(c) || static_cast<unsigned char>(c) >= 0x80 ||
           std::string_view(" _.:/=+-@").find(c) != std::string_view::npos;
  });
}

Result<Arn> ParseTypedArn(std::string_view text, std::string_view service,
                          std::string_view resource_type) {
  auto arn = ParseArn(text, service);
  if (!arn.ok()) return arn.status();
  std::string prefix = std::string(resource_type) + "/";
  // Every certificate and CA id is a UUID: anything else names nothing (and a stray ':x' or
  // '/x' at the end is a mistake in the ARN, not another resource).
  if (arn->region.empty() || arn->account.empty() || !arn->resource.starts_with(prefix) ||
      !IsUuid(std::string_view(arn->resource).substr(prefix.size()))) {
    return Error("InvalidArnException", fmt::format("The ARN '{}' is not valid: expected the form "
                                                    "arn:aws:{}:REGION:ACCOUNT_ID:{}/UUID",
                                                    text, service, resource_type));
  }
  return arn;
}

}  // namespace

Status CheckDomainName(std::string_view name, std::string_view member) {
  if (name.empty() || name.size() > 253) {
    return Invalid(member, name, "Member must have length between 1 and 253");
  }
  std::string_view rest = name;
  if (rest.starts_with("*.")) rest.remove_prefix(2);
  size_t labels = 0;
  for (size_t start = 0; start <= rest.size();) {
    size_t dot = std::min(rest.find('.', start), rest.size());
    std::string_view label = rest.substr(start, dot - start);
    bool last = dot == rest.size();
    if (!IsLabel(label) || (last && label.size() < 2)) {
      return Invalid(member, name,
                     "Member must be a fully qualified domain name such as www.example.com or "
                     "*.example.com: labels of letters, digits and inner hyphens, 1-63 "
                     "characters, separated by single dots");
    }
    ++labels;
    start = dot + 1;
  }
  if (labels < 2) {
    return Invalid(member, name, "Member must have at least two labels, as in example.com");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> CertificateNames(std::string_view domain_name,
                                                  const std::vector<std::string>& alternatives) {
  CM_RETURN_IF_ERROR(CheckDomainName(domain_name, "domainName"));
  if (domain_name.size() > 64) {
    return Invalid("domainName", domain_name,
                   "the domain name is the certificate's common name and may not exceed 64 "
                   "characters (RFC 5280); put longer names in SubjectAlternativeNames");
  }
  std::vector<std::string> names = {std::string(domain_name)};
  for (size_t i = 0; i < alternatives.size(); ++i) {
    CM_RETURN_IF_ERROR(
        CheckDomainName(alternatives[i], fmt::format("subjectAlternativeNames.{}.member", i + 1)));
    if (std::find(names.begin(), names.end(), alternatives[i]) == names.end()) {
      names.push_back(alternatives[i]);
    }
  }
  if (names.size() > kMaxDomainNames) {
    return Error("LimitExceededException",
                 fmt::format("The certificate would name {} domains; ACM allows {} per "
                             "certificate (DomainName plus SubjectAlternativeNames)",
                             names.size(), kMaxDomainNames));
  }
  return names;
}

Status CheckTags(const std::vector<Tag>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    const Tag& tag = tags[i];
    std::string member = fmt::format("tags.{}.member", i + 1);
    if (tag.key.empty() || tag.key.size() > 128) {
      return Invalid(member + ".key", tag.key, "Member must have length between 1 and 128");
    }
    if (tag.value && tag.value->size() > 256) {
      return Invalid(member + ".value", *tag.value,
                     "Member must have length less than or equal to 256");
    }
    if (!IsTagText(tag.key) || (tag.value && !IsTagText(*tag.value))) {
      return Error("InvalidTagException",
                   fmt::format("Tag '{}' is not valid: keys and values may hold letters, digits, "
                               "spaces and the characters _ . : / = + - @ only",
                               tag.key));
    }
    if (tag.key.starts_with("aws:")) {
      return Error("InvalidTagException",
                   fmt::format("Tag key '{}' is not valid: keys beginning with 'aws:' are "
                               "reserved for AWS use",
                               tag.key));
    }
  }
  if (auto key =
          FirstRepeatedKey(tags, [](const Tag& tag) -> const std::string& { return tag.key; })) {
    return Error(
        "InvalidTagException",
        fmt::format("Tag key '{}' appears twice in this request; give each key once", *key));
  }
  return Status::Ok();
}

Status CheckIdempotencyToken(std::string_view token) {
  bool word =
      std::all_of(token.begin(), token.end(), [](char c) { return IsAlnum(c) || c == '_'; });
  if (token.empty() || token.size() > 32 || !word) {
    return Invalid("idempotencyToken", token,
                   "Member must be 1 to 32 letters, digits or underscores (pattern \\w+)");
  }
  return Status::Ok();
}

Result<pki::KeyAlgorithm> RequestableKeyAlgorithm(std::string_view name, std::string_view region) {
  if (name.empty()) return pki::KeyAlgorithm::kRsa2048;
  if (name == "RSA_2048") return pki::KeyAlgorithm::kRsa2048;
  if (name == "EC_prime256v1") return pki::KeyAlgorithm::kEcPrime256v1;
  if (name == "EC_secp384r1") return pki::KeyAlgorithm::kEcSecp384r1;
  return Error("ValidationException",
               fmt::format("Encryption Algorithm {} is not supported in {} region: "
                           "RequestCertificate accepts RSA_2048, EC_prime256v1 and EC_secp384r1; "
                           "the other KeyAlgorithm values are for imported certificates",
                           name, region));
}

Status CheckPassphrase(std::string_view passphrase) {
  if (passphrase.size() < 4 || passphrase.size() > 128) {
    return Invalid("passphrase", "***",
                   fmt::format("Member must have length between 4 and 128 bytes (it has {})",
                               passphrase.size()));
  }
  for (char c : passphrase) {
    if (c < 0x20 || c > 0x7e || c == '#' || c == '$' || c == '%') {
      return Error("ValidationException",
                   "The passphrase may hold printable ASCII characters except '#', '$' and '%' "
                   "only");
    }
  }
  return Status::Ok();
}

Result<Arn> ParseCertificateArn(std::string_view text) {
  return ParseTypedArn(text, "acm", "certificate");
}

Result<Arn> ParseCertificateAuthorityArn(std::string_view text) {
  return ParseTypedArn(text, "acm-pca", "certificate-authority");
}

}  // namespace crossmesh::acm::internal
