// Whether a host names this machine's loopback interface: crossmesh talks to nothing else.
#pragma once

#include <string_view>

namespace crossmesh {

// "localhost", an IPv4 address in 127.0.0.0/8, or ::1. Names are not resolved: anything else,
// including a name that would resolve to loopback, is not.
bool IsLoopbackHost(std::string_view host);

}  // namespace crossmesh
