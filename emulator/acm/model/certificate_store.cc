#include "emulator/acm/model/certificate_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace crossmesh::acm::internal {
namespace {

const std::vector<std::string> kMigrations = {
    "CREATE TABLE acm_certificates ("
    " arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, type TEXT NOT NULL,"
    " status TEXT NOT NULL, failure_reason TEXT NOT NULL DEFAULT '',"
    " domain_name TEXT NOT NULL, names TEXT NOT NULL, key_algorithm TEXT NOT NULL,"
    " ca_arn TEXT NOT NULL DEFAULT '', validation_method TEXT NOT NULL DEFAULT '',"
    " transparency_logging TEXT NOT NULL, created_ms INTEGER NOT NULL, issued_ms INTEGER,"
    " private_key_pem TEXT NOT NULL DEFAULT '', certificate_pem TEXT NOT NULL DEFAULT '',"
    " chain_pem TEXT NOT NULL DEFAULT '', serial TEXT NOT NULL DEFAULT '',"
    " subject TEXT NOT NULL DEFAULT '', issuer TEXT NOT NULL DEFAULT '',"
    " signature_algorithm TEXT NOT NULL DEFAULT '', not_before_ms INTEGER, not_after_ms INTEGER,"
    " key_usages TEXT NOT NULL DEFAULT '', extended_key_usages TEXT NOT NULL DEFAULT '',"
    " exported INTEGER NOT NULL DEFAULT 0, eligible INTEGER NOT NULL DEFAULT 0,"
    " action_due_ms INTEGER, renewal_due_ms INTEGER, renewal_status TEXT NOT NULL DEFAULT '',"
    " renewal_reason TEXT NOT NULL DEFAULT '', renewal_updated_ms INTEGER);"
    // The three schedule queries each read one index, so NextDue stays cheap with many rows.
    "CREATE INDEX acm_certificates_action_due ON acm_certificates(action_due_ms);"
    "CREATE INDEX acm_certificates_expiry ON acm_certificates(status, not_after_ms);"
    "CREATE INDEX acm_certificates_renewal ON acm_certificates(status, eligible, renewal_due_ms);"
    "CREATE INDEX acm_certificates_owner ON acm_certificates(account, region, created_ms);"
    "CREATE TABLE acm_certificate_users ("
    " certificate_arn TEXT NOT NULL REFERENCES acm_certificates(arn) ON DELETE CASCADE,"
    " user_arn TEXT NOT NULL, PRIMARY KEY (certificate_arn, user_arn));"
    "CREATE TABLE acm_tags ("
    " certificate_arn TEXT NOT NULL REFERENCES acm_certificates(arn) ON DELETE CASCADE,"
    " key TEXT NOT NULL, value TEXT, PRIMARY KEY (certificate_arn, key));"
    "CREATE TABLE acm_idempotency_tokens ("
    " account TEXT NOT NULL, region TEXT NOT NULL, token TEXT NOT NULL,"
    " certificate_arn TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " PRIMARY KEY (account, region, token));"
    "CREATE TABLE acm_certificate_changes ("
    " sequence INTEGER PRIMARY KEY AUTOINCREMENT, certificate_arn TEXT NOT NULL,"
    " account TEXT NOT NULL, kind TEXT NOT NULL, serial TEXT NOT NULL, reason TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL)",
};

constexpr std::string_view kWrittenColumns =
    "arn, account, region, type, status, failure_reason, domain_name, names, key_algorithm,"
    " ca_arn, validation_method, transparency_logging, created_ms, issued_ms, private_key_pem,"
    " certificate_pem, chain_pem, serial, subject, issuer, signature_algorithm, not_before_ms,"
    " not_after_ms, key_usages, extended_key_usages, exported, action_due_ms, renewal_due_ms,"
    " renewal_status, renewal_reason, renewal_updated_ms";
constexpr int kWrittenColumnCount = 31;
// Every read adds whether the certificate is in use, derived from acm_certificate_users.
const std::string kColumns = fmt::format(
    "{}, EXISTS (SELECT 1 FROM acm_certificate_users u"
    " WHERE u.certificate_arn = acm_certificates.arn)",
    kWrittenColumns);

