// ConnectionRegistry: the open connections of one proxy, so that stopping the proxy can close
// them (each on its own strand) without owning them. A connection registers its streams and
// stays registered while its Token lives.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "harness/proxy/byte_stream.h"

namespace crossmesh::proxy {

class ConnectionRegistry {
 public:
  class Token {
   public:
    Token() = default;
    Token(ConnectionRegistry* registry, uint64_t id) : registry_(registry), id_(id) {}
    ~Token();
    Token(Token&& other) noexcept;
    Token& operator=(Token&& other) noexcept;
    Token(const Token&) = delete;
    Token& operator=(const Token&) = delete;

   private:
    ConnectionRegistry* registry_ = nullptr;
    uint64_t id_ = 0;
  };

  [[nodiscard]] Token Add(const std::shared_ptr<ByteStream>& stream);
  // Posts Close() of every registered stream to that stream's executor.
  void CloseAll();
  size_t size() const;

 private:
  void Remove(uint64_t id);

  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::weak_ptr<ByteStream>> streams_;
};

}  // namespace crossmesh::proxy
