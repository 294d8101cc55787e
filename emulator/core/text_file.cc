#include "emulator/core/text_file.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace crossmesh {
namespace {

struct FileCloser {
  explicit FileCloser(int descriptor) : fd(descriptor) {}
  FileCloser(const FileCloser&) = delete;
  FileCloser& operator=(const FileCloser&) = delete;
  ~FileCloser() { ::close(fd); }
  int fd;
};

}  // namespace

Result<std::string> ReadTextFile(const std::string& path, std::string_view what,
                                 std::string_view code, size_t max_bytes, bool utf8_only) {
  auto failed = [&](std::string_view reason) {
    return Error(std::string(code), fmt::format("cannot read {} '{}': {}", what, path, reason));
  };

  // Opened without waiting: a named pipe nothing writes to would otherwise block the open for
  // good. Reads wait again below, so a pipe with a writer (a shell's <(...)) is read to its end.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return failed(std::strerror(errno));
  const FileCloser closer(fd);
  struct stat info {};
  if (::fstat(fd, &info) != 0) return failed(std::strerror(errno));
  // Read as bytes, a folder would fail with EISDIR, which says less than this.
  if (S_ISDIR(info.st_mode)) return failed("it is a folder; give a file");
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);

  // Read in pieces up to a bound: /dev/zero or a runaway pipe would otherwise never end.
  std::string text;
  std::string piece(64 * 1024, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, piece.data(), piece.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed(std::strerror(errno));
    if (n == 0) break;
    text.append(piece.data(), static_cast<size_t>(n));
    if (text.size() > max_bytes) {
      return failed(
          fmt::format("it is over {} MiB; crossmesh reads a {} up to that (split it "
                      "into smaller files)",
                      max_bytes >> 20, what));
    }
  }
  if (S_ISFIFO(info.st_mode) && text.empty()) {
    return failed(
        "it is a pipe with nothing to read (no process writes to it, or it was read "
        "already); give a regular file, or start the process that writes to the pipe first");
  }
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    return failed("it is UTF-16 text; save it as UTF-8");
  }
  if (text.find('\0') != std::string::npos) {
    return failed("it holds NUL bytes, so it is not a text file; give the text file itself");
  }
  // YAML and JSON are UTF-8: a Latin-1 byte would otherwise travel on as U+FFFD into names and
  // messages.
  if (utf8_only) {
    if (std::optional<std::string> problem = Utf8Problem(text)) {
      return failed("it is not UTF-8 text: " + *problem);
    }
  }
  return text;
}

std::optional<size_t> FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // The sequence's length, and the range its second byte must fall in (RFC 3629 section 4:
    // no overlong forms, no surrogates, nothing past U+10FFFF).
    size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return std::nullopt;
}

TextPosition PositionOf(std::string_view text, size_t offset) {
  TextPosition position;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++position.column;  // one per character: continuation bytes do not count
    }
  }
  return position;
}

std::optional<std::string> Utf8Problem(std::string_view text) {
  const std::optional<size_t> bad = FirstInvalidUtf8(text);
  if (!bad) return std::nullopt;
  const TextPosition at = PositionOf(text, *bad);
  return fmt::format(
      "byte 0x{:02X} at line {}, column {} starts no valid UTF-8 character; "
      "save the file as UTF-8",
      static_cast<unsigned char>(text[*bad]), at.line, at.column);
}

}  // namespace crossmesh
