// Splice: the TCP proxy's data path. Copies bytes both ways between two connections until both
// directions have ended, passing each end of stream on as a half-close, and counts the bytes.
// An error in either direction (reset, TLS failure) closes both connections.
#pragma once

#include <chrono>
#include <memory>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/stats.h"

namespace crossmesh::proxy {

struct SpliceCounters {
  Counter* a_to_b = nullptr;  // bytes read from `a` and written to `b`
  Counter* b_to_a = nullptr;
};

// Both streams must live on the calling coroutine's strand. A positive `idle_timeout` closes
// both connections once no byte has moved either way for that long (a TCP listener's idle
// timeout in App Mesh, Envoy's tcp_proxy idle_timeout).
asio::awaitable<void> Splice(std::shared_ptr<ByteStream> a, std::shared_ptr<ByteStream> b,
                             SpliceCounters counters,
                             std::chrono::milliseconds idle_timeout = std::chrono::milliseconds(0));

}  // namespace crossmesh::proxy
