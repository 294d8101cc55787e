// Plain HTTP request and reply values that the Yelb apps' handlers see, so that only the
// listener and the upstream client include Beast (one Beast translation unit costs ~30 s).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crossmesh::yelb {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // "/api/getvotes?x=1"
  HttpHeaders headers;
  std::string body;
  std::string remote;  // the peer's address

  // The target without its query string.
  std::string_view Path() const {
    std::string_view t(target);
    return t.substr(0, t.find('?'));
  }
};

struct HttpReply {
  int status = 200;
  HttpHeaders headers;  // Content-Length is computed; Connection is the listener's business
  std::string body;
};

}  // namespace crossmesh::yelb
