// Where a CA's issued certificates live in the state store, and how they are found again.
//
// A certificate's row is keyed by a number that is also the first 8 bytes of its serial, so rows
// are appended in issuance order and recording a certificate writes the table's last page and no
// index: an index over random serials would cost a second page, at a random place, per
// certificate. The serial's other 8 bytes are random (the 64 bits of CSPRNG output the
// CA/Browser Forum asks of serials); the first 8 count the issuances of this state file.
// Certificates recorded before this layout (schema version 1) keep their random serials and are
// found through an index that covers only them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/acmpca/model/types.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca {

// Row numbers from here on are serial prefixes: 0x40 first, so every serial is positive and
// exactly 16 bytes. Rows below it were numbered by SQLite before the layout changed.
inline constexpr int64_t kFirstSerialRow = int64_t{1} << 62;

struct SerialSlot {
  int64_t row = 0;
  std::vector<uint8_t> serial;  // big-endian `row`, then 8 random bytes
};

// The row and serial of the next certificate. Call it inside the transaction that inserts it.
Result<SerialSlot> NextSerialSlot(Store& store);

struct CertificateRow {
  const CaRecord* ca = nullptr;
  int64_t row = 0;
  std::string_view id;  // the serial in lower-case hex, as in the certificate's ARN
  std::string_view serial_colon_hex;
  std::string_view certificate_pem;
  std::string_view template_name;
  std::string_view requester_account;
  TimePoint issued_at;
  TimePoint not_after;
  std::string_view idempotency_token;  // empty: none
  std::string_view request_hash;
};

Status InsertCertificateRow(Store& store, const CertificateRow& row);

// The row of certificate `id` (lower-case hex) that `ca` issued; nullopt when there is none.
Result<std::optional<int64_t>> FindCertificateRow(Store& store, const CaRecord& ca,
                                                  std::string_view id);

// The schema step that moves schema version 1's certificates into this layout.
std::string CertificateRowsMigration();

}  // namespace crossmesh::acmpca
