// Header blocks between HttpRequest/HttpResponse and HTTP/2: pseudo-headers, lower-case
// names, and the connection-specific headers HTTP/2 forbids (RFC 9113 8.2.2) left out.
#pragma once

#include <nghttp2/nghttp2.h>

#include <string>
#include <string_view>
#include <vector>

#include "harness/proxy/http_message.h"

namespace crossmesh::proxy {

// Name/value pairs that own their text, and the nghttp2 view of them (valid while both live).
class H2HeaderBlock {
 public:
  void Add(std::string_view name, std::string_view value);
  std::vector<nghttp2_nv> View() const;
  const std::vector<HttpHeader>& fields() const { return fields_; }

 private:
  std::vector<HttpHeader> fields_;
};

// :method, :scheme, :authority (the Host header), :path, then the other headers.
H2HeaderBlock RequestBlock(const HttpRequest& request);
// :status, then the headers.
H2HeaderBlock ResponseBlock(const HttpResponse& response);
H2HeaderBlock TrailerBlock(const std::vector<HttpHeader>& trailers);

// Applies one received request header; pseudo-headers fill the request line and Host.
void AddRequestField(HttpRequest& request, std::string_view name, std::string_view value);

// True for headers that must not cross into HTTP/2 (connection-specific, or Host, which
// becomes :authority). `te` passes only as "trailers".
bool IsConnectionSpecific(std::string_view name, std::string_view value);

}  // namespace crossmesh::proxy
