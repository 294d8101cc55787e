#include "harness/yelb/leftovers.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

namespace crossmesh::yelb {
namespace {

struct Tracked {
  // Held by the interrupt thread from the signal to _exit, so that a run which ends on its own
  // meanwhile (its databases just vanished) waits in ExitIfInterrupted for 128 + signal.
  std::mutex interrupt;
  std::mutex mutex;
  std::set<pid_t> groups;
  std::set<std::string> folders;
  // Set once an interrupt is being handled: the run goes on meanwhile, and what it starts or
  // creates from then on is stopped or removed at once instead of tracked too late.
  bool refusing = false;
};

Tracked& tracked() {
  static Tracked* instance = new Tracked();  // never destroyed: the interrupt thread may use it
  return *instance;
}

bool GroupAlive(pid_t group) { return kill(-group, 0) == 0; }

}  // namespace

void TrackProcessGroup(pid_t group) {
  {
    std::lock_guard lock(tracked().mutex);
    if (!tracked().refusing) {
      tracked().groups.insert(group);
      return;
    }
  }
  kill(-group, SIGKILL);
}

void UntrackProcessGroup(pid_t group) {
  std::lock_guard lock(tracked().mutex);
  tracked().groups.erase(group);
}

void TrackFolder(const std::string& path) {
  {
    std::lock_guard lock(tracked().mutex);
    if (!tracked().refusing) {
      tracked().folders.insert(path);
      return;
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

void RefuseNewLeftovers() {
  std::lock_guard lock(tracked().mutex);
  tracked().refusing = true;
}

void UntrackFolder(const std::string& path) {
  std::lock_guard lock(tracked().mutex);
  tracked().folders.erase(path);
}

CleanupCount CleanUpLeftovers(std::chrono::milliseconds grace) {
  std::set<pid_t> groups;
  std::set<std::string> folders;
  {
    std::lock_guard lock(tracked().mutex);
    groups.swap(tracked().groups);
    folders.swap(tracked().folders);
  }

  for (pid_t group : groups) kill(-group, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (pid_t group : groups) {
    while (GroupAlive(group) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (GroupAlive(group)) kill(-group, SIGKILL);
  }

  // Folders last: PostgreSQL writes into its folder until it has stopped. A process spawned
  // just before the interrupt is stopped only as its spawner tracks it (RefuseNewLeftovers),
  // so it may still write for a moment: removal is tried again until the folder stays gone.
  for (const std::string& folder : folders) {
    std::error_code ec;
    for (int attempt = 0; attempt < 40 && std::filesystem::exists(folder); ++attempt) {
      ec.clear();
      std::filesystem::remove_all(folder, ec);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a late writer shows here
    }
    if (std::filesystem::exists(folder)) {
      spdlog::warn("cannot remove {}: {}; delete it by hand", folder,
                   ec ? ec.message() : "something still writes into it");
    }
  }
  return {groups.size(), folders.size()};
}

void CleanUpOnInterrupt() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::thread([signals] {
    int received = 0;
    if (sigwait(&signals, &received) != 0) return;
    tracked().interrupt.lock();  // never unlocked: the process ends below
    spdlog::warn("interrupted by signal {}: stopping the servers this run started", received);
    RefuseNewLeftovers();
    CleanupCount count = CleanUpLeftovers(std::chrono::seconds(5));
    spdlog::warn("stopped {} process group(s) and removed {} folder(s); exiting",
                 count.process_groups, count.folders);
    std::fflush(stdout);  // a partial line, if any: _exit flushes nothing
    _exit(128 + received);
  }).detach();
}

void ExitIfInterrupted() {
  std::lock_guard lock(tracked().interrupt);  // blocks for good while an interrupt is handled
}

}  // namespace crossmesh::yelb
