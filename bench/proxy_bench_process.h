// Child processes for the proxy bench: HAProxy, our sidecars (this binary re-run in proxy
// mode) and wrk. Each proxy runs as its own process so that its CPU time is read the same way
// for all of them, from /proc/PID/stat. A child is stopped by its PID (SIGTERM, then SIGKILL)
// when its owner goes out of scope, never by name.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace crossmesh::bench {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;

  // Starts argv[0] (a path, or a name looked up in PATH). With `capture_stdout` the child's
  // stdout is a pipe read by ReadLine / ReadAll; stderr stays the bench's own.
  static ChildProcess Spawn(const std::vector<std::string>& argv, bool capture_stdout);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // One line of stdout (without the newline); empty when the child closed it or `timeout`
  // passed first.
  std::string ReadLine(std::chrono::milliseconds timeout);
  // Everything until the child closes stdout, then reaps it. For short-lived tools (wrk).
  std::string ReadAll();

  // User + system CPU time of the whole process (all threads), from /proc/PID/stat.
  std::chrono::microseconds CpuTime() const;

  // SIGTERM, up to 2 s to exit, then SIGKILL; reaps the child. Safe to call twice.
  void Stop();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string pending_;  // bytes read past the last line
};

// Stops every child still running (by PID), prints `message` and exits 1: the bench's one way
// out of a failed setup, so that no proxy outlives it.
[[noreturn]] void Fatal(const std::string& message);

// Exits through Fatal unless `name` is an executable in PATH (wrk, haproxy).
void RequireTool(const std::string& name);

// A loopback TCP port free at the time of the call, for children that need a fixed port
// (HAProxy's configuration names its ports).
uint16_t FreeLoopbackPort();

}  // namespace crossmesh::bench
