#include "cli/state_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace crossmesh::cli {

StateLock::StateLock(StateLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

// Closing any descriptor of the database file would drop SQLite's POSIX locks on it, so the
// lock's descriptor is closed only after the emulator is gone (it is declared before it).
StateLock::~StateLock() {
  if (fd_ >= 0) close(fd_);
}

Result<StateLock> StateLock::Acquire(const std::string& state_path) {
  if (state_path.empty() || state_path == ":memory:") return StateLock();

  // flock, not fcntl: on Linux the two kinds never interact, so SQLite's own byte-range locks
  // on the same file are unaffected.
  const int fd = open(state_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error("InvalidConfiguration",
                 fmt::format("cannot open state file '{}': {}; check the folder exists and is "
                             "writable",
                             state_path, std::strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    close(fd);
    if (error == EWOULDBLOCK) {
      return Error("InvalidConfiguration",
                   fmt::format("state file '{}' is in use by another crossmesh serve; stop that "
                               "one first, or give this one its own --state file",
                               state_path));
    }
    return Error("InvalidConfiguration",
                 fmt::format("cannot lock state file '{}': {}", state_path, std::strerror(error)));
  }
  return StateLock(fd);
}

}  // namespace crossmesh::cli
