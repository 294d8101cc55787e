// ChildProcess: one server program the data tier runs (redis-server, initdb, postgres), started
// with fork + exec so that it can drop root privileges first, and stopped by its PID with a
// bounded wait. It never outlives its owner: the destructor stops it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::yelb {

// An unprivileged account to run a program as.
struct RunAs {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

struct ProcessSpec {
  std::string binary;             // absolute path
  std::vector<std::string> args;  // after argv[0]
  std::vector<std::string> env;   // the whole environment, "NAME=value"
  std::string log_path;           // stdout and stderr are appended here; empty: /dev/null
  std::string cwd = "/";          // a folder the (possibly unprivileged) child may enter
  std::optional<RunAs> run_as;    // switch to this user between fork and exec
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts the program in a process group of its own (so a last-resort SIGKILL also reaches the
  // workers it forks). Fails when fork fails; a failing exec shows as exit code 127.
  static Result<ChildProcess> Spawn(const ProcessSpec& spec);

  pid_t pid() const { return pid_; }
  // True while the process has not exited (reaps it when it has).
  bool Running();
  // The exit code once exited (128 + signal when killed by a signal).
  std::optional<int> exit_code() const { return exit_code_; }

  // Waits for the process to exit by itself; on timeout it is killed and a Timeout error names it.
  Result<int> Wait(std::chrono::milliseconds timeout);
  // Sends `signal` if the process still runs; returns at once.
  void Signal(int signal);
  // Sends `signal`, waits up to `grace`, then SIGKILLs the whole process group; always reaps.
  void Stop(int signal, std::chrono::milliseconds grace);

 private:
  bool WaitUntil(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  std::string name_;
  std::optional<int> exit_code_;
};

// Runs a program to completion (initdb, useradd) and fails with its log's tail when it exits
// non-zero or outlives `timeout`.
Status RunProgram(const ProcessSpec& spec, std::chrono::milliseconds timeout);

// The last `max_bytes` of a log file, for error messages ("" when unreadable).
std::string LogTail(const std::string& path, size_t max_bytes = 600);

}  // namespace crossmesh::yelb
