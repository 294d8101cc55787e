#include "bench/proxy_bench_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace crossmesh::bench {
namespace {

// PIDs of the children running now, for Fatal.
std::vector<pid_t>& LiveChildren() {
  static std::vector<pid_t> pids;
  return pids;
}

[[noreturn]] void ExecChild(const std::vector<std::string>& argv, int stdout_fd) {
  // A bench that dies (a crash, std::exit on a setup failure) takes its children with it.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (stdout_fd >= 0) ::dup2(stdout_fd, STDOUT_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  std::fprintf(stderr, "proxy_bench: cannot run %s\n", args[0]);
  ::_exit(127);
}

// Waits up to `timeout` for the child to exit; true when it has been reaped.
bool WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || done < 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

ChildProcess::~ChildProcess() { Stop(); }

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      pending_(std::move(other.pending_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Stop();
    pid_ = std::exchange(other.pid_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    pending_ = std::move(other.pending_);
  }
  return *this;
}

ChildProcess ChildProcess::Spawn(const std::vector<std::string>& argv, bool capture_stdout) {
  int pipe_fds[2] = {-1, -1};
  if (capture_stdout && ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    std::perror("proxy_bench: pipe");
    std::exit(1);
  }
  std::fflush(nullptr);  // nothing buffered twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("proxy_bench: fork");
    std::exit(1);
  }
  if (pid == 0) ExecChild(argv, pipe_fds[1]);
  LiveChildren().push_back(pid);

  ChildProcess child;
  child.pid_ = pid;
  if (capture_stdout) {
    ::close(pipe_fds[1]);
    child.stdout_fd_ = pipe_fds[0];
  }
  return child;
}

std::string ChildProcess::ReadLine(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (size_t end = pending_.find('\n'); end != std::string::npos) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (stdout_fd_ < 0 || left.count() <= 0) return {};
    pollfd poll_fd{stdout_fd_, POLLIN, 0};
    if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) return {};
    pending_.append(chunk, static_cast<size_t>(n));
  }
}

std::string ChildProcess::ReadAll() {
  std::string out = std::exchange(pending_, {});
  char chunk[4096];
  ssize_t n = 0;
  while (stdout_fd_ >= 0 && (n = ::read(stdout_fd_, chunk, sizeof chunk)) > 0) {
    out.append(chunk, static_cast<size_t>(n));
  }
  if (pid_ > 0 && WaitExit(pid_, std::chrono::milliseconds(5000))) {
    std::erase(LiveChildren(), pid_);
    pid_ = -1;
  }
  return out;
}

std::chrono::microseconds ChildProcess::CpuTime() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces; the fields after its ')' are space-separated,
  // utime and stime being fields 14 and 15 (proc(5)), in clock ticks.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return std::chrono::microseconds(0);
  std::istringstream fields(text.substr(close + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  fields >> utime >> stime;
  const long ticks = ::sysconf(_SC_CLK_TCK);
  return std::chrono::microseconds((utime + stime) * 1000000ULL / static_cast<uint64_t>(ticks));
}

void ChildProcess::Stop() {
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
    stdout_fd_ = -1;
  }
  if (pid_ <= 0) return;
  std::erase(LiveChildren(), pid_);
  ::kill(pid_, SIGTERM);
  if (!WaitExit(pid_, std::chrono::milliseconds(2000))) {
    ::kill(pid_, SIGKILL);
    WaitExit(pid_, std::chrono::milliseconds(2000));
  }
  pid_ = -1;
}

void Fatal(const std::string& message) {
  std::fprintf(stderr, "proxy_bench: %s\n", message.c_str());
  for (const pid_t pid : LiveChildren()) ::kill(pid, SIGTERM);
  for (const pid_t pid : LiveChildren()) {
    if (!WaitExit(pid, std::chrono::milliseconds(2000))) {
      ::kill(pid, SIGKILL);
      WaitExit(pid, std::chrono::milliseconds(2000));
    }
  }
  std::exit(1);
}

void RequireTool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return;
  }
  Fatal(name + " is not installed (scripts/setup.sh installs it)");
}

uint16_t FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace crossmesh::bench
