#include "harness/yelb/cluster_template.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "emulator/core/ids.h"

namespace crossmesh::yelb {
namespace {

namespace fs = std::filesystem;

// The files without which PostgreSQL does not start from a folder: a cache damaged by hand or by
// a full disk is rebuilt rather than failing every run with "could not find the database
// system".
bool LooksComplete(const std::string& template_dir) {
  std::error_code ec;
  for (const char* needed : {"PG_VERSION", "global/pg_control", "base"}) {
    if (!fs::exists(template_dir + "/" + needed, ec)) return false;
  }
  return true;
}

Status ChownTree(const std::string& root, const RunAs& owner) {
  std::error_code ec;
  if (lchown(root.c_str(), owner.uid, owner.gid) != 0) {
    return Error("DataTierFailed", fmt::format("cannot give {} to {}", root, owner.name));
  }
  for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
    if (lchown(entry.path().c_str(), owner.uid, owner.gid) != 0) {
      return Error("DataTierFailed",
                   fmt::format("cannot give {} to {}", entry.path().string(), owner.name));
    }
  }
  if (ec) return Error("DataTierFailed", fmt::format("cannot walk {}: {}", root, ec.message()));
  return Status::Ok();
}

}  // namespace

std::string ClusterTemplatePath(std::string_view recipe) {
  std::string base;
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache != nullptr && *cache == '/') {
    base = cache;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    base = std::string(home) + "/.cache";
  } else {
    return {};
  }
  return fmt::format("{}/crossmesh/postgres-{}", base, Sha256Hex(recipe).substr(0, 16));
}

bool CopyClusterTemplate(const std::string& template_dir, const std::string& pgdata,
                         const std::optional<RunAs>& owner) {
  std::error_code ec;
  if (template_dir.empty() || !LooksComplete(template_dir)) return false;

  // copy() gives each new folder and file the mode of its source, and PostgreSQL insists on
  // its 0700 data folder.
  fs::copy(template_dir, pgdata, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  Status owned = ec ? Error("DataTierFailed", ec.message()) : Status::Ok();
  if (owned.ok() && owner) owned = ChownTree(pgdata, *owner);
  if (!owned.ok()) {
    spdlog::debug("data tier: cluster template {} not used: {}", template_dir, owned.message());
    fs::remove_all(pgdata, ec);
    return false;
  }
  return true;
}

void SaveClusterTemplate(const std::string& pgdata, const std::string& template_dir) {
  if (template_dir.empty()) return;
  std::error_code ec;
  const fs::path parent = fs::path(template_dir).parent_path();
  fs::create_directories(parent, ec);
  fs::permissions(parent, fs::perms::owner_all, ec);

  // Copied whole under a private name, then renamed into place: a reader sees no template or a
  // complete one, never half of one.
  std::string staging = parent.string() + "/staging-XXXXXX";
  if (mkdtemp(staging.data()) == nullptr) {
    spdlog::debug("data tier: cannot cache the cluster in {}", parent.string());
    return;
  }
  fs::copy(pgdata, staging + "/pgdata",
           fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  // An incomplete template is unusable (CopyClusterTemplate skips it): replace it.
  if (!ec && !LooksComplete(template_dir)) fs::remove_all(template_dir, ec);
  if (!ec && std::rename((staging + "/pgdata").c_str(), template_dir.c_str()) == 0) {
    spdlog::debug("data tier: cluster kept as the template {}", template_dir);
  }
  fs::remove_all(staging, ec);
}

}  // namespace crossmesh::yelb
