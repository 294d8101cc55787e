// PeerProgress: whether a connection's peer has taken bytes since the last look, read from
// the kernel (the bytes it acknowledged, tcp_acked.h). An idle watch asks it before giving up,
// so a client reading a large answer slowly is not taken for a silent one while a write to it
// waits (the stall Envoy's stream idle timer is known for, envoyproxy/envoy#34035).
#pragma once

#include <cstdint>

#include "harness/proxy/byte_stream.h"

namespace crossmesh::proxy {

class PeerProgress {
 public:
  // Starts counting from what the peer has acknowledged so far.
  explicit PeerProgress(ByteStream& stream);

  // True when the peer has acknowledged bytes since the last call (or the construction). A
  // closed socket, or one whose counters cannot be read, has made no progress.
  bool Moved();

 private:
  ByteStream& stream_;
  uint64_t acked_ = 0;
};

}  // namespace crossmesh::proxy
