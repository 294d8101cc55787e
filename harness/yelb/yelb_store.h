// YelbStore: Yelb's data operations against Redis (page views) and PostgreSQL (votes), with the
// same commands and statements as Yelb's appserver. Calls block (hiredis and libpq are
// synchronous), each bounded by the timeout; run them off an event loop.
//
// The scenario runner also uses ReadVotes / ReadPageViews to check that the counts in the
// databases match the traffic it sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "emulator/core/status.h"
#include "harness/yelb/endpoint.h"

namespace crossmesh::yelb {

struct StoreOptions {
  Endpoint redis{"127.0.0.1", 6379};
  Endpoint postgres{"127.0.0.1", 5432};
  // Idle connections kept per backend. 0 opens a new connection for every query, as Yelb does.
  size_t max_idle_connections = 4;
  std::chrono::milliseconds timeout{2000};  // connect, and each command or query
};

// Restaurant id -> votes.
using VoteCounts = std::map<std::string, int64_t>;

class YelbStore {
 public:
  explicit YelbStore(StoreOptions options);
  ~YelbStore();
  YelbStore(const YelbStore&) = delete;
  YelbStore& operator=(const YelbStore&) = delete;

  // INCR pageviews, then GET pageviews (pipelined): the new count. RedisError on failure.
  Result<int64_t> CountPageView();
  // GET pageviews; 0 when never counted.
  Result<int64_t> ReadPageViews();
  // UPDATE restaurants SET count = count + 1 WHERE name = $1, then the row's count.
  Result<int64_t> Vote(std::string_view restaurant);
  // Every restaurant's count. PostgresError when a restaurant's row is missing.
  Result<VoteCounts> ReadVotes();

  const StoreOptions& options() const { return options_; }

 private:
  struct Pools;
  StoreOptions options_;
  std::unique_ptr<Pools> pools_;
};

}  // namespace crossmesh::yelb
