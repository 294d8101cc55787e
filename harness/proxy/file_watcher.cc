#include "harness/proxy/file_watcher.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <fstream>
#include <sstream>

namespace crossmesh::proxy {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::vector<std::string> PathsOf(const FileSecret& file) {
  if (!file.trusted_ca_path.empty()) return {file.trusted_ca_path};
  return {file.certificate_chain_path, file.private_key_path};
}

}  // namespace

FileWatcher::FileWatcher(boost::asio::io_context& ioc, SecretStore& store,
                         std::vector<FileSecret> files, std::chrono::milliseconds poll)
    : store_(store), files_(std::move(files)), poll_(poll), timer_(boost::asio::make_strand(ioc)) {}

std::optional<std::vector<FileWatcher::Identity>> FileWatcher::Identify(const FileSecret& file) {
  std::vector<Identity> identities;
  for (const std::string& path : PathsOf(file)) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return std::nullopt;  // follows symlinks, on purpose
    identities.push_back(
        {info.st_dev, info.st_ino, info.st_mtim.tv_sec * 1'000'000'000LL + info.st_mtim.tv_nsec});
  }
  return identities;
}

bool FileWatcher::SameFiles(const std::vector<Identity>& a, const std::vector<Identity>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.device == y.device && x.inode == y.inode;
  });
}

bool FileWatcher::WrittenSince(const std::vector<Identity>& loaded,
                               const std::vector<Identity>& now) {
  for (size_t i = 0; i < loaded.size() && i < now.size(); ++i) {
    if (loaded[i].modified_ns != now[i].modified_ns) return true;
  }
  return false;
}

bool FileWatcher::Load(const FileSecret& file) {
  std::vector<std::optional<std::string>> contents;
  for (const std::string& path : PathsOf(file)) contents.push_back(ReadFile(path));
  for (const auto& content : contents) {
    if (!content) return false;
  }
  Status pushed =
      file.trusted_ca_path.empty()
          ? store_.PushCertificate(file.secret_name, *contents[0], *contents[1],
                                   file.certificate_chain_path)
          : store_.PushValidationContext(file.secret_name, *contents[0], file.trusted_ca_path);
  if (!pushed.ok()) {
    if (load_log_.Failed(file.secret_name, pushed.message())) {
      spdlog::warn("file secret not loaded, retrying quietly: {}", pushed.message());
    }
    return false;
  }
  if (load_log_.Loaded(file.secret_name)) {
    spdlog::info("file secret loaded after failing: {}", file.secret_name);
  }
  return true;
}

void FileWatcher::Poll() {
  std::lock_guard lock(mutex_);
  for (const FileSecret& file : files_) {
    std::optional<std::vector<Identity>> identities = Identify(file);
    auto it = loaded_.find(file.secret_name);
    if (!identities) {
      if (it != loaded_.end() && notes_.Failed(file.secret_name, "a file of it is gone")) {
        spdlog::warn(
            "file secret {}: a file of it is gone; the loaded certificate is served "
            "until a file is there again",
            file.secret_name);
      }
      continue;
    }
    if (it != loaded_.end() && SameFiles(it->second, *identities)) {
      if (!WrittenSince(it->second, *identities)) {
        notes_.Loaded(file.secret_name);
      } else if (notes_.Failed(file.secret_name, "written in place")) {
        spdlog::warn(
            "file secret {}: a file of it was written in place, which is not reloaded "
            "(as Envoy's watch): write the new file beside it and mv it over the path",
            file.secret_name);
      }
      continue;
    }
    if (Load(file)) {
      loaded_[file.secret_name] = std::move(*identities);
      notes_.Loaded(file.secret_name);
    }
  }
}

void FileWatcher::Start() {
  Poll();  // synchronously, so the secrets are in place before the proxy accepts
  // The timer is only touched on its strand: its handler, and Stop's cancel, run there.
  boost::asio::post(timer_.get_executor(), [self = shared_from_this()] { self->Schedule(); });
}

void FileWatcher::Schedule() {
  std::lock_guard lock(mutex_);
  if (stopped_ || files_.empty()) return;
  timer_.expires_after(poll_);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    self->Poll();
    self->Schedule();
  });
}

void FileWatcher::Stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  boost::asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
}

}  // namespace crossmesh::proxy
