// Store: one SQLite database for all emulator state. Knows nothing of AWS.
//
// WAL journal, foreign keys on, one connection guarded by the caller (the Emulator serializes
// calls). Prepared statements are kept and reused per SQL text (statement_cache.h). Each component
// (a service model) owns an ordered list of migrations; the store records how far each component's
// schema has been brought in `schema_versions`.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/store/statement_cache.h"

namespace crossmesh {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

// Gives a statement back to the cache it came from when its Statement ends.
struct StatementReturner {
  std::shared_ptr<StatementCache> cache;
  void operator()(sqlite3_stmt* stmt) const { cache->Give(stmt); }
};

// A prepared statement. Bind with 1-based indexes, then Step() until it returns false.
class Statement {
 public:
  Statement(sqlite3* db, std::unique_ptr<sqlite3_stmt, StatementReturner> stmt)
      : db_(db), stmt_(std::move(stmt)) {}

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::optional<std::string>& text);

  // True when a row is ready; false when done. Errors surface through status().
  bool Step();
  Status status() const { return status_; }
  // Runs to completion; for INSERT / UPDATE / DELETE.
  Status Run();

  std::string Text(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  int64_t Int(int column) const;
  double Real(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StatementReturner> stmt_;
  Status status_;
};

class Store {
 public:
  // ":memory:" (the default for tests and in-process use) or a file path.
  static Result<std::unique_ptr<Store>> Open(const std::string& path);

  Status Exec(std::string_view sql);
  // A statement for `sql`, reused from an earlier call with the same text when one is idle.
  Result<Statement> Prepare(std::string_view sql);
  int64_t Changes() const { return sqlite3_changes64(db_.get()); }

  // Brings `component`'s schema to steps.size(): runs steps[v..] in one transaction each.
  Status Migrate(std::string_view component, const std::vector<std::string>& steps);
  int SchemaVersion(std::string_view component);

  Status Begin();
  Status Commit();
  Status Rollback();
  bool InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

  // Drops every row of every table (schema kept): the admin API's reset.
  Status DeleteAllRows();

  // A number that grows whenever this connection inserts, updates or deletes a row of one of
  // `tables` (SQLite's update hook), rolls back, or empties every table: a value computed from
  // those tables is still current while the stamp stays the same. Rowid tables only (SQLite does
  // not report changes to WITHOUT ROWID tables).
  uint64_t ChangeStamp(const std::vector<std::string>& tables) const;

  const std::string& path() const { return path_; }

 private:
  Store(std::unique_ptr<sqlite3, SqliteCloser> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}
  static void OnRowChange(void* self, int operation, const char* database, const char* table,
                          sqlite3_int64 rowid);
  static void OnRollback(void* self);
  Status Check(int rc, std::string_view what) const;
  // Runs a statement without rows (BEGIN, COMMIT, ROLLBACK) through the cache.
  Status Run(std::string_view sql);

  std::unique_ptr<sqlite3, SqliteCloser> db_;
  std::string path_;
  std::map<std::string, uint64_t, std::less<>> row_changes_;  // by table
  uint64_t resets_ = 0;
  // Declared after db_, so idle statements are finalized before the connection closes.
  std::shared_ptr<StatementCache> statements_ = std::make_shared<StatementCache>();
};

// Rolls back unless Commit() was called: every API call runs inside one of these.
class Transaction {
 public:
  explicit Transaction(Store& store);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status status() const { return begin_status_; }
  Status Commit();

 private:
  Store& store_;
  Status begin_status_;
  bool done_ = false;
};

}  // namespace crossmesh
