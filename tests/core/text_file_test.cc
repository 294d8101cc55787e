// Reading a file a user named: what goes wrong is said with the path and the reason.
#include "emulator/core/text_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

using namespace crossmesh;

TEST_CASE("An endless file such as /dev/zero is refused at the size bound, not read forever") {
  auto read = ReadTextFile("/dev/zero", "scenario file", "InvalidScenario");

  REQUIRE_FALSE(read.ok());
  CHECK(read.status().code() == "InvalidScenario");
  CHECK_THAT(read.status().message(),
             Catch::Contains("cannot read scenario file '/dev/zero': it is over 64 MiB"));
}

TEST_CASE("A folder and a missing file are refused with the reason") {
  auto folder = ReadTextFile("/tmp", "manifest", "InvalidInput");
  REQUIRE_FALSE(folder.ok());
  CHECK_THAT(folder.status().message(), Catch::Contains("it is a folder"));

  auto missing = ReadTextFile("/nonexistent/file.yaml", "manifest", "InvalidInput");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("No such file or directory"));
}

TEST_CASE("UTF-16 text and binary files are refused as not UTF-8 text") {
  const std::string utf16 = "/tmp/crossmesh-text-file-test-utf16.yaml";
  std::ofstream(utf16, std::ios::binary) << std::string("\xFF\xFEn\0a\0", 6);
  auto read = ReadTextFile(utf16, "scenario file", "InvalidScenario");
  std::remove(utf16.c_str());

  REQUIRE_FALSE(read.ok());
  CHECK_THAT(read.status().message(), Catch::Contains("it is UTF-16 text; save it as UTF-8"));

  auto binary = ReadTextFile("/bin/true", "manifest", "InvalidInput");
  REQUIRE_FALSE(binary.ok());
  CHECK_THAT(binary.status().message(), Catch::Contains("holds NUL bytes"));
}

TEST_CASE("A named pipe nothing writes to is refused at once instead of waiting for a writer") {
  const std::string fifo = "/tmp/crossmesh-text-file-test-fifo.yaml";
  std::remove(fifo.c_str());
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto read = ReadTextFile(fifo, "scenario file", "InvalidScenario");
  std::remove(fifo.c_str());

  REQUIRE_FALSE(read.ok());
  CHECK_THAT(read.status().message(),
             Catch::Contains("it is a pipe with nothing to read (no process writes to it, or it "
                             "was read already); give a regular file"));
}

TEST_CASE("A pipe with a writer, as a shell's <(...) gives, is read to its end") {
  int ends[2];
  REQUIRE(::pipe(ends) == 0);
  const std::string text = "name: from a pipe\n";
  REQUIRE(::write(ends[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  // The writer is still there when the file is opened, and finishes a little later.
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string more = "steps: []\n";
    (void)::write(ends[1], more.data(), more.size());
    ::close(ends[1]);
  });

  auto read = ReadTextFile("/dev/fd/" + std::to_string(ends[0]), "scenario file", "X");
  writer.join();
  ::close(ends[0]);

  REQUIRE(read.ok());
  CHECK(*read == "name: from a pipe\nsteps: []\n");
}

TEST_CASE("Text that is not UTF-8 is refused naming the byte, its line and its column") {
  const std::string path = "/tmp/crossmesh-text-file-test-latin1.yaml";
  std::ofstream(path, std::ios::binary) << "name: ok\nnote: \xc3\xa9t\xe9\n";
  auto read = ReadTextFile(path, "scenario file", "InvalidScenario");
  std::remove(path.c_str());

  REQUIRE_FALSE(read.ok());
  // Column 9: "note: ", the two-byte e-acute counted once, then "t".
  CHECK_THAT(read.status().message(),
             Catch::Contains("it is not UTF-8 text: byte 0xE9 at line 2, column 9 starts no "
                             "valid UTF-8 character; save the file as UTF-8"));
}

TEST_CASE("UTF-8 is checked as RFC 3629 has it: no overlong forms, surrogates or cut ends") {
  CHECK_FALSE(FirstInvalidUtf8("plain ASCII, caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80"));
  CHECK(FirstInvalidUtf8("ab\xc0\xafz") == 2u);        // an overlong '/'
  CHECK(FirstInvalidUtf8("a\xed\xa0\x80") == 1u);      // a UTF-16 surrogate
  CHECK(FirstInvalidUtf8("a\xf4\x90\x80\x80") == 1u);  // past U+10FFFF
  CHECK(FirstInvalidUtf8("abc\xe2\x82") == 3u);        // cut short at the end
  CHECK(FirstInvalidUtf8("\x80") == 0u);               // a continuation byte alone
}
