// The pool of pre-generated private keys ACM hands to new and renewed certificates.
//
// One pool serves the whole process: every Emulator in it (tests start many) shares a single
// background generator instead of each filling its own. A key is handed out once and never
// kept, so sharing the pool never shares a key. The pool starts on first use, so a process that
// never requests a certificate never generates keys.
#pragma once

#include <functional>

#include "emulator/core/status.h"
#include "emulator/pki/key_pool.h"

namespace crossmesh::acm {

// The process's pool, created with the configured options (by default KeyPool::Options{}) on
// the first call.
pki::KeyPool& SharedKeyPool();

// Takes keys from SharedKeyPool(), starting it on the first key: the KeySource of
// CertificateManager everywhere but in tests that want keys of their own.
std::function<Result<pki::PrivateKey>(pki::KeyAlgorithm)> PooledKeys();

// Sets the options of the pool before it exists, e.g. a larger pool for a benchmark.
// InvalidStateException once SharedKeyPool() has been called.
Status ConfigureSharedKeyPool(pki::KeyPool::Options options);

}  // namespace crossmesh::acm
