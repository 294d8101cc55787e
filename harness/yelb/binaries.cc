#include "harness/yelb/binaries.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace crossmesh::yelb {

namespace {

// Glob matches, newest version first ("/usr/lib/postgresql/16/bin" before ".../15/bin").
std::vector<std::string> Expand(const std::string& pattern) {
  if (pattern.find_first_of("*?[") == std::string::npos) return {pattern};
  glob_t matches{};
  std::vector<std::string> dirs;
  if (glob(pattern.c_str(), GLOB_ONLYDIR, nullptr, &matches) == 0) {
    for (size_t i = 0; i < matches.gl_pathc; ++i) dirs.emplace_back(matches.gl_pathv[i]);
  }
  globfree(&matches);
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) {
    return strverscmp(a.c_str(), b.c_str()) > 0;
  });
  return dirs;
}

}  // namespace

std::vector<std::string> DefaultSearchPath() {
  std::vector<std::string> path = {"/usr/lib/postgresql/*/bin", "/usr/local/bin", "/usr/bin",
                                   "/usr/sbin", "/bin"};
  if (const char* env = std::getenv("PATH")) {
    std::string_view rest(env);
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      std::string dir(rest.substr(0, colon));
      if (!dir.empty() && std::find(path.begin(), path.end(), dir) == path.end()) {
        path.push_back(dir);
      }
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  return path;
}

Result<std::string> FindBinary(const std::string& name,
                               const std::vector<std::string>& search_path) {
  for (const auto& entry : search_path) {
    for (const auto& dir : Expand(entry)) {
      std::string candidate = dir;
      candidate.append("/").append(name);
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return Error("MissingBinary",
               fmt::format("{} not found (searched {}); the Yelb data tier runs real Redis and "
                           "PostgreSQL servers: install them with `{}` (or run scripts/setup.sh)",
                           name, fmt::join(search_path, ", "), kDataTierInstallCommand));
}

}  // namespace crossmesh::yelb
