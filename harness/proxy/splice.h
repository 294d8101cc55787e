// Splice: the TCP proxy's data path. Copies bytes both ways between two connections until both
// directions have ended, passing each end of stream on as a half-close, and counts the bytes.
// An error in either direction (reset, TLS failure) closes both connections.
#pragma once

#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/stats.h"

namespace crossmesh::proxy {

struct SpliceCounters {
  Counter* a_to_b = nullptr;  // bytes read from `a` and written to `b`
  Counter* b_to_a = nullptr;
};

// Both streams must live on the calling coroutine's strand.
asio::awaitable<void> Splice(std::shared_ptr<ByteStream> a, std::shared_ptr<ByteStream> b,
                             SpliceCounters counters);

}  // namespace crossmesh::proxy
