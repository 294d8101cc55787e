#include "emulator/core/text_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace crossmesh {

Result<std::string> ReadTextFile(const std::string& path, std::string_view what,
                                 std::string_view code) {
  auto failed = [&](std::string_view reason) {
    return Error(std::string(code), fmt::format("cannot read {} '{}': {}", what, path, reason));
  };

  // An ifstream opens a folder and reads nothing, which would look like an empty file.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return failed("it is a folder; give a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return failed(std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return failed(std::strerror(errno));
  return text.str();
}

}  // namespace crossmesh
