#include "harness/proxy/peer_progress.h"

#include "harness/proxy/tcp_acked.h"

namespace crossmesh::proxy {
namespace {

uint64_t BytesAcked(ByteStream& stream) {
  tcp::socket& socket = stream.socket();
  return socket.is_open() ? BytesAckedByPeer(socket.native_handle()) : 0;
}

}  // namespace

PeerProgress::PeerProgress(ByteStream& stream) : stream_(stream), acked_(BytesAcked(stream)) {}

bool PeerProgress::Moved() {
  const uint64_t now = BytesAcked(stream_);
  const bool moved = now > acked_;
  if (moved) acked_ = now;
  return moved;
}

}  // namespace crossmesh::proxy
