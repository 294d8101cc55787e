#include "cli/profile_files.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <string_view>

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

// The first line of every file crossmesh writes here: the mark that it may be replaced.
constexpr std::string_view kMark =
    "# Written by crossmesh serve for the emulator's accounts; replaced on every start.";

// A user's own AWS files (say ~/.aws) hold real keys: never replaced, only files with the mark.
Status RefuseForeignFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::Ok();
  std::string first;
  std::getline(in, first);
  if (first == kMark) return Status::Ok();
  return Error("InvalidConfiguration",
               fmt::format("--profile-dir: '{}' exists and was not written by crossmesh; it may "
                           "hold real AWS keys, so it is left alone. Give an empty or new folder "
                           "(for example /tmp/crossmesh-profiles), or move the file away",
                           path.string()));
}

// The folder itself may be new; its parent must exist (a typo must not create a tree as root).
Status MakeProfileDir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::Ok();
  const std::filesystem::path parent = std::filesystem::absolute(dir, ec).parent_path();
  if (!std::filesystem::is_directory(parent, ec)) {
    return Error("InvalidConfiguration",
                 fmt::format("--profile-dir '{}': its parent folder '{}' does not exist; create "
                             "it first or pick another folder",
                             dir.string(), parent.string()));
  }
  if (!std::filesystem::create_directory(dir, ec) || ec) {
    return Error("InvalidConfiguration",
                 fmt::format("cannot create --profile-dir '{}': {}", dir.string(),
                             ec ? ec.message() : "it exists and is not a folder"));
  }
  return Status::Ok();
}

}  // namespace

Status WriteProfileFiles(const std::string& dir, const AccountRegistry& accounts,
                         const std::string& endpoint_url) {
  const std::filesystem::path base(dir);
  CM_RETURN_IF_ERROR(MakeProfileDir(base));
  for (const char* name : {"config", "credentials"}) {
    CM_RETURN_IF_ERROR(RefuseForeignFile(base / name));
  }

  std::string config = std::string(kMark) + "\n";
  std::string credentials = config;
  for (const auto& account : accounts.all()) {
    config += fmt::format("[profile {}]\nregion = {}\noutput = json\n\n", account.name,
                          account.default_region);
    credentials += fmt::format("[{}]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n",
                               account.name, account.access_key_id, account.secret_access_key);
  }

  CM_RETURN_IF_ERROR(WriteAtomically(base / "config", config));
  CM_RETURN_IF_ERROR(WriteAtomically(base / "credentials", credentials));
  return WriteAtomically(base / "endpoint", endpoint_url + "\n");
}

}  // namespace crossmesh::cli