// Lists are stored one entry per line: domain names and enum names hold no newlines.
std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += '\n';
    out += item;
  }
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::optional<TimePoint> OptionalTime(const Statement& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return FromMillis(row.Int(column));
}

void BindTime(Statement& stmt, int index, const std::optional<TimePoint>& time) {
  if (time) {
    stmt.Bind(index, ToMillis(*time));
  } else {
    stmt.BindNull(index);
  }
}

CertificateRecord ReadRecord(const Statement& row) {
  CertificateRecord r;
  r.arn = row.Text(0);
  r.account = row.Text(1);
  r.region = row.Text(2);
  r.type = row.Text(3);
  r.status = row.Text(4);
  r.failure_reason = row.Text(5);
  r.domain_name = row.Text(6);
  r.names = SplitLines(row.Text(7));
  r.key_algorithm = row.Text(8);
  r.ca_arn = row.Text(9);
  r.validation_method = row.Text(10);
  r.transparency_logging = row.Text(11);
  r.created_at = FromMillis(row.Int(12));
  r.issued_at = OptionalTime(row, 13);
  r.private_key_pem = row.Text(14);
  r.certificate_pem = row.Text(15);
  r.chain_pem = row.Text(16);
  r.serial = row.Text(17);
  r.subject = row.Text(18);
  r.issuer = row.Text(19);
  r.signature_algorithm = row.Text(20);
  r.not_before = OptionalTime(row, 21);
  r.not_after = OptionalTime(row, 22);
  r.key_usages = SplitLines(row.Text(23));
  r.extended_key_usages = SplitLines(row.Text(24));
  r.exported = row.Int(25) != 0;
  r.action_due = OptionalTime(row, 26);
  r.renewal_due = OptionalTime(row, 27);
  r.renewal_status = row.Text(28);
  r.renewal_reason = row.Text(29);
  r.renewal_updated_at = OptionalTime(row, 30);
  r.in_use = row.Int(31) != 0;
  return r;
}

// Binds the written columns in kColumns order, starting at parameter 1.
void BindRecord(Statement& stmt, const CertificateRecord& r) {
  std::string names = JoinLines(r.names);
  std::string key_usages = JoinLines(r.key_usages);
  std::string extended_key_usages = JoinLines(r.extended_key_usages);
  stmt.Bind(1, std::string_view(r.arn)).Bind(2, std::string_view(r.account));
  stmt.Bind(3, std::string_view(r.region)).Bind(4, std::string_view(r.type));
  stmt.Bind(5, std::string_view(r.status)).Bind(6, std::string_view(r.failure_reason));
  stmt.Bind(7, std::string_view(r.domain_name)).Bind(8, std::string_view(names));
  stmt.Bind(9, std::string_view(r.key_algorithm)).Bind(10, std::string_view(r.ca_arn));
  stmt.Bind(11, std::string_view(r.validation_method));
  stmt.Bind(12, std::string_view(r.transparency_logging)).Bind(13, ToMillis(r.created_at));
  BindTime(stmt, 14, r.issued_at);
  stmt.Bind(15, std::string_view(r.private_key_pem));
  stmt.Bind(16, std::string_view(r.certificate_pem)).Bind(17, std::string_view(r.chain_pem));
  stmt.Bind(18, std::string_view(r.serial)).Bind(19, std::string_view(r.subject));
  stmt.Bind(20, std::string_view(r.issuer)).Bind(21, std::string_view(r.signature_algorithm));
  BindTime(stmt, 22, r.not_before);
  BindTime(stmt, 23, r.not_after);
  stmt.Bind(24, std::string_view(key_usages)).Bind(25, std::string_view(extended_key_usages));
  stmt.Bind(26, int64_t{r.exported ? 1 : 0});
  BindTime(stmt, 27, r.action_due);
  BindTime(stmt, 28, r.renewal_due);
  stmt.Bind(29, std::string_view(r.renewal_status)).Bind(30, std::string_view(r.renewal_reason));
  BindTime(stmt, 31, r.renewal_updated_at);
}

Result<std::optional<TimePoint>> MinimumTime(Store& store, std::string_view sql,
                                             std::optional<TimePoint> best) {
  auto stmt = store.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  if (stmt->Step() && !stmt->IsNull(0)) {
    TimePoint due = FromMillis(stmt->Int(0));
    if (!best || due < *best) best = due;
  }
  CM_RETURN_IF_ERROR(stmt->status());
  return best;
}

}  // namespace

