// StateLock: one `crossmesh serve` per state file. Two emulators writing one SQLite file would
// each keep their own virtual clock and caches and overwrite each other's view of the world;
// SQLite's own locks only make each write atomic, not the two processes agree.
#pragma once

#include <string>

#include "emulator/core/status.h"

namespace crossmesh::cli {

class StateLock {
 public:
  StateLock() = default;
  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&&) = delete;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

  // Takes the file's exclusive lock without waiting. ":memory:" and "" need none.
  static Result<StateLock> Acquire(const std::string& state_path);

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace crossmesh::cli
