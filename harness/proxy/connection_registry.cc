#include "harness/proxy/connection_registry.h"

#include <boost/asio/post.hpp>
#include <utility>
#include <vector>

namespace crossmesh::proxy {

ConnectionRegistry::Token::~Token() {
  if (registry_ != nullptr) registry_->Remove(id_);
}

ConnectionRegistry::Token::Token(Token&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

ConnectionRegistry::Token& ConnectionRegistry::Token::operator=(Token&& other) noexcept {
  if (this != &other) {
    if (registry_ != nullptr) registry_->Remove(id_);
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

ConnectionRegistry::Token ConnectionRegistry::Add(const std::shared_ptr<ByteStream>& stream) {
  std::lock_guard lock(mutex_);
  const uint64_t id = next_id_++;
  streams_[id] = stream;
  return {this, id};
}

void ConnectionRegistry::Remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  streams_.erase(id);
}

void ConnectionRegistry::CloseAll() {
  std::vector<std::shared_ptr<ByteStream>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : streams_) {
      if (auto stream = weak.lock()) open.push_back(std::move(stream));
    }
  }
  for (auto& stream : open) {
    auto executor = stream->socket().get_executor();
    asio::post(executor, [stream] { stream->Close(); });
  }
}

size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return streams_.size();
}

}  // namespace crossmesh::proxy