bool CertificateRecord::eligible_for_renewal() const {
  return type == type::kPrivate && status == status::kIssued && (exported || in_use);
}

int64_t ToMillis(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

TimePoint FromMillis(int64_t millis) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(millis)));
}

Status MigrateSchema(Store& store) { return store.Migrate("acm", kMigrations); }

Result<std::optional<CertificateRecord>> LoadCertificate(Store& store, std::string_view arn) {
  auto stmt = store.Prepare(fmt::format("SELECT {} FROM acm_certificates WHERE arn = ?", kColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, arn);
  std::optional<CertificateRecord> record;
  if (stmt->Step()) record = ReadRecord(*stmt);
  CM_RETURN_IF_ERROR(stmt->status());
  return record;
}

Result<std::vector<CertificateRecord>> LoadCertificates(Store& store, std::string_view account,
                                                        std::string_view region) {
  auto stmt = store.Prepare(fmt::format(
      "SELECT {} FROM acm_certificates WHERE account = ? AND region = ? ORDER BY created_ms, rowid",
      kColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, account).Bind(2, region);
  std::vector<CertificateRecord> records;
  while (stmt->Step()) records.push_back(ReadRecord(*stmt));
  CM_RETURN_IF_ERROR(stmt->status());
  return records;
}

Status InsertCertificate(Store& store, const CertificateRecord& record) {
  std::string placeholders = "?";
  for (int i = 1; i < kWrittenColumnCount; ++i) placeholders += ", ?";
  auto stmt = store.Prepare(
      fmt::format("INSERT INTO acm_certificates ({}) VALUES ({})", kWrittenColumns, placeholders));
  if (!stmt.ok()) return stmt.status();
  BindRecord(*stmt, record);
  CM_RETURN_IF_ERROR(stmt->Run());
  return RefreshEligibility(store, record.arn);
}

Status UpdateCertificate(Store& store, const CertificateRecord& record) {
  auto stmt = store.Prepare(
      "UPDATE acm_certificates SET arn = ?1, account = ?2, region = ?3, type = ?4, status = ?5,"
      " failure_reason = ?6, domain_name = ?7, names = ?8, key_algorithm = ?9, ca_arn = ?10,"
      " validation_method = ?11, transparency_logging = ?12, created_ms = ?13, issued_ms = ?14,"
      " private_key_pem = ?15, certificate_pem = ?16, chain_pem = ?17, serial = ?18,"
      " subject = ?19, issuer = ?20, signature_algorithm = ?21, not_before_ms = ?22,"
      " not_after_ms = ?23, key_usages = ?24, extended_key_usages = ?25, exported = ?26,"
      " action_due_ms = ?27, renewal_due_ms = ?28, renewal_status = ?29, renewal_reason = ?30,"
      " renewal_updated_ms = ?31 WHERE arn = ?1");
  if (!stmt.ok()) return stmt.status();
  BindRecord(*stmt, record);
  CM_RETURN_IF_ERROR(stmt->Run());
  return RefreshEligibility(store, record.arn);
}

Status DeleteCertificateRow(Store& store, std::string_view arn) {
  auto stmt = store.Prepare("DELETE FROM acm_certificates WHERE arn = ?");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, arn).Run();
}

Status RefreshEligibility(Store& store, std::string_view arn) {
  auto stmt = store.Prepare(
      "UPDATE acm_certificates SET eligible = (exported = 1 OR EXISTS (SELECT 1 FROM"
      " acm_certificate_users u WHERE u.certificate_arn = acm_certificates.arn)) WHERE arn = ?");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, arn).Run();
}

Result<std::optional<TimePoint>> EarliestDue(Store& store) {
  std::optional<TimePoint> best;
  for (std::string_view sql : {
           "SELECT MIN(action_due_ms) FROM acm_certificates",
           "SELECT MIN(not_after_ms) FROM acm_certificates WHERE status = 'ISSUED'",
           "SELECT MIN(renewal_due_ms) FROM acm_certificates WHERE status = 'ISSUED'"
           " AND eligible = 1",
       }) {
    auto next = MinimumTime(store, sql, best);
    if (!next.ok()) return next.status();
    best = *next;
  }
  return best;
}

