#include "harness/yelb/redis_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <thread>

#include "harness/yelb/redis_client.h"

namespace crossmesh::yelb {

Status RedisServer::Spawn(const std::string& binary, const Endpoint& endpoint,
                          const std::string& dir, const std::optional<RunAs>& run_as) {
  endpoint_ = endpoint;
  log_path_ = dir + "/redis.log";
  ProcessSpec spec;
  spec.binary = binary;
  spec.args = {"--save",       "",
               "--appendonly", "no",
               "--port",       std::to_string(endpoint.port),
               "--bind",       endpoint.host,
               "--dir",        dir,
               "--daemonize",  "no",
               "--logfile",    ""};
  spec.env = {"PATH=/usr/bin:/bin", "LC_ALL=C"};
  spec.log_path = log_path_;
  spec.cwd = dir;
  spec.run_as = run_as;
  auto child = ChildProcess::Spawn(spec);
  if (!child.ok()) return child.status();
  process_ = std::move(*child);
  return Status::Ok();
}

Status RedisServer::WaitReady(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_.Running()) {
      return Error(
          "DataTierFailed",
          fmt::format("redis-server on {} exited with code {} while starting: {}",
                      endpoint_.ToString(), process_.exit_code().value_or(-1), LogTail(log_path_)));
    }
    auto conn = RedisConnection::Connect(endpoint_, std::chrono::milliseconds(250));
    if (conn.ok()) {
      auto pong = (*conn)->Command({"PING"});
      if (pong.ok() && pong->value_or("") == "PONG") return Status::Ok();
      last_error = pong.ok() ? "unexpected PING answer" : pong.status().message();
    } else {
      last_error = conn.status().message();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Error("DataTierFailed",
               fmt::format("redis-server on {} did not answer PING within {} ms ({}); log: {}",
                           endpoint_.ToString(), timeout.count(), last_error, LogTail(log_path_)));
}

void RedisServer::BeginStop() {
  // SIGTERM: Redis exits at once, and with `--save ''` it writes nothing on the way out.
  process_.Signal(SIGTERM);
}

void RedisServer::Stop() {
  BeginStop();
  process_.Stop(SIGTERM, std::chrono::seconds(5));
}

}  // namespace crossmesh::yelb
