// DataTier: Yelb's redis-server and yelb-db as real servers on loopback addresses of the backend
// account, with throwaway data folders, Yelb's schema and seed rows loaded, stopped by PID and
// cleaned up at the end (the destructor too).
//
//   DataTier data({.redis = {"127.0.2.3", 0}, .postgres = {"127.0.2.4", 0}});
//   CM_RETURN_IF_ERROR(data.Start());   // ~1 s: initdb, both servers up, schema loaded
//   ... data.redis(), data.postgres() are the endpoints with the ports actually used ...
//   data.Stop();                        // processes gone, folder removed
//
// When the process runs as root (CI), both servers run as an unprivileged system user, because
// PostgreSQL refuses to run as root (see service_user.h).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/yelb/binaries.h"
#include "harness/yelb/endpoint.h"

namespace crossmesh::yelb {

struct DataTierOptions {
  Endpoint redis{"127.0.2.3", 0};     // port 0: a free port is picked
  Endpoint postgres{"127.0.2.4", 0};  // port 0: a free port is picked
  // Where redis-server, initdb and postgres are looked for (globs allowed).
  std::vector<std::string> search_path = DefaultSearchPath();
  // Root only: the user the servers run as; empty picks `postgres`, else creates `crossmesh`.
  std::string run_as_user{};
  std::chrono::milliseconds ready_timeout{15000};  // per step: initdb, each server's start
  // The throwaway folder is made in here ($TMPDIR, else /tmp).
  std::string temp_parent = std::filesystem::temp_directory_path().string();
};

class DataTier {
 public:
  explicit DataTier(DataTierOptions options = {});
  ~DataTier();
  DataTier(const DataTier&) = delete;
  DataTier& operator=(const DataTier&) = delete;

  // Starts both servers and loads the schema; on failure everything started is stopped again.
  // MissingBinary (with the apt-get command), InvalidConfiguration, DataTierFailed.
  Status Start();
  // Stops both servers by PID (bounded waits) and removes the folder. Idempotent.
  void Stop();

  bool running() const;
  // The endpoints with the ports actually in use (valid after Start()).
  const Endpoint& redis() const;
  const Endpoint& postgres() const;
  pid_t redis_pid() const;
  pid_t postgres_pid() const;
  // The throwaway folder (data, logs, Unix sockets); empty once stopped.
  const std::string& folder() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crossmesh::yelb
