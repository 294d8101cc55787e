// WireRequest / WireResponse: an HTTP exchange as plain data.
//
// The server (Beast) converts to and from these, so the api layers, SigV4 and the dispatcher
// never see Beast types and can be driven in-process or from tests without a socket.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crossmesh {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct WireRequest {
  std::string method;          // "GET", "POST", ...
  std::string path;            // raw path as received, still percent-encoded: "/v20190125/meshes"
  std::string query;           // raw query string without '?', still percent-encoded; "" if none
  HeaderList headers;          // names as received; look up with Header()
  std::string body;            // exact bytes as received
  std::string remote_address;  // peer IP as text ("127.0.0.1"); empty when in-process

  // Case-insensitive header lookup; nullptr when absent. With repeated headers, the first.
  const std::string* Header(std::string_view name) const;
  void SetHeader(std::string name, std::string value);
};

struct WireResponse {
  int status = 200;
  HeaderList headers;
  std::string body;

  const std::string* Header(std::string_view name) const;
  void SetHeader(std::string name, std::string value);
};

bool HeaderNameEquals(std::string_view a, std::string_view b);

}  // namespace crossmesh
