// Leftovers of an interrupted run: once the interrupt is being handled, what the run still
// makes is removed or stopped at once instead of tracked after the cleanup took its list.
#include "harness/yelb/leftovers.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

using namespace crossmesh::yelb;

TEST_CASE("After an interrupt, a new folder is removed and a new process group stopped at once") {
  char pattern[] = "/tmp/crossmesh-leftovers-test-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    setpgid(0, 0);
    pause();
    _exit(0);
  }
  setpgid(child, child);

  // The refusal lasts for the rest of a process, so the interrupted run is a process of its
  // own: other tests in this one go on tracking as usual.
  const pid_t run = fork();
  REQUIRE(run >= 0);
  if (run == 0) {
    RefuseNewLeftovers();
    TrackFolder(pattern);
    TrackProcessGroup(child);
    _exit(0);
  }
  int run_status = 0;
  REQUIRE(waitpid(run, &run_status, 0) == run);
  REQUIRE(WIFEXITED(run_status));

  CHECK_FALSE(std::filesystem::exists(pattern));
  int status = 0;
  pid_t reaped = 0;
  for (int i = 0; i < 250 && reaped == 0; ++i) {  // up to 5 s
    reaped = waitpid(child, &status, WNOHANG);
    if (reaped == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (reaped == 0) {  // not stopped: end it here so the test fails instead of hanging
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  REQUIRE(reaped == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
}
