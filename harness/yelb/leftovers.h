// Leftovers: the process groups and throwaway folders the harness has started or made and not
// yet cleaned up. Destructors clean up on the normal path and untrack; an interrupted run
// (Ctrl-C, SIGTERM) cannot unwind, so CleanUpOnInterrupt stops and removes what is tracked here
// before the process ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace crossmesh::yelb {

void TrackProcessGroup(pid_t group);
void UntrackProcessGroup(pid_t group);
void TrackFolder(const std::string& path);
void UntrackFolder(const std::string& path);

// From now on a group or folder handed to Track* is stopped (SIGKILL) or removed at once:
// an interrupted run goes on until the process ends, and would otherwise leave what it made
// after the cleanup took its list.
void RefuseNewLeftovers();

struct CleanupCount {
  size_t process_groups = 0;
  size_t folders = 0;
};

// SIGTERM to every tracked group, SIGKILL to those still there after `grace`, then every tracked
// folder removed.
CleanupCount CleanUpLeftovers(std::chrono::milliseconds grace);

// Blocks SIGINT and SIGTERM in the calling thread and starts a thread that waits for them: on
// either it cleans up the leftovers and ends the process with 128 + the signal. Call it before
// starting other threads (they inherit the blocked mask; children reset theirs).
void CleanUpOnInterrupt();

// Returns at once unless an interrupt is being handled; then never returns (the interrupt
// thread ends the process). Call it before returning an exit code.
void ExitIfInterrupted();

}  // namespace crossmesh::yelb
