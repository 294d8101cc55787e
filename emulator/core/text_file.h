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
// Also refused: UTF-16, NUL bytes and, with `utf8_only`, text that is not UTF-8 (named by line
// and column). Without it, a caller that reports positions itself (lint) checks it.
Result<std::string> ReadTextFile(const std::string& path, std::string_view what,
                                 std::string_view code, size_t max_bytes = kMaxTextFileBytes,
                                 bool utf8_only = true);

// The offset of the first byte that does not start a valid UTF-8 character (RFC 3629: no
// overlong forms, no surrogates, nothing past U+10FFFF), if any.
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

// Line and column (1-based; a column counts characters, not bytes) of byte `offset` of `text`.
struct TextPosition {
  int line = 1;
  int column = 1;
};
TextPosition PositionOf(std::string_view text, size_t offset);

// "byte 0xE9 at line 2, column 9 starts no valid UTF-8 character; save the file as UTF-8" for
// the first such byte of `text`, or nullopt when it is all UTF-8.
std::optional<std::string> Utf8Problem(std::string_view text);

}  // namespace crossmesh
