// The bytes a TCP connection's peer has acknowledged, read from the kernel (TCP_INFO). Kept
// apart from Asio: linux/tcp.h, which has the field, cannot meet glibc's netinet/tcp.h.
#pragma once

#include <cstdint>

namespace crossmesh::proxy {

// 0 when `fd` is not an open TCP socket or the kernel predates the field (Linux 4.1).
uint64_t BytesAckedByPeer(int fd);

}  // namespace crossmesh::proxy
