// RedisServer: a real redis-server on a loopback address with nothing persisted (no RDB
// snapshots, no append-only file), as Yelb's redis-server container but throwaway.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "emulator/core/status.h"
#include "harness/yelb/child_process.h"
#include "harness/yelb/endpoint.h"

namespace crossmesh::yelb {

class RedisServer {
 public:
  // Starts `binary` listening on `endpoint` (a real port, not 0) with `dir` as its working
  // folder and `dir`/redis.log as its log; returns at once.
  Status Spawn(const std::string& binary, const Endpoint& endpoint, const std::string& dir,
               const std::optional<RunAs>& run_as);
  // Waits until the server answers PING, or fails with its log's tail.
  Status WaitReady(std::chrono::milliseconds timeout);
  // Asks the server to stop and returns at once; Stop() then waits for it.
  void BeginStop();
  void Stop();

  pid_t pid() const { return process_.pid(); }

 private:
  ChildProcess process_;
  Endpoint endpoint_;
  std::string log_path_;
};

}  // namespace crossmesh::yelb
