// Random identifiers: drawn from OpenSSL's CSPRNG in blocks, never handed out twice, not even
// across a fork.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>
#include <string>

#include "emulator/core/ids.h"

using namespace crossmesh;

namespace {

std::string Draw(size_t n) {
  std::string bytes(n, '\0');
  FillRandom(std::span<uint8_t>(reinterpret_cast<uint8_t*>(bytes.data()), n));
  return bytes;
}

}  // namespace

TEST_CASE("Random draws never repeat, across block boundaries too") {
  std::set<std::string> seen;
  // 3000 draws of 24 bytes span many 512-byte blocks, and some draws straddle two.
  for (int i = 0; i < 3000; ++i) seen.insert(Draw(24));
  CHECK(seen.size() == 3000);
}

TEST_CASE("A forked child draws bytes of its own, not its parent's next ones") {
  Draw(8);  // the parent's block is started, with bytes left in it
  std::array<int, 2> pipe_ends{};
  REQUIRE(pipe(pipe_ends.data()) == 0);

  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::string drawn = Draw(16);
    const bool written = write(pipe_ends[1], drawn.data(), drawn.size()) == 16;
    _exit(written ? 0 : 1);
  }
  close(pipe_ends[1]);
  std::string from_child(16, '\0');
  const ssize_t got = read(pipe_ends[0], from_child.data(), from_child.size());
  close(pipe_ends[0]);
  int status = 0;
  waitpid(child, &status, 0);

  REQUIRE(got == 16);
  CHECK(WIFEXITED(status));
  CHECK(Draw(16) != from_child);
}

TEST_CASE("UUIDs are version 4 with the RFC 4122 variant") {
  const std::string uuid = NewUuid();
  REQUIRE(uuid.size() == 36);
  CHECK(uuid[14] == '4');
  CHECK(std::string("89ab").find(uuid[19]) != std::string::npos);
  CHECK(NewUuid() != uuid);
}
