#include "harness/yelb/postgres_server.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness/yelb/cluster_template.h"
#include "harness/yelb/pg_client.h"
#include "harness/yelb/yelb_data.h"

namespace crossmesh::yelb {

namespace {

// Yelb logs in over TCP with a password, so loopback TCP uses scram-sha-256. The Unix socket
// lives in the 0700 throwaway folder, reachable only by its owner and root, so it can trust.
constexpr const char* kHbaConf =
    "# written by crossmesh: password authentication on loopback, as Yelb's appserver logs in\n"
    "local all all trust\n"
    "host all all 127.0.0.0/8 scram-sha-256\n";

}  // namespace

ProcessSpec PostgresServer::BaseSpec(const std::string& program) const {
  ProcessSpec spec;
  spec.binary = bin_dir_ + "/" + program;
  spec.env = {"PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C"};
  spec.log_path = log_path_;
  spec.cwd = folder_;
  spec.run_as = run_as_;
  return spec;
}

Status PostgresServer::WriteHbaConf() const {
  std::ofstream out(folder_ + "/pgdata/pg_hba.conf", std::ios::trunc);
  out << kHbaConf;
  out.close();
  if (!out) {
    return Error("DataTierFailed", fmt::format("cannot write {}/pgdata/pg_hba.conf", folder_));
  }
  return Status::Ok();
}

Status PostgresServer::Init(const std::string& bin_dir, const std::string& folder,
                            const std::optional<RunAs>& run_as, std::chrono::milliseconds timeout) {
  bin_dir_ = bin_dir;
  folder_ = folder;
  log_path_ = folder + "/postgres.log";
  run_as_ = run_as;

  // Everything initdb's result depends on: a template made another way is never used.
  const std::string template_dir = ClusterTemplatePath(fmt::format(
      "{}\n{}\n{}\n{}", bin_dir, kDbUser, kDbPassword, fmt::join(InitdbOptions(), " ")));
  if (CopyClusterTemplate(template_dir, folder + "/pgdata", run_as_)) {
    spdlog::debug("data tier: cluster copied from {}", template_dir);
    return WriteHbaConf();
  }
  CM_RETURN_IF_ERROR(RunInitdb(timeout));
  SaveClusterTemplate(folder + "/pgdata", template_dir);
  return WriteHbaConf();
}

std::vector<std::string> PostgresServer::InitdbOptions() {
  // --no-sync: the cluster is thrown away, so skipping fsync saves most of initdb's time.
  return {
      "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync",
      "--no-instructions"};
}

Status PostgresServer::RunInitdb(std::chrono::milliseconds timeout) const {
  // initdb reads the superuser's password from a file the (unprivileged) user can read.
  std::string password_file = folder_ + "/pwfile";
  std::ofstream(password_file) << kDbPassword << "\n";
  if (run_as_ && chown(password_file.c_str(), run_as_->uid, run_as_->gid) != 0) {
    return Error("DataTierFailed", "cannot hand the initdb password file to " + run_as_->name);
  }

  ProcessSpec spec = BaseSpec("initdb");
  spec.args = {"-D", folder_ + "/pgdata", "-U", std::string(kDbUser), "--pwfile=" + password_file};
  for (std::string& option : InitdbOptions()) spec.args.push_back(std::move(option));
  Status s = RunProgram(spec, timeout);
  std::error_code ignored;
  std::filesystem::remove(password_file, ignored);
  if (!s.ok()) return Error("DataTierFailed", "initdb failed: " + s.message());
  return Status::Ok();
}

Status PostgresServer::Spawn(const Endpoint& endpoint) {
  endpoint_ = endpoint;
  // Durability settings off: the data is thrown away at the end, and they make writes cheap.
  ProcessSpec spec = BaseSpec("postgres");
  spec.args = {"-D", folder_ + "/pgdata",
               "-p", std::to_string(endpoint.port),
               "-k", folder_,  // unix_socket_directories: inside the throwaway folder
               "-c", "listen_addresses=" + endpoint.host,
               "-c", "fsync=off",
               "-c", "synchronous_commit=off",
               "-c", "full_page_writes=off",
               "-c", "max_connections=60",
               "-c", "shared_buffers=16MB",
               "-c", "huge_pages=off",
               "-c", "logging_collector=off"};
  auto child = ChildProcess::Spawn(spec);
  if (!child.ok()) return child.status();
  process_ = std::move(*child);
  return Status::Ok();
}

Status PostgresServer::WaitReady(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_.Running()) {
      return Error(
          "DataTierFailed",
          fmt::format("postgres on {} exited with code {} while starting: {}", endpoint_.ToString(),
                      process_.exit_code().value_or(-1), LogTail(log_path_)));
    }
    // template1, not postgres: LoadYelbSchema renames the `postgres` database.
    auto conn = PgConnection::Connect(endpoint_, "template1", std::chrono::milliseconds(500));
    if (conn.ok()) return Status::Ok();
    last_error = conn.status().message();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Error("DataTierFailed",
               fmt::format("postgres on {} did not accept connections within {} ms ({}); log: {}",
                           endpoint_.ToString(), timeout.count(), last_error, LogTail(log_path_)));
}

void PostgresServer::BeginStop() {
  // SIGQUIT is PostgreSQL's "immediate" shutdown: no shutdown checkpoint (the data is thrown
  // away) and clients are cut off (SIGTERM's "smart" shutdown would wait for a pooled appserver
  // to disconnect). The postmaster still stops its workers and frees its shared memory.
  process_.Signal(SIGQUIT);
}

void PostgresServer::Stop() {
  BeginStop();
  process_.Stop(SIGQUIT, std::chrono::seconds(5));
}

}  // namespace crossmesh::yelb
