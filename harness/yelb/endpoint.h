// Endpoint: a loopback host:port that a Yelb piece listens on or connects to, and the helpers
// that keep every address inside 127.0.0.0/8 (crossmesh never touches a real network).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "emulator/core/status.h"

namespace crossmesh::yelb {

struct Endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 0;

  std::string ToString() const;  // "127.0.2.4:5432"
  bool operator==(const Endpoint&) const = default;
};

// Parses "HOST:PORT" (an IPv4 loopback address and a port 1-65535).
Result<Endpoint> ParseEndpoint(std::string_view text);

// Fails with InvalidConfiguration unless `address` is an IPv4 loopback address.
Status RequireLoopback(const std::string& address);

}  // namespace crossmesh::yelb
