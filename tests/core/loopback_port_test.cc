// PickLoopbackPort: ports for servers that bind later, kept out of the range the kernel gives
// outgoing connections.
#include "emulator/core/loopback_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

using namespace crossmesh;

namespace {

unsigned EphemeralStart() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned first = 32768;
  in >> first;
  return first;
}

bool BindsOn(const char* address, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, address, &sa.sin_addr);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return bound;
}

}  // namespace

TEST_CASE("A picked loopback port is free and below the kernel's ephemeral range") {
  for (int i = 0; i < 20; ++i) {
    Result<uint16_t> port = PickLoopbackPort("127.0.3.7");
    REQUIRE(port.ok());
    CHECK(*port >= 10000);
    CHECK(*port < EphemeralStart());
    CHECK(BindsOn("127.0.3.7", *port));
  }
}

TEST_CASE("Picking a port refuses an address that is not IPv4 loopback") {
  Result<uint16_t> remote = PickLoopbackPort("10.1.2.3");
  REQUIRE_FALSE(remote.ok());
  CHECK(remote.status().message() == "10.1.2.3 is not an IPv4 loopback address (127.0.0.0/8)");
  CHECK_FALSE(PickLoopbackPort("localhost").ok());
}