Result<std::vector<std::string>> DueCertificates(Store& store, TimePoint now) {
  auto stmt = store.Prepare(
      "SELECT arn, MIN(COALESCE(action_due_ms, ?2),"
      " CASE WHEN status = 'ISSUED' THEN COALESCE(not_after_ms, ?2) ELSE ?2 END,"
      " CASE WHEN status = 'ISSUED' AND eligible = 1 THEN COALESCE(renewal_due_ms, ?2)"
      " ELSE ?2 END) AS due FROM acm_certificates WHERE action_due_ms <= ?1"
      " OR (status = 'ISSUED' AND not_after_ms <= ?1)"
      " OR (status = 'ISSUED' AND eligible = 1 AND renewal_due_ms <= ?1) ORDER BY due, arn");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ToMillis(now)).Bind(2, std::numeric_limits<int64_t>::max());
  std::vector<std::string> arns;
  while (stmt->Step()) arns.push_back(stmt->Text(0));
  CM_RETURN_IF_ERROR(stmt->status());
  return arns;
}

Result<std::vector<Tag>> LoadTags(Store& store, std::string_view arn) {
  auto stmt =
      store.Prepare("SELECT key, value FROM acm_tags WHERE certificate_arn = ? ORDER BY key");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, arn);
  std::vector<Tag> tags;
  while (stmt->Step()) tags.push_back({stmt->Text(0), stmt->OptionalText(1)});
  CM_RETURN_IF_ERROR(stmt->status());
  return tags;
}

Status PutTag(Store& store, std::string_view arn, const Tag& tag) {
  auto stmt = store.Prepare(
      "INSERT INTO acm_tags (certificate_arn, key, value) VALUES (?, ?, ?)"
      " ON CONFLICT (certificate_arn, key) DO UPDATE SET value = excluded.value");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, arn).Bind(2, std::string_view(tag.key)).Bind(3, tag.value).Run();
}

Status DeleteTag(Store& store, std::string_view arn, std::string_view key) {
  auto stmt = store.Prepare("DELETE FROM acm_tags WHERE certificate_arn = ? AND key = ?");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, arn).Bind(2, key).Run();
}

Result<std::optional<std::string>> FindIdempotentRequest(Store& store, std::string_view account,
                                                         std::string_view region,
                                                         std::string_view token, TimePoint now) {
  auto stmt = store.Prepare(
      "SELECT t.certificate_arn FROM acm_idempotency_tokens t JOIN acm_certificates c"
      " ON c.arn = t.certificate_arn WHERE t.account = ? AND t.region = ? AND t.token = ?"
      " AND t.created_ms > ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, account).Bind(2, region).Bind(3, token);
  stmt->Bind(4, ToMillis(now - kIdempotencyWindow));
  std::optional<std::string> arn;
  if (stmt->Step()) arn = stmt->Text(0);
  CM_RETURN_IF_ERROR(stmt->status());
  return arn;
}

Status RememberIdempotentRequest(Store& store, std::string_view account, std::string_view region,
                                 std::string_view token, std::string_view arn, TimePoint now) {
  auto stmt = store.Prepare(
      "INSERT INTO acm_idempotency_tokens (account, region, token, certificate_arn, created_ms)"
      " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, token) DO UPDATE SET"
      " certificate_arn = excluded.certificate_arn, created_ms = excluded.created_ms");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, account).Bind(2, region).Bind(3, token).Bind(4, arn);
  return stmt->Bind(5, ToMillis(now)).Run();
}

Status AppendChange(Store& store, const CertificateRecord& record, ChangeKind kind,
                    std::string_view reason, TimePoint at) {
  auto stmt = store.Prepare(
      "INSERT INTO acm_certificate_changes (certificate_arn, account, kind, serial, reason, at_ms)"
      " VALUES (?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, std::string_view(record.arn)).Bind(2, std::string_view(record.account));
  stmt->Bind(3, ChangeKindName(kind)).Bind(4, std::string_view(record.serial));
  return stmt->Bind(5, reason).Bind(6, ToMillis(at)).Run();
}

}  // namespace crossmesh::acm::internal
