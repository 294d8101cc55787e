#include "cli/profile_files.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace crossmesh::cli {
namespace {

// Written to a temporary name and renamed, so a reader never sees half a file.
Status WriteAtomically(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << text;
    if (!out) {
      return Error("InvalidConfiguration", fmt::format("cannot write '{}'", temp.string()));
    }
  }
  std::error_code ec;
  std::filesystem::permissions(
      temp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    return Error("InvalidConfiguration", fmt::format("cannot rename '{}' to '{}': {}",
                                                     temp.string(), path.string(), ec.message()));
  }
  return Status::Ok();
}

}  // namespace

Status WriteProfileFiles(const std::string& dir, const AccountRegistry& accounts,
                         const std::string& endpoint_url) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Error("InvalidConfiguration",
                 fmt::format("cannot create --profile-dir '{}': {}", dir, ec.message()));
  }

  std::string config;
  std::string credentials;
  for (const auto& account : accounts.all()) {
    config += fmt::format("[profile {}]\nregion = {}\noutput = json\n\n", account.name,
                          account.default_region);
    credentials += fmt::format("[{}]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n",
                               account.name, account.access_key_id, account.secret_access_key);
  }

  std::filesystem::path base(dir);
  CM_RETURN_IF_ERROR(WriteAtomically(base / "config", config));
  CM_RETURN_IF_ERROR(WriteAtomically(base / "credentials", credentials));
  return WriteAtomically(base / "endpoint", endpoint_url + "\n");
}

}  // namespace crossmesh::cli
