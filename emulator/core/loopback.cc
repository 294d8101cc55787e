#include "emulator/core/loopback.h"

#include <arpa/inet.h>

#include <algorithm>
#include <string>

namespace crossmesh {

bool IsLoopbackHost(std::string_view host) {
  // Host names are case-insensitive ("LOCALHOST"); "localhost." is refused all the same, as
  // a name a resolver would be asked about.
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  if (host.size() == 9 && std::equal(host.begin(), host.end(), "localhost",
                                     [&lower](char a, char b) { return lower(a) == b; })) {
    return true;
  }
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

namespace {

// The host of `value`, "" when anything but a port follows it.
std::string_view HostPart(std::string_view value) {
  if (const size_t scheme = value.find("://"); scheme != std::string_view::npos) {
    value.remove_prefix(scheme + 3);
  }
  std::string_view host;
  std::string_view rest;
  if (value.starts_with('[')) {
    const size_t close = value.find(']');
    if (close == std::string_view::npos) return {};
    host = value.substr(1, close - 1);
    rest = value.substr(close + 1);
  } else {
    const size_t colon = value.find(':');
    host = value.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : value.substr(colon);
  }
  if (rest.empty()) return host;
  const std::string_view port = rest.substr(1);
  const bool is_port = rest[0] == ':' && !port.empty() && port.size() <= 5 &&
                       port.find_first_not_of("0123456789") == std::string_view::npos;
  return is_port ? host : std::string_view();
}

}  // namespace

bool IsLoopbackAuthority(std::string_view value) { return IsLoopbackHost(HostPart(value)); }

}  // namespace crossmesh
