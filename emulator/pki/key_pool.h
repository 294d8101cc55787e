// A pool of freshly generated private keys, filled ahead of time on a worker thread, so that
// ACM RequestCertificate can hand out an RSA-2048 key in well under 5 ms without weakening it.
// Each key is handed out once and never kept or reused by the pool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/keys.h"

namespace crossmesh::pki {

class KeyPool {
 public:
  struct Options {
    // The algorithms kept warm; Take of any other algorithm generates synchronously.
    std::vector<KeyAlgorithm> algorithms = {KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcPrime256v1,
                                            KeyAlgorithm::kEcSecp384r1};
    // Keys kept ready per algorithm; the worker refills to this after each Take.
    size_t keys_per_algorithm = 16;
  };

  // Starts the worker thread, which begins filling at once.
  explicit KeyPool(Options options);
  KeyPool() : KeyPool(Options{}) {}
  // Stops and joins the worker (waits for at most the key it is generating).
  ~KeyPool();

  KeyPool(const KeyPool&) = delete;
  KeyPool& operator=(const KeyPool&) = delete;
  KeyPool(KeyPool&&) = delete;
  KeyPool& operator=(KeyPool&&) = delete;

  // A pooled key of `algorithm` when one is ready, else one generated now on this thread.
  Result<PrivateKey> Take(KeyAlgorithm algorithm);

  // Keys ready for `algorithm` right now.
  size_t Available(KeyAlgorithm algorithm) const;

  // Blocks until every pooled algorithm holds keys_per_algorithm keys, or `timeout` passes.
  // True when full. For tests and benches that want warm pools before measuring.
  bool WaitUntilFull(std::chrono::milliseconds timeout) const;

  // Stops the worker and joins it. Take keeps working (synchronously once the pool drains).
  // Call from the owning thread (the destructor calls it too).
  // Idempotent.
  void Stop();

 private:
  void Run();
  // The next algorithm below target, or nullopt when all are full. Caller holds mutex_.
  std::optional<KeyAlgorithm> NextToFill() const;
  bool FullLocked() const;

  const Options options_;
  mutable std::mutex mutex_;
  // Signalled when a key is taken (room to refill) or Stop is called.
  std::condition_variable wake_worker_;
  // Signalled when the worker adds a key.
  mutable std::condition_variable key_added_;
  std::map<KeyAlgorithm, std::deque<PrivateKey>> ready_;
  bool stopping_ = false;
  std::thread worker_;  // last: starts after everything above is initialised
};

}  // namespace crossmesh::pki
