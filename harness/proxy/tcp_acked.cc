#include "harness/proxy/tcp_acked.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>

namespace crossmesh::proxy {

uint64_t BytesAckedByPeer(int fd) {
  if (fd < 0) return 0;

  tcp_info info{};
  socklen_t size = sizeof(info);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return 0;

  const socklen_t needed = offsetof(tcp_info, tcpi_bytes_acked) + sizeof(info.tcpi_bytes_acked);
  if (size < needed) return 0;
  return info.tcpi_bytes_acked;
}

}  // namespace crossmesh::proxy
