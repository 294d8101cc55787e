// File certificates behave as Envoy's: read at start and on atomic replacement only.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/proxy/file_watcher.h"
#include "tests/proxy/test_pki.h"

namespace crossmesh::proxy::testing {
namespace {

namespace fs = std::filesystem;

struct Files {
  Files() {
    std::string pattern = (fs::temp_directory_path() / "proxy_files.XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
  }
  ~Files() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  Files(const Files&) = delete;
  Files& operator=(const Files&) = delete;
  Files(Files&&) = delete;
  Files& operator=(Files&&) = delete;

  void Write(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  // Writes the certificate into fresh files and renames them over the watched paths.
  void ReplaceAtomically(const TlsCertificate& certificate) {
    Write(dir / "chain.new", certificate.chain[0].ToPem().value());
    Write(dir / "key.new", certificate.key->ToPem().value());
    fs::rename(dir / "chain.new", dir / "chain.pem");
    fs::rename(dir / "key.new", dir / "key.pem");
  }
  fs::path dir;
};

std::string SerialOf(const SecretStore& store) {
  SecretPtr secret = store.Get("file-cert");
  return secret == nullptr ? "" : secret->certificate->chain[0].serial_hex();
}

TEST_CASE("A file certificate is reloaded on atomic replacement but not on in-place writes") {
  TestClock clock;
  TestCa ca = MakeCa("File CA", clock.Now());
  TlsCertificate first = IssueCertificate(ca, {"a.local"}, clock.Now());
  TlsCertificate second = IssueCertificate(ca, {"a.local"}, clock.Now());
  TlsCertificate third = IssueCertificate(ca, {"a.local"}, clock.Now());
  Files files;
  files.ReplaceAtomically(first);

  boost::asio::io_context ioc;
  SecretStore store;
  FileSecret secret{"file-cert", (files.dir / "chain.pem").string(),
                    (files.dir / "key.pem").string(), ""};
  auto watcher = std::make_shared<FileWatcher>(ioc, store, std::vector<FileSecret>{secret},
                                               std::chrono::milliseconds(50));
  watcher->Start();
  CHECK(SerialOf(store) == first.chain[0].serial_hex());

  // Overwriting the same inodes: Envoy would not notice, and neither do we; the log says so,
  // once.
  std::ostringstream log;
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  files.Write(files.dir / "chain.pem", second.chain[0].ToPem().value());
  files.Write(files.dir / "key.pem", second.key->ToPem().value());
  watcher->Poll();
  watcher->Poll();
  spdlog::set_default_logger(previous);
  CHECK(SerialOf(store) == first.chain[0].serial_hex());
  const std::string note = "file secret file-cert: a file of it was written in place";
  CHECK(log.str().find(note) != std::string::npos);
  CHECK(log.str().find(note) == log.str().rfind(note));

  files.ReplaceAtomically(third);
  watcher->Poll();
  CHECK(SerialOf(store) == third.chain[0].serial_hex());
  watcher->Stop();
  ioc.run();
}

TEST_CASE("A symlink swap of a file certificate is noticed") {
  TestClock clock;
  TestCa ca = MakeCa("File CA", clock.Now());
  TlsCertificate first = IssueCertificate(ca, {"a.local"}, clock.Now());
  TlsCertificate second = IssueCertificate(ca, {"a.local"}, clock.Now());
  Files files;
  fs::create_directory(files.dir / "v1");
  fs::create_directory(files.dir / "v2");
  files.Write(files.dir / "v1/ca.pem", first.chain[0].ToPem().value());
  files.Write(files.dir / "v2/ca.pem", second.chain[0].ToPem().value());
  fs::create_directory_symlink(files.dir / "v1", files.dir / "current");

  boost::asio::io_context ioc;
  SecretStore store;
  auto watcher = std::make_shared<FileWatcher>(
      ioc, store,
      std::vector<FileSecret>{{"bundle", "", "", (files.dir / "current/ca.pem").string()}},
      std::chrono::milliseconds(50));
  watcher->Start();
  REQUIRE(store.Get("bundle") != nullptr);
  CHECK(store.Get("bundle")->validation->trusted_cas[0].serial_hex() ==
        first.chain[0].serial_hex());

  fs::create_directory_symlink(files.dir / "v2", files.dir / "next");
  fs::rename(files.dir / "next", files.dir / "current");
  watcher->Poll();
  CHECK(store.Get("bundle")->validation->trusted_cas[0].serial_hex() ==
        second.chain[0].serial_hex());
  watcher->Stop();
  ioc.run();
}

}  // namespace
}  // namespace crossmesh::proxy::testing
