#include "emulator/acmpca/model/rules.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

#include "emulator/core/repeated_key.h"

namespace crossmesh::acmpca {
namespace {

bool LooksLikeUrl(std::string_view cname) {
  return cname.substr(0, 7) == "http://" || cname.substr(0, 8) == "https://";
}

// TagKey / TagValue allow letters, digits, whitespace and _.:/=+-@ (Unicode classes: any byte
// of a multi-byte UTF-8 sequence is accepted here).
bool IsTagText(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte >= 0x80 || std::isalnum(byte) || c == ' ' ||
           std::string_view("_.:/=+-@").find(c) != std::string_view::npos;
  });
}

Result<int64_t> CountTags(Store& store, const CaRecord& ca, const std::vector<Tag>& adding) {
  auto stmt =
      store.Prepare("SELECT key FROM acmpca_tags WHERE account = ? AND region = ? AND ca_id = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ca.account).Bind(2, ca.region).Bind(3, ca.id);
  std::vector<std::string> keys;
  while (stmt->Step()) keys.push_back(stmt->Text(0));
  CM_RETURN_IF_ERROR(stmt->status());
  for (const Tag& tag : adding) {
    if (std::find(keys.begin(), keys.end(), tag.key) == keys.end()) keys.push_back(tag.key);
  }
  return static_cast<int64_t>(keys.size());
}

}  // namespace

Status RequireState(const CaRecord& ca, std::string_view action,
                    std::initializer_list<CaStatus> allowed, std::string_view hint) {
  if (std::find(allowed.begin(), allowed.end(), ca.status) != allowed.end()) return Status::Ok();
  std::vector<std::string_view> names;
  for (CaStatus status : allowed) names.push_back(StatusName(status));
  std::string message =
      fmt::format("The certificate authority {} is in state {}; {} needs it {}", ca.arn,
                  StatusName(ca.status), action, fmt::join(names, " or "));
  if (!hint.empty()) message += fmt::format(". {}", hint);
  return Error("InvalidStateException", std::move(message));
}

Status CheckRevocationConfiguration(const RevocationConfiguration& revocation) {
  if (revocation.crl && revocation.crl->enabled) {
    const CrlConfiguration& crl = *revocation.crl;
    if (crl.s3_bucket_name.empty()) {
      return Error("InvalidArgsException",
                   "CrlConfiguration is enabled but names no S3BucketName; give the bucket the "
                   "CRL is written to, or set Enabled to false");
    }
    if (LooksLikeUrl(crl.custom_cname)) {
      return Error("InvalidArgsException",
                   fmt::format("CrlConfiguration CustomCname '{}' must be a host name without "
                               "http:// or https://",
                               crl.custom_cname));
    }
  }
  if (revocation.ocsp && revocation.ocsp->enabled &&
      LooksLikeUrl(revocation.ocsp->ocsp_custom_cname)) {
    return Error("InvalidArgsException",
                 fmt::format("OcspConfiguration OcspCustomCname '{}' must be a host name without "
                             "http:// or https://",
                             revocation.ocsp->ocsp_custom_cname));
  }
  return Status::Ok();
}

Status CheckTags(const std::vector<Tag>& tags) {
  for (const Tag& tag : tags) {
    if (tag.key.substr(0, 4) == "aws:") {
      return Error(
          "InvalidTagException",
          fmt::format("Tag key '{}' uses the reserved 'aws:' prefix; choose another key", tag.key));
    }
    if (!IsTagText(tag.key) || (tag.value && !IsTagText(*tag.value))) {
      return Error("InvalidTagException",
                   fmt::format("Tag '{}' has characters tags may not hold; use letters, digits, "
                               "spaces and _ . : / = + - @",
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

Status UpsertTags(Store& store, const CaRecord& ca, const std::vector<Tag>& tags) {
  auto count = CountTags(store, ca, tags);
  if (!count.ok()) return count.status();
  if (*count > static_cast<int64_t>(kMaxTags)) {
    return Error("TooManyTagsException",
                 fmt::format("{} would carry {} tags; a CA holds at most {}. Remove some with "
                             "untag-certificate-authority first",
                             ca.arn, *count, kMaxTags));
  }

  for (const Tag& tag : tags) {
    auto stmt = store.Prepare(
        "INSERT INTO acmpca_tags (account, region, ca_id, key, value) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(account, region, ca_id, key) DO UPDATE SET value = excluded.value");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, ca.account).Bind(2, ca.region).Bind(3, ca.id).Bind(4, tag.key);
    stmt->Bind(5, tag.value);
    CM_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

}  // namespace crossmesh::acmpca
