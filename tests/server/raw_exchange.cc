#include "tests/server/raw_exchange.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <thread>

#include "emulator/client/http_client.h"

namespace crossmesh::testing {

std::string RawExchange(const std::string& url, const std::string& bytes, bool half_close,
                        std::chrono::milliseconds quiet_first) {
  auto endpoint = ParseEndpointUrl(url);
  REQUIRE(endpoint.ok());
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(endpoint->port)));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::this_thread::sleep_for(quiet_first);

  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early (oversized body): read what it said
    sent += static_cast<size_t>(n);
  }
  if (half_close) shutdown(fd, SHUT_WR);

  std::string answer;
  std::array<char, 4096> buffer{};
  for (ssize_t n; (n = recv(fd, buffer.data(), buffer.size(), 0)) > 0;) {
    answer.append(buffer.data(), static_cast<size_t>(n));
  }
  close(fd);
  return answer;
}

}  // namespace crossmesh::testing
