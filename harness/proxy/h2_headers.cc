#include "harness/proxy/h2_headers.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace crossmesh::proxy {
namespace {

std::string LowerName(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

nghttp2_nv Nv(const HttpHeader& field) {
  // nghttp2 copies names and values on submit, so pointers into `fields_` are enough.
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(field.name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(field.value.data())),
                    field.name.size(), field.value.size(), NGHTTP2_NV_FLAG_NONE};
}

void AddFields(H2HeaderBlock& block, const std::vector<HttpHeader>& headers) {
  for (const HttpHeader& header : headers) {
    if (IsConnectionSpecific(header.name, header.value)) continue;
    block.Add(LowerName(header.name), header.value);
  }
}

}  // namespace

void H2HeaderBlock::Add(std::string_view name, std::string_view value) {
  fields_.push_back({std::string(name), std::string(value)});
}

std::vector<nghttp2_nv> H2HeaderBlock::View() const {
  std::vector<nghttp2_nv> out;
  out.reserve(fields_.size());
  for (const HttpHeader& field : fields_) out.push_back(Nv(field));
  return out;
}

bool IsConnectionSpecific(std::string_view name, std::string_view value) {
  static constexpr std::array<std::string_view, 7> kForbidden = {
      "connection",     "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
      "http2-settings", "host"};
  for (std::string_view forbidden : kForbidden) {
    if (EqualsIgnoreCase(name, forbidden)) return true;
  }
  return EqualsIgnoreCase(name, "te") && !EqualsIgnoreCase(value, "trailers");
}

H2HeaderBlock RequestBlock(const HttpRequest& request) {
  H2HeaderBlock block;
  block.Add(":method", request.method);
  block.Add(":scheme", "http");
  std::string_view host = request.Header("host");
  block.Add(":authority", host.empty() ? std::string_view("localhost") : host);
  block.Add(":path", request.target.empty() ? std::string_view("/") : request.target);
  AddFields(block, request.headers);
  return block;
}

H2HeaderBlock ResponseBlock(const HttpResponse& response) {
  H2HeaderBlock block;
  block.Add(":status", std::to_string(response.status));
  AddFields(block, response.headers);
  return block;
}

H2HeaderBlock TrailerBlock(const std::vector<HttpHeader>& trailers) {
  H2HeaderBlock block;
  AddFields(block, trailers);
  return block;
}

void AddRequestField(HttpRequest& request, std::string_view name, std::string_view value) {
  if (name == ":method") {
    request.method = value;
  } else if (name == ":path") {
    request.target = value;
  } else if (name == ":authority") {
    if (!request.HasHeader("host")) request.headers.push_back({"host", std::string(value)});
  } else if (name == "host" && request.HasHeader("host")) {
    // :authority comes first (pseudo-headers lead) and wins: one Host reaches the app, the
    // one the request was routed by (RFC 9113 8.3.1), never a second that disagrees.
  } else if (name == "cookie") {
    // HTTP/2 clients send each cookie as a field of its own; an HTTP/1.1 app reads one Cookie
    // header, so they are joined with "; " (RFC 9113 8.2.3), as Envoy does.
    for (HttpHeader& header : request.headers) {
      if (header.name != "cookie") continue;
      header.value.append("; ").append(value);
      return;
    }
    request.headers.push_back({std::string(name), std::string(value)});
  } else if (!name.starts_with(':')) {
    request.headers.push_back({std::string(name), std::string(value)});
  }
}

}  // namespace crossmesh::proxy
