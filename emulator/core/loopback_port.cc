#include "emulator/core/loopback_port.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace crossmesh {
namespace {

constexpr uint16_t kLowest = 10000;
constexpr int kTries = 200;

// The first port of the kernel's ephemeral range (32768 unless configured otherwise).
uint16_t EphemeralStart() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned first = 32768;
  in >> first;
  return static_cast<uint16_t>(first);
}

bool Bindable(sockaddr_in address, uint16_t port) {
  address.sin_port = htons(port);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

// The kernel's choice (bind to port 0): for machines whose ephemeral range leaves no room.
Result<uint16_t> KernelPort(sockaddr_in address, const std::string& text) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error("InternalFailure", fmt::format("socket(): {}", std::strerror(errno)));
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const int bind_errno = errno;
  ::close(fd);
  if (!bound) {
    return Error("InvalidConfiguration",
                 fmt::format("no free port on {}: {}", text, std::strerror(bind_errno)));
  }
  return static_cast<uint16_t>(ntohs(address.sin_port));
}

}  // namespace

Result<uint16_t> PickLoopbackPort(const std::string& address) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1 ||
      (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
    return Error("InvalidConfiguration",
                 fmt::format("{} is not an IPv4 loopback address (127.0.0.0/8)", address));
  }
  const uint16_t end = EphemeralStart();
  if (end <= kLowest + kTries) return KernelPort(sa, address);

  thread_local std::mt19937 random{std::random_device{}()};
  const uint16_t span = end - kLowest;
  uint16_t port = static_cast<uint16_t>(kLowest + random() % span);
  for (int i = 0; i < kTries; ++i) {
    if (Bindable(sa, port)) return port;
    port = port + 1 < end ? static_cast<uint16_t>(port + 1) : kLowest;
  }
  return KernelPort(sa, address);
}

}  // namespace crossmesh
