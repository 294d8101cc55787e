// ConnectionPool<Conn>: idle backend connections kept for reuse, so a request does not pay a TCP
// (and, in the mesh, a TLS) handshake to Redis or PostgreSQL each time. Yelb itself opens a new
// connection per query; max_idle 0 reproduces that.
//
// Conn needs `static Result<std::unique_ptr<Conn>> Connect(...)` (wrapped in the factory) and
// `bool IdleAndOpen() const`, which lets the pool drop a connection the peer closed while it was
// idle instead of failing the next request on it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::yelb {

template <typename Conn>
class ConnectionPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<Conn>>()>;

  ConnectionPool(size_t max_idle, Factory factory)
      : max_idle_(max_idle), factory_(std::move(factory)) {}

  // An idle connection that is still open, or a new one.
  Result<std::unique_ptr<Conn>> Acquire() {
    {
      std::lock_guard lock(mutex_);
      while (!idle_.empty()) {
        std::unique_ptr<Conn> conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->IdleAndOpen()) return conn;
      }
    }
    return factory_();
  }

  // Hands a connection back after a successful use; broken or surplus ones are closed.
  void Release(std::unique_ptr<Conn> conn) {
    if (!conn || !conn->IdleAndOpen()) return;
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
  }

  void Clear() {
    std::vector<std::unique_ptr<Conn>> closing;
    std::lock_guard lock(mutex_);
    closing.swap(idle_);
  }

 private:
  size_t max_idle_;
  Factory factory_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace crossmesh::yelb
