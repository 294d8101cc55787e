#include "harness/proxy/grpc_reply.h"

#include <fmt/format.h>

#include <charconv>
#include <string>

namespace crossmesh::proxy {
namespace {

// grpc-message is percent-encoded: everything outside printable ASCII, and '%' itself.
std::string GrpcPercentEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e || c == '%') {
      out += fmt::format("%{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int ParseGrpcStatus(std::string_view text) {
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return -1;
  return value;
}

}  // namespace

bool IsGrpcRequest(const HttpRequest& request) {
  std::string_view type = request.Header("content-type");
  constexpr std::string_view kGrpc = "application/grpc";
  if (type.size() < kGrpc.size() || !EqualsIgnoreCase(type.substr(0, kGrpc.size()), kGrpc)) {
    return false;
  }
  return type.size() == kGrpc.size() || type[kGrpc.size()] == '+' || type[kGrpc.size()] == ';';
}

unsigned GrpcStatusForHttp(unsigned http_status) {
  switch (http_status) {
    case 400:
      return 13;  // INTERNAL
    case 401:
      return 16;  // UNAUTHENTICATED
    case 403:
      return 7;  // PERMISSION_DENIED
    case 404:
      return 12;  // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return 14;  // UNAVAILABLE
    default:
      return 2;  // UNKNOWN
  }
}

HttpResponse GrpcLocalReply(const HttpResponse& reply) {
  HttpResponse out;
  out.status = 200;
  out.headers.push_back({"content-type", "application/grpc"});
  out.headers.push_back({"grpc-status", std::to_string(GrpcStatusForHttp(reply.status))});
  if (!reply.body.empty()) out.headers.push_back({"grpc-message", GrpcPercentEncode(reply.body)});
  out.headers.push_back({"server", "envoy"});
  out.keep_alive = reply.keep_alive;
  out.local = true;
  return out;
}

int GrpcStatusOf(const HttpResponse& response) {
  for (const HttpHeader& trailer : response.trailers) {
    if (EqualsIgnoreCase(trailer.name, "grpc-status")) return ParseGrpcStatus(trailer.value);
  }
  std::string_view header = response.Header("grpc-status");
  return header.empty() ? -1 : ParseGrpcStatus(header);
}

}  // namespace crossmesh::proxy
