#include "emulator/acmpca/model/ca_store.h"

#include <fmt/format.h>

#include <cctype>

#include "emulator/acmpca/model/certificate_rows.h"
#include "emulator/core/arn.h"
#include "emulator/core/ids.h"

namespace crossmesh::acmpca {
namespace {

// Rows are keyed by (account, region, id) as every crossmesh table is keyed by account and
// region; child rows cascade so a CA leaving its restore window takes everything with it.
const std::vector<std::string> kMigrations = {
    "CREATE TABLE acmpca_cas ("
    " account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,"
    " type TEXT NOT NULL, status TEXT NOT NULL, status_before TEXT,"
    " key_algorithm TEXT NOT NULL, signing_algorithm TEXT NOT NULL,"
    " key_storage TEXT NOT NULL, usage_mode TEXT NOT NULL,"
    " private_key_pem TEXT NOT NULL, csr_pem TEXT NOT NULL,"
    " certificate_pem TEXT, chain_pem TEXT, serial TEXT,"
    " not_before_ms INTEGER, not_after_ms INTEGER,"
    " created_ms INTEGER NOT NULL, state_changed_ms INTEGER NOT NULL, restorable_until_ms INTEGER,"
    " crl_enabled INTEGER, crl_expiration_days INTEGER, crl_custom_cname TEXT,"
    " crl_s3_bucket TEXT, crl_s3_acl TEXT, ocsp_enabled INTEGER, ocsp_custom_cname TEXT,"
    " policy TEXT, idempotency_token TEXT, request_hash TEXT,"
    " PRIMARY KEY (account, region, id));"
    "CREATE INDEX acmpca_cas_by_status ON acmpca_cas(status, not_after_ms);"
    "CREATE TABLE acmpca_certificates ("
    " account TEXT NOT NULL, region TEXT NOT NULL, ca_id TEXT NOT NULL, id TEXT NOT NULL,"
    " serial TEXT NOT NULL, certificate_pem TEXT NOT NULL, template TEXT NOT NULL,"
    " requester_account TEXT NOT NULL, issued_ms INTEGER NOT NULL, not_after_ms INTEGER NOT NULL,"
    " idempotency_token TEXT, request_hash TEXT, revoked_ms INTEGER, revocation_reason TEXT,"
    " PRIMARY KEY (account, region, ca_id, id),"
    " FOREIGN KEY (account, region, ca_id) REFERENCES acmpca_cas(account, region, id)"
    "   ON DELETE CASCADE);"
    "CREATE INDEX acmpca_certificates_by_token"
    " ON acmpca_certificates(account, region, ca_id, idempotency_token)"
    " WHERE idempotency_token IS NOT NULL;"
    "CREATE TABLE acmpca_permissions ("
    " account TEXT NOT NULL, region TEXT NOT NULL, ca_id TEXT NOT NULL,"
    " principal TEXT NOT NULL, source_account TEXT NOT NULL, actions TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL,"
    " PRIMARY KEY (account, region, ca_id, principal, source_account),"
    " FOREIGN KEY (account, region, ca_id) REFERENCES acmpca_cas(account, region, id)"
    "   ON DELETE CASCADE);"
    "CREATE TABLE acmpca_tags ("
    " account TEXT NOT NULL, region TEXT NOT NULL, ca_id TEXT NOT NULL,"
    " key TEXT NOT NULL, value TEXT,"
    " PRIMARY KEY (account, region, ca_id, key),"
    " FOREIGN KEY (account, region, ca_id) REFERENCES acmpca_cas(account, region, id)"
    "   ON DELETE CASCADE);",
    CertificateRowsMigration(),
};

constexpr std::string_view kCaColumns =
    "account, region, id, arn, type, status, status_before, key_algorithm, signing_algorithm,"
    " key_storage, usage_mode, csr_pem, certificate_pem, chain_pem, serial, not_before_ms,"
    " not_after_ms, created_ms, state_changed_ms, restorable_until_ms, crl_enabled,"
    " crl_expiration_days, crl_custom_cname, crl_s3_bucket, crl_s3_acl, ocsp_enabled,"
    " ocsp_custom_cname, policy";

bool IsHex(std::string_view text) {
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return !text.empty();
}

Status InvalidArn(std::string_view arn, std::string_view why, std::string_view form) {
  return Error("InvalidArnException",
               fmt::format("The ARN '{}' is not valid: {}. Expected the form {}.", arn, why, form));
}

std::optional<TimePoint> OptionalTime(const Statement& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return FromMillis(row.Int(column));
}

std::optional<RevocationConfiguration> RevocationFromRow(const Statement& row) {
  RevocationConfiguration revocation;
  if (!row.IsNull(20)) {
    CrlConfiguration crl;
    crl.enabled = row.Int(20) != 0;
    if (!row.IsNull(21)) crl.expiration_in_days = row.Int(21);
    crl.custom_cname = row.Text(22);
    crl.s3_bucket_name = row.Text(23);
    crl.s3_object_acl = row.Text(24);
    revocation.crl = crl;
  }
  if (!row.IsNull(25)) {
    revocation.ocsp = OcspConfiguration{row.Int(25) != 0, row.Text(26)};
  }
  if (!revocation.crl && !revocation.ocsp) return std::nullopt;
  return revocation;
}

// Stored enum names were written by this model, so a parse failure means a damaged state file.
Result<CaRecord> CaFromRow(const Statement& row) {
  CaRecord ca;
  ca.account = row.Text(0);
  ca.region = row.Text(1);
  ca.id = row.Text(2);
  ca.arn = row.Text(3);
  auto type = ValueOf(kCaTypeNames, row.Text(4));
  auto status = ValueOf(kCaStatusNames, row.Text(5));
  auto key = pki::ParseKeyAlgorithm(row.Text(7));
  auto signing = pki::ParseSigningAlgorithm(row.Text(8));
  if (!type || !status || !key.ok() || !signing.ok()) {
    return Error("InternalFailure", "the stored row of " + ca.arn + " is damaged");
  }
  ca.type = *type;
  ca.status = *status;
  if (!row.IsNull(6)) ca.status_before = ValueOf(kCaStatusNames, row.Text(6));
  ca.key_algorithm = *key;
  ca.signing_algorithm = *signing;
  ca.key_storage_security_standard = row.Text(9);
  ca.usage_mode = row.Text(10);
  ca.csr_pem = row.Text(11);
  ca.certificate_pem = row.Text(12);
  ca.chain_pem = row.Text(13);
  ca.serial = row.Text(14);
  ca.not_before = OptionalTime(row, 15);
  ca.not_after = OptionalTime(row, 16);
  ca.created_at = FromMillis(row.Int(17));
  ca.last_state_change_at = FromMillis(row.Int(18));
  ca.restorable_until = OptionalTime(row, 19);
  ca.revocation = RevocationFromRow(row);
  ca.policy = row.Text(27);
  return ca;
}

void BindOptionalTime(Statement& stmt, int index, const std::optional<TimePoint>& time) {
  if (time) {
    stmt.Bind(index, ToMillis(*time));
  } else {
    stmt.BindNull(index);
  }
}

void BindOptionalText(Statement& stmt, int index, std::string_view text) {
  if (text.empty()) {
    stmt.BindNull(index);
  } else {
    stmt.Bind(index, text);
  }
}

// Binds the mutable columns, in kMutableColumns order, starting at `first`.
void BindMutable(Statement& stmt, int first, const CaRecord& ca) {
  int i = first;
  stmt.Bind(i++, StatusName(ca.status));
  if (ca.status_before) {
    stmt.Bind(i++, StatusName(*ca.status_before));
  } else {
    stmt.BindNull(i++);
  }
  BindOptionalText(stmt, i++, ca.certificate_pem);
  BindOptionalText(stmt, i++, ca.chain_pem);
  BindOptionalText(stmt, i++, ca.serial);
  BindOptionalTime(stmt, i++, ca.not_before);
  BindOptionalTime(stmt, i++, ca.not_after);
  stmt.Bind(i++, ToMillis(ca.last_state_change_at));
  BindOptionalTime(stmt, i++, ca.restorable_until);

  const auto* crl = ca.revocation && ca.revocation->crl ? &*ca.revocation->crl : nullptr;
  const auto* ocsp = ca.revocation && ca.revocation->ocsp ? &*ca.revocation->ocsp : nullptr;
  if (crl) {
    stmt.Bind(i++, int64_t{crl->enabled});
    if (crl->expiration_in_days) {
      stmt.Bind(i++, *crl->expiration_in_days);
    } else {
      stmt.BindNull(i++);
    }
    stmt.Bind(i++, std::string_view(crl->custom_cname));
    stmt.Bind(i++, std::string_view(crl->s3_bucket_name));
    stmt.Bind(i++, std::string_view(crl->s3_object_acl));
  } else {
    for (int n = 0; n < 5; ++n) stmt.BindNull(i++);
  }
  if (ocsp) {
    stmt.Bind(i++, int64_t{ocsp->enabled});
    stmt.Bind(i++, std::string_view(ocsp->ocsp_custom_cname));
  } else {
    stmt.BindNull(i++);
    stmt.BindNull(i++);
  }
  BindOptionalText(stmt, i, ca.policy);
}

constexpr std::string_view kMutableColumns =
    "status, status_before, certificate_pem, chain_pem, serial, not_before_ms, not_after_ms,"
    " state_changed_ms, restorable_until_ms, crl_enabled, crl_expiration_days, crl_custom_cname,"
    " crl_s3_bucket, crl_s3_acl, ocsp_enabled, ocsp_custom_cname, policy";
constexpr int kMutableCount = 17;

}  // namespace

Status MigrateSchema(Store& store) { return store.Migrate("acmpca", kMigrations); }

Result<CaArn> ParseCaArn(std::string_view text) {
  constexpr std::string_view kForm = "arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/UUID";
  auto arn = ParseArn(text, "acm-pca");
  if (!arn.ok()) return arn.status();
  if (arn->region.empty()) return InvalidArn(text, "the region is empty", kForm);
  if (arn->account.empty()) return InvalidArn(text, "the account is empty", kForm);

  constexpr std::string_view kPrefix = "certificate-authority/";
  std::string_view resource = arn->resource;
  if (resource.substr(0, kPrefix.size()) != kPrefix) {
    return InvalidArn(text, "the resource does not start with 'certificate-authority/'", kForm);
  }
  std::string_view id = resource.substr(kPrefix.size());
  if (!IsUuid(id)) {
    return InvalidArn(text, fmt::format("'{}' is not a CA id (a UUID)", id), kForm);
  }
  return CaArn{arn->region, arn->account, std::string(id), std::string(text)};
}

std::string MakeCaArn(std::string_view region, std::string_view account, std::string_view id) {
  return fmt::format("arn:aws:acm-pca:{}:{}:certificate-authority/{}", region, account, id);
}

Result<CertificateArn> ParseCertificateArn(std::string_view text) {
  constexpr std::string_view kForm =
      "arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/UUID/certificate/HEX";
  constexpr std::string_view kMarker = "/certificate/";
  size_t marker = text.rfind(kMarker);
  if (marker == std::string_view::npos) {
    return InvalidArn(text, "it has no '/certificate/' part", kForm);
  }
  auto ca = ParseCaArn(text.substr(0, marker));
  if (!ca.ok()) return InvalidArn(text, "its CA part is not valid", kForm);
  std::string_view id = text.substr(marker + kMarker.size());
  if (!IsHex(id) || id.size() > 40) {
    return InvalidArn(text, fmt::format("'{}' is not a certificate id (hex)", id), kForm);
  }
  std::string lower(id);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return CertificateArn{*ca, lower};
}

std::string MakeCertificateArn(std::string_view ca_arn, std::string_view id) {
  return fmt::format("{}/certificate/{}", ca_arn, id);
}

Result<CaRecord> LoadCa(Store& store, const CaArn& arn) {
  auto stmt = store.Prepare(fmt::format(
      "SELECT {} FROM acmpca_cas WHERE account = ? AND region = ? AND id = ?", kCaColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, arn.account).Bind(2, arn.region).Bind(3, arn.id);
  if (!stmt->Step()) {
    CM_RETURN_IF_ERROR(stmt->status());
    return Error("ResourceNotFoundException",
                 fmt::format("Could not find certificate authority {} (account {}, region {}); "
                             "check the ARN with list-certificate-authorities",
                             arn.arn, arn.account, arn.region));
  }
  return CaFromRow(*stmt);
}

Result<std::string> LoadCaPrivateKeyPem(Store& store, const CaRecord& ca) {
  auto stmt = store.Prepare(
      "SELECT private_key_pem FROM acmpca_cas WHERE account = ? AND region = ? AND id = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ca.account).Bind(2, ca.region).Bind(3, ca.id);
  if (!stmt->Step()) {
    CM_RETURN_IF_ERROR(stmt->status());
    return Error("ResourceNotFoundException", "Could not find certificate authority " + ca.arn);
  }
  return stmt->Text(0);
}

Status InsertCa(Store& store, const NewCaRow& row) {
  const CaRecord& ca = *row.record;
  auto stmt = store.Prepare(fmt::format(
      "INSERT INTO acmpca_cas (account, region, id, arn, type, key_algorithm, signing_algorithm,"
      " key_storage, usage_mode, private_key_pem, csr_pem, created_ms, idempotency_token,"
      " request_hash, {}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {})",
      kMutableColumns, "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ca.account).Bind(2, ca.region).Bind(3, ca.id).Bind(4, ca.arn);
  stmt->Bind(5, NameOf(kCaTypeNames, ca.type));
  stmt->Bind(6, pki::KeyAlgorithmName(ca.key_algorithm));
  stmt->Bind(7, pki::SigningAlgorithmName(ca.signing_algorithm));
  stmt->Bind(8, ca.key_storage_security_standard).Bind(9, ca.usage_mode);
  stmt->Bind(10, row.private_key_pem).Bind(11, ca.csr_pem).Bind(12, ToMillis(ca.created_at));
  BindOptionalText(*stmt, 13, row.idempotency_token);
  BindOptionalText(*stmt, 14, row.request_hash);
  BindMutable(*stmt, 15, ca);
  return stmt->Run();
}

Status SaveCa(Store& store, const CaRecord& ca) {
  std::string assignments;
  std::string_view columns = kMutableColumns;
  while (!columns.empty()) {
    size_t comma = columns.find(',');
    std::string_view column = columns.substr(0, comma);
    while (!column.empty() && column.front() == ' ') column.remove_prefix(1);
    assignments += fmt::format("{}{} = ?", assignments.empty() ? "" : ", ", column);
    columns = comma == std::string_view::npos ? std::string_view() : columns.substr(comma + 1);
  }
  auto stmt = store.Prepare(fmt::format(
      "UPDATE acmpca_cas SET {} WHERE account = ? AND region = ? AND id = ?", assignments));
  if (!stmt.ok()) return stmt.status();
  BindMutable(*stmt, 1, ca);
  stmt->Bind(kMutableCount + 1, ca.account).Bind(kMutableCount + 2, ca.region);
  stmt->Bind(kMutableCount + 3, ca.id);
  return stmt->Run();
}

Result<std::optional<ResourceInfo>> FindCaResource(Store& store, const Arn& arn) {
  auto ca_arn = ParseCaArn(arn.ToString());
  if (!ca_arn.ok()) return std::optional<ResourceInfo>();
  auto ca = LoadCa(store, *ca_arn);
  if (!ca.ok()) {
    if (ca.status().code() == "ResourceNotFoundException") return std::optional<ResourceInfo>();
    return ca.status();
  }
  if (ca->status == CaStatus::kDeleted) return std::optional<ResourceInfo>();
  return std::optional<ResourceInfo>(ResourceInfo{"acm-pca:CertificateAuthority", ca->account});
}

Status DeleteCaRows(Store& store, const CaRecord& ca) {
  auto stmt = store.Prepare("DELETE FROM acmpca_cas WHERE account = ? AND region = ? AND id = ?");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, ca.account).Bind(2, ca.region).Bind(3, ca.id).Run();
}

Result<std::string> FindCaByIdempotencyToken(Store& store, std::string_view account,
                                             std::string_view region, std::string_view token,
                                             std::string_view request_hash, TimePoint since) {
  auto stmt = store.Prepare(
      "SELECT arn FROM acmpca_cas WHERE account = ? AND region = ? AND idempotency_token = ?"
      " AND request_hash = ? AND created_ms >= ? ORDER BY created_ms DESC LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, account).Bind(2, region).Bind(3, token).Bind(4, request_hash);
  stmt->Bind(5, ToMillis(since));
  if (stmt->Step()) return stmt->Text(0);
  CM_RETURN_IF_ERROR(stmt->status());
  return std::string();
}

Result<std::vector<CaRecord>> ListCaRecords(Store& store, std::string_view region,
                                            std::string_view account, bool others) {
  auto stmt = store.Prepare(fmt::format(
      "SELECT {} FROM acmpca_cas WHERE region = ? AND account {} ? ORDER BY created_ms, rowid",
      kCaColumns, others ? "!=" : "="));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, region).Bind(2, account);
  std::vector<CaRecord> out;
  while (stmt->Step()) {
    auto ca = CaFromRow(*stmt);
    if (!ca.ok()) return ca.status();
    out.push_back(std::move(*ca));
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return out;
}

Result<PageWindow> PageOf(size_t total, const Page& page, size_t default_page_size,
                          std::string_view listing) {
  const std::string kTokenPrefix = "acmpca-" + Sha256Hex(listing).substr(0, 16) + "-page-";
  size_t begin = 0;
  if (!page.next_token.empty()) {
    std::string_view token = page.next_token;
    bool valid = token.substr(0, kTokenPrefix.size()) == kTokenPrefix &&
                 token.size() > kTokenPrefix.size() && token.size() < kTokenPrefix.size() + 10;
    const std::string_view offset = token.substr(std::min(token.size(), kTokenPrefix.size()));
    for (char c : offset) valid = valid && std::isdigit(static_cast<unsigned char>(c));
    // Only a page after the first is ever named, and by its offset as written here.
    valid = valid && !offset.starts_with('0');
    if (!valid) {
      return Error("InvalidNextTokenException",
                   fmt::format("The NextToken '{}' was not returned by this operation for this "
                               "caller and these parameters; pass the NextToken of the previous "
                               "page unchanged, with the same parameters",
                               page.next_token));
    }
    begin = std::min(
        total, static_cast<size_t>(std::stoull(std::string(token.substr(kTokenPrefix.size())))));
  }
  size_t size = page.max_results ? static_cast<size_t>(*page.max_results) : default_page_size;
  size_t end = std::min(total, begin + size);
  std::string next = end < total ? fmt::format("{}{}", kTokenPrefix, end) : std::string();
  return PageWindow{begin, end, next};
}

}  // namespace crossmesh::acmpca
