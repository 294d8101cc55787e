#include "emulator/store/statement_cache.h"

namespace crossmesh {

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
}

sqlite3_stmt* StatementCache::Take(std::string_view sql) {
  std::lock_guard lock(mutex_);
  auto found = statements_.find(sql);
  if (found == statements_.end()) return nullptr;
  sqlite3_stmt* stmt = found->second;
  found->second = nullptr;
  return stmt;
}

void StatementCache::Give(sqlite3_stmt* stmt) {
  // The step's error, if any, was already reported through Statement::status().
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);

  std::lock_guard lock(mutex_);
  std::string_view sql = sqlite3_sql(stmt);
  auto found = statements_.find(sql);
  if (found != statements_.end() && found->second == nullptr) {
    found->second = stmt;
    return;
  }
  if (found == statements_.end() && statements_.size() < kMaxStatements) {
    statements_.emplace(sql, stmt);
    return;
  }
  sqlite3_finalize(stmt);
}

}  // namespace crossmesh
