#include "emulator/core/text_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace crossmesh {

Result<std::string> ReadTextFile(const std::string& path, std::string_view what,
                                 std::string_view code, size_t max_bytes) {
  auto failed = [&](std::string_view reason) {
    return Error(std::string(code), fmt::format("cannot read {} '{}': {}", what, path, reason));
  };

  // An ifstream opens a folder and reads nothing, which would look like an empty file.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return failed("it is a folder; give a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return failed(std::strerror(errno));
  // Read in pieces up to a bound: /dev/zero or a runaway pipe would otherwise never end.
  std::string text;
  std::string piece(64 * 1024, '\0');
  while (in) {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    text.append(piece.data(), static_cast<size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return failed(
          fmt::format("it is over {} MiB; crossmesh reads a {} up to that (split it "
                      "into smaller files)",
                      max_bytes >> 20, what));
    }
  }
  if (in.bad()) return failed(std::strerror(errno));
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    return failed("it is UTF-16 text; save it as UTF-8");
  }
  if (text.find('\0') != std::string::npos) {
    return failed("it holds NUL bytes, so it is not a text file; give the text file itself");
  }
  return text;
}

}  // namespace crossmesh
