#include "emulator/client/http_client.h"

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>

#include "emulator/core/loopback.h"

namespace crossmesh {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

Result<Endpoint> ParseEndpointUrl(std::string_view url) {
  auto invalid = [&](std::string_view why) {
    return Error("InvalidParameterValue",
                 fmt::format("endpoint URL '{}' {}; use the form http://127.0.0.1:4580", url, why));
  };
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return invalid("does not start with http://");
  std::string_view rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find('/'));

  Endpoint endpoint;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return invalid("has an unclosed '['");
    endpoint.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() == ':') endpoint.port = std::string(rest.substr(1));
  } else {
    size_t colon = rest.rfind(':');
    endpoint.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) endpoint.port = std::string(rest.substr(colon + 1));
  }
  if (endpoint.host.empty()) return invalid("has no host");
  // The emulator runs on this machine; a URL elsewhere is a typo that must not leave it.
  if (!IsLoopbackHost(endpoint.host)) {
    return invalid(
        fmt::format("names host '{}', which is not loopback (127.0.0.0/8, ::1 or "
                    "localhost)",
                    endpoint.host));
  }
  if (endpoint.port.empty()) endpoint.port = "80";
  return endpoint;
}

std::string ResolveEndpointUrl(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("CROSSMESH_ENDPOINT"); env && *env) return env;
  return std::string(kDefaultEndpointUrl);
}

Result<WireResponse> SendHttp(const Endpoint& endpoint, const WireRequest& request,
                              int timeout_seconds) {
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::error_code ec;

  auto unreachable = [&](std::string_view step) {
    return Error("EndpointUnreachable",
                 fmt::format("cannot {} http://{}: {}; is `crossmesh serve` running there? (see "
                             "--endpoint-url and CROSSMESH_ENDPOINT)",
                             step, endpoint.HostHeader(), ec.message()));
  };

  auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (ec) return unreachable("resolve");
  stream.expires_after(std::chrono::seconds(timeout_seconds));
  stream.connect(results, ec);
  if (ec) return unreachable("connect to");

  std::string target = request.path.empty() ? "/" : request.path;
  if (!request.query.empty()) target += "?" + request.query;
  http::request<http::string_body> out{http::string_to_verb(request.method), target, 11};
  for (const auto& [name, value] : request.headers) out.set(name, value);
  if (!request.Header("Host")) out.set(http::field::host, endpoint.HostHeader());
  out.body() = request.body;
  out.prepare_payload();

  http::write(stream, out, ec);
  if (ec) return unreachable("send to");
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) return unreachable("read the answer from");

  WireResponse response;
  auto& in = parser.get();
  response.status = static_cast<int>(in.result_int());
  for (const auto& field : in) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(in.body());
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return response;
}

}  // namespace crossmesh
