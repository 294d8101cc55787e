#include "harness/yelb/child_process.h"

#include "harness/yelb/leftovers.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace crossmesh::yelb {

namespace {

// Everything the child needs, prepared before fork: after fork in a threaded process only
// async-signal-safe calls are allowed, so no allocation happens between fork and exec.
struct ExecPlan {
  std::vector<std::string> argv_text;
  std::vector<std::string> env_text;
  std::vector<char*> argv;
  std::vector<char*> envp;
  int stdin_fd = -1;
  int log_fd = -1;
};

std::vector<char*> Pointers(std::vector<std::string>& text) {
  std::vector<char*> pointers;
  pointers.reserve(text.size() + 1);
  for (auto& s : text) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

void WriteStderr(const char* a, const char* b) {
  (void)!write(2, a, std::strlen(a));
  (void)!write(2, b, std::strlen(b));
  (void)!write(2, "\n", 1);
}

[[noreturn]] void ExecChild(const ProcessSpec& spec, const ExecPlan& plan) {
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Ignored signals stay ignored across exec; the servers need their defaults back.
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD}) signal(sig, SIG_DFL);
  dup2(plan.stdin_fd, 0);
  dup2(plan.log_fd, 1);
  dup2(plan.log_fd, 2);
  close_range(3, ~0U, 0);  // sockets and files of the harness must not leak into the servers

  // PostgreSQL refuses to start as root ("root" execution of the PostgreSQL server is not
  // permitted); drop to the unprivileged account: groups first, then gid, then uid.
  if (spec.run_as) {
    gid_t gid = spec.run_as->gid;
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(spec.run_as->uid) != 0) {
      WriteStderr("crossmesh: cannot switch to user ", spec.run_as->name.c_str());
      _exit(126);
    }
  }
  if (chdir(spec.cwd.c_str()) != 0) WriteStderr("crossmesh: cannot enter ", spec.cwd.c_str());
  execve(spec.binary.c_str(), plan.argv.data(), plan.envp.data());
  WriteStderr("crossmesh: cannot execute ", spec.binary.c_str());
  _exit(127);
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result<ChildProcess> ChildProcess::Spawn(const ProcessSpec& spec) {
  ExecPlan plan;
  plan.argv_text.push_back(spec.binary);
  plan.argv_text.insert(plan.argv_text.end(), spec.args.begin(), spec.args.end());
  plan.env_text = spec.env;
  plan.argv = Pointers(plan.argv_text);
  plan.envp = Pointers(plan.env_text);
  plan.stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  plan.log_fd = spec.log_path.empty()
                    ? open("/dev/null", O_WRONLY | O_CLOEXEC)
                    : open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (plan.stdin_fd < 0 || plan.log_fd < 0) {
    int open_errno = errno;
    if (plan.stdin_fd >= 0) close(plan.stdin_fd);
    if (plan.log_fd >= 0) close(plan.log_fd);
    return Error("InternalFailure", fmt::format("cannot open the log file {}: {}", spec.log_path,
                                                std::strerror(open_errno)));
  }

  pid_t pid = fork();
  if (pid == 0) ExecChild(spec, plan);
  int fork_errno = errno;
  close(plan.stdin_fd);
  close(plan.log_fd);
  if (pid < 0) {
    return Error("InternalFailure",
                 fmt::format("cannot start {}: fork: {}", spec.binary, std::strerror(fork_errno)));
  }
  setpgid(pid, pid);  // also here, so the group exists before the parent might signal it
  TrackProcessGroup(pid);
  ChildProcess child;
  child.pid_ = pid;
  child.name_ = spec.binary.substr(spec.binary.rfind('/') + 1);
  spdlog::debug("started {} as pid {}{}", spec.binary, pid,
                spec.run_as ? " (user " + spec.run_as->name + ")" : "");
  return child;
}

ChildProcess::~ChildProcess() { Stop(SIGTERM, std::chrono::seconds(5)); }

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      name_(std::move(other.name_)),
      exit_code_(other.exit_code_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Stop(SIGTERM, std::chrono::seconds(5));
    pid_ = std::exchange(other.pid_, -1);
    name_ = std::move(other.name_);
    exit_code_ = other.exit_code_;
  }
  return *this;
}

bool ChildProcess::Running() {
  if (pid_ <= 0 || exit_code_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  // ECHILD: somebody else reaped it (SIGCHLD ignored); either way it is gone.
  exit_code_ = r == pid_ ? DecodeStatus(status) : -1;
  UntrackProcessGroup(pid_);
  return false;
}

bool ChildProcess::WaitUntil(std::chrono::steady_clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return true;
}

Result<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (!WaitUntil(std::chrono::steady_clock::now() + timeout)) {
    Stop(SIGKILL, std::chrono::seconds(1));
    return Error("Timeout", fmt::format("{} (pid {}) did not finish within {} ms and was killed",
                                        name_, pid_, timeout.count()));
  }
  return exit_code_.value_or(-1);
}

void ChildProcess::Signal(int signal) {
  if (Running()) kill(pid_, signal);
}

void ChildProcess::Stop(int signal, std::chrono::milliseconds grace) {
  if (!Running()) return;
  kill(pid_, signal);
  if (WaitUntil(std::chrono::steady_clock::now() + grace)) {
    spdlog::debug("{} (pid {}) exited with {}", name_, pid_, exit_code_.value_or(-1));
    return;
  }
  spdlog::warn("{} (pid {}) ignored signal {} for {} ms; killing its process group", name_, pid_,
               signal, grace.count());
  kill(-pid_, SIGKILL);
  WaitUntil(std::chrono::steady_clock::now() + std::chrono::seconds(5));
}

Status RunProgram(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
  auto child = ChildProcess::Spawn(spec);
  if (!child.ok()) return child.status();
  auto code = child->Wait(timeout);
  if (!code.ok()) return code.status();
  if (*code != 0) {
    return Error("ProgramFailed", fmt::format("{} exited with code {}: {}", spec.binary, *code,
                                              LogTail(spec.log_path)));
  }
  return Status::Ok();
}

std::string LogTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  while (!all.empty() && (all.back() == '\n' || all.back() == ' ')) all.pop_back();
  return all.size() > max_bytes ? "..." + all.substr(all.size() - max_bytes) : all;
}

}  // namespace crossmesh::yelb
