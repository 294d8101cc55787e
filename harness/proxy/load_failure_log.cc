#include "harness/proxy/load_failure_log.h"

namespace crossmesh::proxy {

bool LoadFailureLog::Failed(const std::string& secret, const std::string& error) {
  auto [it, first] = failing_.try_emplace(secret, error);
  if (first) return true;
  if (it->second == error) return false;
  it->second = error;
  return true;
}

bool LoadFailureLog::Loaded(const std::string& secret) { return failing_.erase(secret) > 0; }

}  // namespace crossmesh::proxy
