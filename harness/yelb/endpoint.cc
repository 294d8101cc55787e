#include "harness/yelb/endpoint.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace crossmesh::yelb {

namespace {

bool ToSockaddr(const std::string& address, sockaddr_in* out) {
  std::memset(out, 0, sizeof *out);
  out->sin_family = AF_INET;
  return inet_pton(AF_INET, address.c_str(), &out->sin_addr) == 1;
}

}  // namespace

std::string Endpoint::ToString() const { return fmt::format("{}:{}", host, port); }

Status RequireLoopback(const std::string& address) {
  sockaddr_in addr{};
  if (!ToSockaddr(address, &addr) || (ntohl(addr.sin_addr.s_addr) >> 24) != 127) {
    return Error("InvalidConfiguration",
                 fmt::format("'{}' is not an IPv4 loopback address; Yelb pieces run on "
                             "127.0.0.0/8 only (for example 127.0.2.4)",
                             address));
  }
  return Status::Ok();
}

Result<Endpoint> ParseEndpoint(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Error("InvalidConfiguration",
                 fmt::format("'{}' is not HOST:PORT (for example 127.0.2.4:5432)", text));
  }
  Endpoint endpoint;
  endpoint.host = std::string(text.substr(0, colon));
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return Error("InvalidConfiguration",
                 fmt::format("'{}' in '{}' is not a port between 1 and 65535", port_text, text));
  }
  endpoint.port = static_cast<uint16_t>(port);
  CM_RETURN_IF_ERROR(RequireLoopback(endpoint.host));
  return endpoint;
}

}  // namespace crossmesh::yelb
