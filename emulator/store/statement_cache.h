// StatementCache: prepared statements kept for reuse, one idle copy per SQL text.
//
// Every API call runs the same few statements (the timed-event checks, the row lookups, the
// INSERT); compiling their SQL again each time costs more than running them. A statement handed
// out is checked out; when its Statement ends it comes back reset, bindings cleared, so it holds
// no read snapshot or lock and carries nothing over into the next use.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace crossmesh {

class StatementCache {
 public:
  StatementCache() = default;
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();

  // An idle statement for exactly `sql`, now checked out; null when there is none.
  sqlite3_stmt* Take(std::string_view sql);
  // Resets `stmt` and keeps it idle for its SQL text; finalizes it when an idle copy is already
  // kept (nested use of one statement) or the cache is full.
  void Give(sqlite3_stmt* stmt);

 private:
  // Far above the distinct statements crossmesh runs; a bound only against SQL built per value.
  static constexpr size_t kMaxStatements = 512;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  std::mutex mutex_;
  // SQL text -> its idle statement, or null while that statement is checked out.
  std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> statements_;
};

}  // namespace crossmesh
