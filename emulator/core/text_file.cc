#include "emulator/core/text_file.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
                                 std::string_view code, size_t max_bytes) {
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
        "it is a named pipe (FIFO) that nothing wrote to; give a regular file, or start "
        "the process that writes to the pipe first");
  }
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    return failed("it is UTF-16 text; save it as UTF-8");
  }
  if (text.find('\0') != std::string::npos) {
    return failed("it holds NUL bytes, so it is not a text file; give the text file itself");
  }
  return text;
}

}  // namespace crossmesh
