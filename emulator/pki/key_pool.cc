#include "emulator/pki/key_pool.h"

#include <spdlog/spdlog.h>

namespace crossmesh::pki {

KeyPool::KeyPool(Options options) : options_(std::move(options)) {
  for (KeyAlgorithm algorithm : options_.algorithms) ready_[algorithm];
  worker_ = std::thread([this] { Run(); });
}

KeyPool::~KeyPool() { Stop(); }

void KeyPool::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_worker_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Result<PrivateKey> KeyPool::Take(KeyAlgorithm algorithm) {
  {
    std::lock_guard lock(mutex_);
    auto pooled = ready_.find(algorithm);
    if (pooled != ready_.end() && !pooled->second.empty()) {
      PrivateKey key = std::move(pooled->second.front());
      pooled->second.pop_front();
      wake_worker_.notify_one();
      return key;
    }
  }
  return PrivateKey::Generate(algorithm);
}

size_t KeyPool::Available(KeyAlgorithm algorithm) const {
  std::lock_guard lock(mutex_);
  auto pooled = ready_.find(algorithm);
  return pooled == ready_.end() ? 0 : pooled->second.size();
}

bool KeyPool::WaitUntilFull(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return key_added_.wait_for(lock, timeout, [this] { return FullLocked(); });
}

std::optional<KeyAlgorithm> KeyPool::NextToFill() const {
  // The emptiest algorithm first, so one slow algorithm (RSA-4096) cannot starve the others.
  std::optional<KeyAlgorithm> next;
  size_t fewest = options_.keys_per_algorithm;
  for (const auto& [algorithm, keys] : ready_) {
    if (keys.size() < fewest) {
      fewest = keys.size();
      next = algorithm;
    }
  }
  return next;
}

bool KeyPool::FullLocked() const { return !NextToFill().has_value(); }

void KeyPool::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_worker_.wait(lock, [this] { return stopping_ || NextToFill().has_value(); });
    if (stopping_) return;
    const KeyAlgorithm algorithm = *NextToFill();

    // Generate without the lock so Take never waits behind a key generation.
    lock.unlock();
    Result<PrivateKey> key = PrivateKey::Generate(algorithm);
    lock.lock();

    if (!key.ok()) {
      // Take still works synchronously; back off rather than spin on a broken generator.
      spdlog::warn("key pool generation failed: {}", key.status().ToString());
      wake_worker_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
      continue;
    }
    ready_[algorithm].push_back(std::move(*key));
    key_added_.notify_all();
  }
}

}  // namespace crossmesh::pki
