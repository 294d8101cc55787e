// LoadFailureLog: which outcomes of loading a file secret deserve a log line. FileWatcher
// retries a set of files that does not load on every poll (kFilePoll, twice a second, in proxy.cc),
// and a warning per retry would bury every other line; so a failure is logged when it starts and
// when its reason changes, and a recovery once, when the secret loads again. Not thread-safe:
// FileWatcher calls it under its own mutex.
#pragma once

#include <map>
#include <string>

namespace crossmesh::proxy {

class LoadFailureLog {
 public:
  // Records that `secret` failed to load with `error`. True when that should be logged: the
  // first failure, or one whose error differs from the last logged for the secret.
  bool Failed(const std::string& secret, const std::string& error);
  // Records that `secret` loaded. True when that ends a logged failure, so the recovery should
  // be logged; a first load or a rotation is not a recovery.
  bool Loaded(const std::string& secret);

 private:
  std::map<std::string, std::string> failing_;  // secret name -> the error last logged
};

}  // namespace crossmesh::proxy
