#include "emulator/acm/model/key_source.h"

#include <openssl/crypto.h>

#include <memory>
#include <mutex>

namespace crossmesh::acm {
namespace {

struct PoolHolder {
  std::mutex mutex;
  pki::KeyPool::Options options;
  std::unique_ptr<pki::KeyPool> pool;
};

PoolHolder& Holder() {
  // The holder's destructor stops and joins the worker. OpenSSL registers its own clean-up at
  // exit when first initialised; initialising it before the holder exists makes the worker stop
  // before OpenSSL is torn down, not after.
  static const bool openssl_ready = OPENSSL_init_crypto(0, nullptr) == 1;
  static PoolHolder holder;
  (void)openssl_ready;
  return holder;
}

}  // namespace

pki::KeyPool& SharedKeyPool() {
  PoolHolder& holder = Holder();
  std::lock_guard lock(holder.mutex);
  if (!holder.pool) holder.pool = std::make_unique<pki::KeyPool>(holder.options);
  return *holder.pool;
}

std::function<Result<pki::PrivateKey>(pki::KeyAlgorithm)> PooledKeys() {
  return [](pki::KeyAlgorithm algorithm) { return SharedKeyPool().Take(algorithm); };
}

Status ConfigureSharedKeyPool(pki::KeyPool::Options options) {
  PoolHolder& holder = Holder();
  std::lock_guard lock(holder.mutex);
  if (holder.pool) {
    return Error("InvalidStateException",
                 "the ACM key pool is already running; configure it before the first request");
  }
  holder.options = std::move(options);
  return Status::Ok();
}

}  // namespace crossmesh::acm
