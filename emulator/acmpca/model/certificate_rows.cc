#include "emulator/acmpca/model/certificate_rows.h"

#include <fmt/format.h>

#include <charconv>

#include "emulator/core/ids.h"

namespace crossmesh::acmpca {
namespace {

constexpr size_t kRandomSerialBytes = 8;

// The row a new-layout id names: its first 16 hex digits, when they are a serial prefix.
std::optional<int64_t> RowNamedBy(std::string_view id) {
  if (id.size() != 32) return std::nullopt;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(id.data(), id.data() + 16, value, 16);
  if (error != std::errc() || end != id.data() + 16) return std::nullopt;
  if (value < static_cast<uint64_t>(kFirstSerialRow) || value > INT64_MAX) return std::nullopt;
  return static_cast<int64_t>(value);
}

Result<std::optional<int64_t>> FirstRow(Statement& stmt) {
  if (stmt.Step()) return std::optional<int64_t>(stmt.Int(0));
  CM_RETURN_IF_ERROR(stmt.status());
  return std::optional<int64_t>();
}

}  // namespace

Result<SerialSlot> NextSerialSlot(Store& store) {
  auto last = store.Prepare("SELECT max(row) FROM acmpca_certificates");
  if (!last.ok()) return last.status();
  const int64_t previous = last->Step() && !last->IsNull(0) ? last->Int(0) : 0;
  CM_RETURN_IF_ERROR(last->status());
  if (previous == INT64_MAX) {
    return Error("InternalFailure", "the state file has used up its certificate serials");
  }

  SerialSlot slot;
  slot.row = std::max(previous + 1, kFirstSerialRow);
  slot.serial.resize(8 + kRandomSerialBytes);
  for (int i = 0; i < 8; ++i) {
    slot.serial[i] = static_cast<uint8_t>(static_cast<uint64_t>(slot.row) >> (56 - 8 * i));
  }
  FillRandom(std::span<uint8_t>(slot.serial).subspan(8));
  return slot;
}

Status InsertCertificateRow(Store& store, const CertificateRow& row) {
  auto stmt = store.Prepare(
      "INSERT INTO acmpca_certificates (row, account, region, ca_id, id, serial,"
      " certificate_pem, template, requester_account, issued_ms, not_after_ms,"
      " idempotency_token, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, row.row).Bind(2, row.ca->account).Bind(3, row.ca->region).Bind(4, row.ca->id);
  stmt->Bind(5, row.id).Bind(6, row.serial_colon_hex).Bind(7, row.certificate_pem);
  stmt->Bind(8, row.template_name).Bind(9, row.requester_account);
  stmt->Bind(10, ToMillis(row.issued_at)).Bind(11, ToMillis(row.not_after));
  if (row.idempotency_token.empty()) {
    stmt->BindNull(12).BindNull(13);
  } else {
    stmt->Bind(12, row.idempotency_token).Bind(13, row.request_hash);
  }
  return stmt->Run();
}

Result<std::optional<int64_t>> FindCertificateRow(Store& store, const CaRecord& ca,
                                                  std::string_view id) {
  // A schema version 1 serial may also start like a row number, so a miss by row falls through
  // to the older rows' index.
  if (auto named = RowNamedBy(id)) {
    auto by_row = store.Prepare(
        "SELECT row FROM acmpca_certificates WHERE row = ? AND account = ? AND region = ?"
        " AND ca_id = ? AND id = ?");
    if (!by_row.ok()) return by_row.status();
    by_row->Bind(1, *named).Bind(2, ca.account).Bind(3, ca.region).Bind(4, ca.id).Bind(5, id);
    auto found = FirstRow(*by_row);
    if (!found.ok() || found->has_value()) return found;
  }

  auto by_id = store.Prepare(fmt::format(
      "SELECT row FROM acmpca_certificates WHERE account = ? AND region = ? AND ca_id = ?"
      " AND id = ? AND row < {}",
      kFirstSerialRow));
  if (!by_id.ok()) return by_id.status();
  by_id->Bind(1, ca.account).Bind(2, ca.region).Bind(3, ca.id).Bind(4, id);
  return FirstRow(*by_id);
}

std::string CertificateRowsMigration() {
  constexpr std::string_view kColumns =
      "account, region, ca_id, id, serial, certificate_pem, template, requester_account,"
      " issued_ms, not_after_ms, idempotency_token, request_hash, revoked_ms, revocation_reason";
  return fmt::format(
      "CREATE TABLE acmpca_certificates_rows ("
      " row INTEGER PRIMARY KEY,"
      " account TEXT NOT NULL, region TEXT NOT NULL, ca_id TEXT NOT NULL, id TEXT NOT NULL,"
      " serial TEXT NOT NULL, certificate_pem TEXT NOT NULL, template TEXT NOT NULL,"
      " requester_account TEXT NOT NULL, issued_ms INTEGER NOT NULL,"
      " not_after_ms INTEGER NOT NULL, idempotency_token TEXT, request_hash TEXT,"
      " revoked_ms INTEGER, revocation_reason TEXT,"
      " FOREIGN KEY (account, region, ca_id) REFERENCES acmpca_cas(account, region, id)"
      "   ON DELETE CASCADE);"
      "INSERT INTO acmpca_certificates_rows ({0}) SELECT {0} FROM acmpca_certificates"
      " ORDER BY rowid;"
      "DROP TABLE acmpca_certificates;"
      "ALTER TABLE acmpca_certificates_rows RENAME TO acmpca_certificates;"
      "CREATE INDEX acmpca_certificates_by_token"
      " ON acmpca_certificates(account, region, ca_id, idempotency_token)"
      " WHERE idempotency_token IS NOT NULL;"
      "CREATE INDEX acmpca_certificates_before_rows"
      " ON acmpca_certificates(account, region, ca_id, id) WHERE row < {1};",
      kColumns, kFirstSerialRow);
}

}  // namespace crossmesh::acmpca
