#include "emulator/acmpca/model/timed_events.h"

#include <spdlog/spdlog.h>

#include "emulator/acmpca/model/ca_store.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca {

std::optional<TimePoint> CaTimedEvents::NextDue(Store& store) {
  // Runs before every API call, so one short statement that the status index answers, one
  // equality seek per status: an IN list would build a temporary table on every run.
  auto stmt = store.Prepare(
      "SELECT MIN(due) FROM ("
      " SELECT MIN(not_after_ms) AS due FROM acmpca_cas WHERE status = 'ACTIVE'"
      " UNION ALL SELECT MIN(not_after_ms) FROM acmpca_cas WHERE status = 'DISABLED'"
      " UNION ALL SELECT MIN(restorable_until_ms) FROM acmpca_cas WHERE status = 'DELETED')");
  if (!stmt.ok() || !stmt->Step() || stmt->IsNull(0)) return std::nullopt;
  return FromMillis(stmt->Int(0));
}

Status CaTimedEvents::RunDue(Store& store, TimePoint now) {
  const int64_t now_ms = ToMillis(now);

  // A certificate is valid through its notAfter second; from then on the CA is EXPIRED and
  // remembers what it was, so a new certificate import can put it back.
  auto expire = store.Prepare(
      "UPDATE acmpca_cas SET status_before = status, status = 'EXPIRED', state_changed_ms = ?"
      " WHERE status IN ('ACTIVE', 'DISABLED') AND not_after_ms <= ? RETURNING arn");
  if (!expire.ok()) return expire.status();
  expire->Bind(1, now_ms).Bind(2, now_ms);
  while (expire->Step()) spdlog::info("ca expired arn={}", expire->Text(0));
  CM_RETURN_IF_ERROR(expire->status());

  auto purge = store.Prepare(
      "DELETE FROM acmpca_cas WHERE status = 'DELETED' AND restorable_until_ms <= ?"
      " RETURNING arn");
  if (!purge.ok()) return purge.status();
  purge->Bind(1, now_ms);
  while (purge->Step()) spdlog::info("ca permanently deleted arn={}", purge->Text(0));
  return purge->status();
}

}  // namespace crossmesh::acmpca
