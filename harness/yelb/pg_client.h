// PgConnection: one libpq connection as Yelb's appserver opens it (user postgres, password
// postgres_password), driven through libpq's non-blocking calls so that connecting and every
// query are bounded by a timeout even when a sidecar in between stalls.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "harness/yelb/endpoint.h"

struct pg_conn;

namespace crossmesh::yelb {

// Rows of text values, as libpq returns them.
using PgRows = std::vector<std::vector<std::string>>;

class PgConnection {
 public:
  static Result<std::unique_ptr<PgConnection>> Connect(const Endpoint& endpoint,
                                                       std::string_view database,
                                                       std::chrono::milliseconds timeout);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with $1.. parameters (extended query protocol) and returns the rows of
  // its result (none for UPDATE / CREATE). Fails with PostgresError.
  Result<PgRows> Exec(const std::string& sql, const std::vector<std::string>& params = {});

  // False once a query failed at the connection level or timed out, or when the idle socket
  // became readable (server or proxy closed it); a pool drops such connections.
  bool IdleAndOpen() const;

 private:
  PgConnection(pg_conn* conn, Endpoint endpoint, std::chrono::milliseconds timeout);
  Status Fail(const std::string& what);
  Status AwaitInput(std::chrono::steady_clock::time_point deadline);

  pg_conn* conn_;
  Endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  bool broken_ = false;
};

}  // namespace crossmesh::yelb
