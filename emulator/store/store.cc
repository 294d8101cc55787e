#include "emulator/store/store.h"

#include <fmt/format.h>

namespace crossmesh {
namespace {

Status StoreError(sqlite3* db, int rc, std::string_view what) {
  return Error("InternalFailure", fmt::format("state store: {} failed: {} ({})", what,
                                              db ? sqlite3_errmsg(db) : "", sqlite3_errstr(rc)));
}

}  // namespace

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}
Statement& Statement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_.get(), index, value);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}
Statement& Statement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = StoreError(db_, rc, sqlite3_sql(stmt_.get()));
  return false;
}

Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_.get(), column);
  int size = sqlite3_column_bytes(stmt_.get(), column);
  return text ? std::string(reinterpret_cast<const char*>(text), size) : std::string();
}
std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}
int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
double Statement::Real(int column) const { return sqlite3_column_double(stmt_.get(), column); }
bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  if (rc != SQLITE_OK) {
    return Error("InvalidConfiguration",
                 fmt::format("cannot open state file '{}': {}; check the folder exists and is "
                             "writable",
                             path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 5000);

  std::unique_ptr<Store> store(new Store(std::move(db), path));
  sqlite3_update_hook(store->db_.get(), &Store::OnRowChange, store.get());
  sqlite3_rollback_hook(store->db_.get(), &Store::OnRollback, store.get());
  // The first statement reads the file: one that is not SQLite's (or is damaged) fails here.
  if (Status wal = store->Exec("PRAGMA journal_mode=WAL"); !wal.ok()) {
    return Error("InvalidConfiguration",
                 fmt::format("state file '{}' cannot be used: {}; give a new path to start "
                             "empty, or move that file aside",
                             path, sqlite3_errmsg(store->db_.get())));
  }
  CM_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=NORMAL"));
  CM_RETURN_IF_ERROR(store->Exec("PRAGMA foreign_keys=ON"));
  CM_RETURN_IF_ERROR(
      store->Exec("CREATE TABLE IF NOT EXISTS schema_versions ("
                  " component TEXT PRIMARY KEY, version INTEGER NOT NULL)"));
  return store;
}

Status Store::Check(int rc, std::string_view what) const {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  return StoreError(db_.get(), rc, what);
}

Status Store::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
  std::string detail = message ? message : "";
  sqlite3_free(message);
  if (rc != SQLITE_OK) {
    return Error("InternalFailure", fmt::format("state store: '{}' failed: {}", text, detail));
  }
  return Status::Ok();
}

Result<Statement> Store::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = statements_->Take(sql);
  if (raw == nullptr) {
    int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return StoreError(db_.get(), rc, sql);
    }
    // Blank SQL prepares to no statement at all; there is nothing to run or keep.
    if (raw == nullptr) return StoreError(db_.get(), SQLITE_MISUSE, sql);
  }
  return Statement(db_.get(), std::unique_ptr<sqlite3_stmt, StatementReturner>(raw, {statements_}));
}

Status Store::Run(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return stmt->Run();
}

int Store::SchemaVersion(std::string_view component) {
  auto stmt = Prepare("SELECT version FROM schema_versions WHERE component = ?");
  if (!stmt.ok()) return 0;
  stmt->Bind(1, component);
  return stmt->Step() ? static_cast<int>(stmt->Int(0)) : 0;
}

Status Store::Migrate(std::string_view component, const std::vector<std::string>& steps) {
  int current = SchemaVersion(component);
  if (current > static_cast<int>(steps.size())) {
    return Error("InvalidConfiguration",
                 fmt::format("state file '{}' has {} schema version {}, newer than this build's "
                             "{}; use a newer crossmesh or a fresh --state file",
                             path_, component, current, steps.size()));
  }
  for (int v = current; v < static_cast<int>(steps.size()); ++v) {
    CM_RETURN_IF_ERROR(Begin());
    Status s = Exec(steps[v]);
    if (s.ok()) {
      auto upsert = Prepare(
          "INSERT INTO schema_versions(component, version) VALUES (?, ?) "
          "ON CONFLICT(component) DO UPDATE SET version = excluded.version");
      if (!upsert.ok()) s = upsert.status();
      if (s.ok()) s = upsert->Bind(1, component).Bind(2, int64_t{v + 1}).Run();
    }
    if (!s.ok()) {
      (void)Rollback();
      return s;
    }
    CM_RETURN_IF_ERROR(Commit());
  }
  return Status::Ok();
}

void Store::OnRowChange(void* self, int, const char*, const char* table, sqlite3_int64) {
  auto& changes = static_cast<Store*>(self)->row_changes_;
  auto found = changes.find(std::string_view(table));
  if (found == changes.end()) found = changes.emplace(table, 0).first;
  ++found->second;
}

void Store::OnRollback(void* self) { ++static_cast<Store*>(self)->resets_; }

uint64_t Store::ChangeStamp(const std::vector<std::string>& tables) const {
  // Every term only grows, so the sum grows with any of them.
  uint64_t stamp = resets_;
  for (const std::string& table : tables) {
    auto found = row_changes_.find(table);
    if (found != row_changes_.end()) stamp += found->second;
  }
  return stamp;
}

Status Store::Begin() { return Run("BEGIN IMMEDIATE"); }
Status Store::Commit() { return Run("COMMIT"); }
Status Store::Rollback() { return Run("ROLLBACK"); }

Status Store::DeleteAllRows() {
  auto tables = Prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "AND name != 'schema_versions'");
  if (!tables.ok()) return tables.status();
  std::vector<std::string> names;
  while (tables->Step()) names.push_back(tables->Text(0));
  CM_RETURN_IF_ERROR(tables->status());

  // Emptying a table takes SQLite's truncate shortcut, which the update hook does not see; the
  // stamp moves first, so nothing computed before survives even a failure halfway.
  ++resets_;
  CM_RETURN_IF_ERROR(Exec("PRAGMA defer_foreign_keys=ON"));
  for (const auto& name : names) CM_RETURN_IF_ERROR(Exec("DELETE FROM \"" + name + "\""));
  return Status::Ok();
}

Transaction::Transaction(Store& store) : store_(store), begin_status_(store.Begin()) {
  done_ = !begin_status_.ok();
}

Transaction::~Transaction() {
  if (!done_) (void)store_.Rollback();
}

Status Transaction::Commit() {
  if (done_)
    return begin_status_.ok() ? Error("InternalFailure", "transaction already ended")
                              : begin_status_;
  done_ = true;
  return store_.Commit();
}

}  // namespace crossmesh
