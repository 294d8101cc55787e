// FileWatcher: file-based certificates (App Mesh's `file` source) pushed into the SecretStore.
// Like Envoy, it reads the files at start and again only when a path is atomically replaced:
// a rename over the path or a symlink swap gives the path a new inode, which the watcher
// notices; writing into the existing file keeps the inode and is ignored (Envoy needs a
// restart or a new path then; appmesh-tls-semantics.md 1.3, 4.2).
//
// Polls on the io_context (interval `poll`); Poll() checks at once. A set of files that does
// not load (missing, or chain and key replaced one at a time and not yet matching) is retried
// on the next poll, leaving the previous secret in place; its failure is logged when it starts
// or its reason changes, not on every poll (LoadFailureLog). A path written in place, or gone,
// is noted once in the log, since nothing else would tell the user why no reload happened.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "harness/proxy/config.h"
#include "harness/proxy/load_failure_log.h"
#include "harness/proxy/secret_store.h"

namespace crossmesh::proxy {

class FileWatcher : public std::enable_shared_from_this<FileWatcher> {
 public:
  FileWatcher(boost::asio::io_context& ioc, SecretStore& store, std::vector<FileSecret> files,
              std::chrono::milliseconds poll);

  void Start();  // loads now, then polls
  void Stop();   // idempotent, any thread
  void Poll();   // one check of every file set, on the calling thread

 private:
  struct Identity {
    dev_t device = 0;
    ino_t inode = 0;
    int64_t modified_ns = 0;  // tells a write in place apart; not part of the file's identity
  };
  static bool SameFiles(const std::vector<Identity>& a, const std::vector<Identity>& b);
  static bool WrittenSince(const std::vector<Identity>& loaded, const std::vector<Identity>& now);
  // The identities of `file`'s paths, or nullopt when one is missing.
  static std::optional<std::vector<Identity>> Identify(const FileSecret& file);
  bool Load(const FileSecret& file);
  void Schedule();

  SecretStore& store_;
  const std::vector<FileSecret> files_;
  const std::chrono::milliseconds poll_;
  boost::asio::steady_timer timer_;
  std::mutex mutex_;
  bool stopped_ = false;
  std::map<std::string, std::vector<Identity>> loaded_;  // by secret name
  LoadFailureLog load_log_;
  LoadFailureLog notes_;  // paths written in place or gone, noted once each
};

}  // namespace crossmesh::proxy
