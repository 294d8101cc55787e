// Reading a whole file a user named (a scenario, an accounts file, a proxy config, a manifest):
// one place that says which file could not be read and why, in the system's words, or that the
// path is a folder.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/core/status.h"

namespace crossmesh {

// The most a user's text file may hold: far above any scenario, manifest or config.
inline constexpr size_t kMaxTextFileBytes = size_t{64} << 20;

// The file's bytes, or `code` with "cannot read <what> '<path>': <reason>" (also for a file
// over `max_bytes`, a whole number of MiB).
// Also refused: UTF-16, NUL bytes and text that is not UTF-8 (named by line and column).
Result<std::string> ReadTextFile(const std::string& path, std::string_view what,
                                 std::string_view code, size_t max_bytes = kMaxTextFileBytes);

// The offset of the first byte that does not start a valid UTF-8 character, if any.
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

}  // namespace crossmesh
