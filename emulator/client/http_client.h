// A small blocking HTTP/1.1 client for loopback endpoints: the crossmesh commands that talk to
// a running emulator (clock, apply, walkthrough) and the tests use it.
#pragma once

#include <string>

#include "emulator/core/status.h"
#include "emulator/protocol/wire.h"

namespace crossmesh {

struct Endpoint {
  std::string host;  // "127.0.0.1"
  std::string port;  // "4580"
  std::string HostHeader() const { return host + ":" + port; }
};

// Parses "http://127.0.0.1:4580" (path and trailing '/' ignored). Only http:// is accepted.
Result<Endpoint> ParseEndpointUrl(std::string_view url);

// The endpoint every command uses: --endpoint-url, else $CROSSMESH_ENDPOINT, else the default.
std::string ResolveEndpointUrl(const std::string& flag_value);
inline constexpr std::string_view kDefaultEndpointUrl = "http://127.0.0.1:4580";

// Sends one request (Host and Content-Length filled in) and reads the answer.
Result<WireResponse> SendHttp(const Endpoint& endpoint, const WireRequest& request,
                              int timeout_seconds = 30);

}  // namespace crossmesh
