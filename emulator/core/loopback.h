// Whether a host names this machine's loopback interface: crossmesh talks to nothing else.
#pragma once

#include <string_view>

namespace crossmesh {

// "localhost" (any case), an IPv4 address in 127.0.0.0/8, or ::1. Names are not resolved:
// anything else, including a name that would resolve to loopback ("localhost."), is not.
bool IsLoopbackHost(std::string_view host);

// Whether an Origin ("http://host:port") or Host ("host:port", "[::1]:80") header names
// loopback: its host, with nothing but a port after it ("127.0.0.1:1@evil.example" names
// evil.example to some parsers, so it does not).
bool IsLoopbackAuthority(std::string_view value);

}  // namespace crossmesh
