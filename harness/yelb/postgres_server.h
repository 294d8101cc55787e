// PostgresServer: a real PostgreSQL cluster in a throwaway folder: initdb with Yelb's superuser
// and password, password authentication on loopback, the server listening on one loopback
// address with its Unix socket inside the folder (nothing touches /var/run/postgresql).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/yelb/child_process.h"
#include "harness/yelb/endpoint.h"

namespace crossmesh::yelb {

class PostgresServer {
 public:
  PostgresServer() = default;
  ~PostgresServer() { Stop(); }  // ChildProcess's own fallback (SIGTERM) would wait for clients
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Creates the cluster in `folder`/pgdata (the folder must belong to `run_as` when given), from
  // the cached template of an earlier run when there is one (cluster_template.h).
  Status Init(const std::string& bin_dir, const std::string& folder,
              const std::optional<RunAs>& run_as, std::chrono::milliseconds timeout);
  // Starts `postgres` on `endpoint`; returns at once.
  Status Spawn(const Endpoint& endpoint);
  // Waits until Yelb's user can log in with its password (to template1), or fails with the log's
  // tail.
  Status WaitReady(std::chrono::milliseconds timeout);
  // Asks the server to stop and returns at once; Stop() then waits for it.
  void BeginStop();
  void Stop();

  pid_t pid() const { return process_.pid(); }

 private:
  static std::vector<std::string> InitdbOptions();
  Status RunInitdb(std::chrono::milliseconds timeout) const;
  Status WriteHbaConf() const;
  ProcessSpec BaseSpec(const std::string& program) const;

  std::string bin_dir_;
  std::string folder_;
  std::string log_path_;
  std::optional<RunAs> run_as_;
  Endpoint endpoint_;
  ChildProcess process_;
};

}  // namespace crossmesh::yelb
