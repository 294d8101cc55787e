// crossmesh walkthrough: the main job. Starts an emulator on a free loopback port, replays the
// cross-account walkthrough over HTTP with SigV4, prints progress and a summary with the time of
// each phase, and writes the JSON and JUnit reports when asked.
#pragma once

#include <string>

namespace crossmesh::walkthrough {

struct WalkthroughOptions {
  std::string fixtures_dir;  // the project's fixtures/ folder
  std::string json_path;     // --json FILE
  std::string junit_path;    // --junit FILE
  bool quiet = false;
};

// Returns the process exit code: 0 when every step passed.
int RunWalkthrough(const WalkthroughOptions& options);

}  // namespace crossmesh::walkthrough
