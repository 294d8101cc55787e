#include "harness/proxy/http_message.h"

#include "harness/proxy/body_tail.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <iterator>

namespace crossmesh::proxy {
namespace {

// RFC 9110 7.6.1 connection-specific fields, plus the framing this proxy re-computes.
constexpr std::array<std::string_view, 9> kHopByHop = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding",  "te",
    "trailer",    "upgrade",    "content-length",   "proxy-authenticate",
};

bool IsHopByHop(std::string_view name) {
  return std::any_of(kHopByHop.begin(), kHopByHop.end(),
                     [&](std::string_view hop) { return EqualsIgnoreCase(hop, name); });
}

std::string_view Find(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const HttpHeader& header : headers) {
    if (EqualsIgnoreCase(header.name, name)) return header.value;
  }
  return {};
}

void Set(std::vector<HttpHeader>& headers, std::string_view name, std::string value) {
  for (HttpHeader& header : headers) {
    if (EqualsIgnoreCase(header.name, name)) {
      header.value = std::move(value);
      return;
    }
  }
  headers.push_back({std::string(name), std::move(value)});
}

void AppendHeaders(std::string& out, const std::vector<HttpHeader>& headers) {
  for (const HttpHeader& header : headers) {
    if (IsHopByHop(header.name)) continue;
    out += header.name;
    out += ": ";
    out += header.value;
    out += "\r\n";
  }
}

// The fields of a switch of protocols (an upgrade asked for, or its 101): Connection names
// only the upgrade, whatever else the message's own Connection said.
void AppendUpgrade(std::string& out, std::string_view protocol) {
  out += "connection: upgrade\r\nupgrade: ";
  out += protocol;
  out += "\r\n";
}

bool BodyForbidden(unsigned status) { return status < 200 || status == 204 || status == 304; }

// Heads are built per message on the hot path: plain appends (fmt's formatting into a string
// showed in profiles at a few percent of a sidecar's user time).
void AppendNumber(std::string& out, uint64_t value, int base = 10) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value, base).ptr;
  out.append(digits.data(), end);
}

void AppendLength(std::string& out, uint64_t length) {
  out += "content-length: ";
  AppendNumber(out, length);
  out += "\r\n";
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const { return Find(headers, name); }

bool HttpRequest::HasHeader(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const HttpHeader& header) { return EqualsIgnoreCase(header.name, name); });
}

void HttpRequest::SetHeader(std::string_view name, std::string value) {
  Set(headers, name, std::move(value));
}

std::string_view HttpRequest::Path() const {
  std::string_view view = target;
  return view.substr(0, view.find('?'));
}

std::string_view HttpResponse::Header(std::string_view name) const { return Find(headers, name); }

void HttpResponse::SetHeader(std::string_view name, std::string value) {
  Set(headers, name, std::move(value));
}

size_t HttpRequest::BodyBytes() const {
  return body.size() + (tail ? tail->size() : 0) + pipe_bytes;
}

bool HttpRequest::MakeOriginForm() {
  if (target.starts_with('/') || method == "CONNECT" || (method == "OPTIONS" && target == "*")) {
    return true;
  }
  const size_t scheme_end = target.find("://");
  if (scheme_end == std::string::npos) return false;
  const std::string_view scheme(target.data(), scheme_end);
  if (!EqualsIgnoreCase(scheme, "http") && !EqualsIgnoreCase(scheme, "https")) return false;

  const size_t authority_start = scheme_end + 3;
  const size_t authority_end =
      std::min(target.find_first_of("/?#", authority_start), target.size());
  std::string authority = target.substr(authority_start, authority_end - authority_start);
  if (authority.empty() || authority.find('@') != std::string::npos) return false;
  std::string path = target.substr(authority_end);
  if (!path.starts_with('/')) path.insert(0, "/");

  // Routes read the Host: left as it was, an app reading the target would see another host
  // than the one the request was routed by.
  SetHeader("host", std::move(authority));
  target = std::move(path);
  return true;
}

namespace {

// RFC 3986's reg-name and IP-literal characters, and a port of up to five digits.
bool ValidAuthority(std::string_view authority) {
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return false;
    if (!rest.empty()) port = rest.substr(1);
    const bool ip_literal = !host.empty() && host.find_first_not_of("0123456789abcdefABCDEF:.") ==
                                                 std::string_view::npos;
    if (!ip_literal) return false;
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    const bool reg_name = std::all_of(host.begin(), host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             std::string_view("-._~!$&'()*+,;=%").find(c) != std::string_view::npos;
    });
    if (host.empty() || !reg_name) return false;
  }
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  return port.empty() || std::stoi(std::string(port)) <= 65535;
}

}  // namespace

std::optional<std::pair<unsigned, std::string>> HttpRequest::Problem() const {
  if (method == "CONNECT") {
    return std::pair{501u, std::string("CONNECT is not supported: the sidecar opens no tunnels")};
  }
  if (target.find('#') != std::string::npos) {
    return std::pair{400u, std::string("the request target holds a fragment ('#'), which "
                                       "clients keep to themselves")};
  }
  if (HasHeader("host") && !ValidAuthority(Header("host"))) {
    return std::pair{
        400u, "the Host '" + std::string(Header("host")) + "' is not a host with an optional port"};
  }
  return std::nullopt;
}

bool HttpRequest::BodyLengthKnown() const {
  if (body_pipe) return DeclaredLength().has_value();  // an HTTP/2 body tells it, or not
  return !tail || tail->length_known();
}

std::optional<size_t> HttpRequest::DeclaredLength() const {
  const std::string_view text = Header("content-length");
  size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

size_t HttpResponse::BodyBytes() const { return body.size() + (tail ? tail->size() : 0); }

bool HttpResponse::BodyLengthKnown() const { return !tail || tail->length_known(); }

void AppendChunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  AppendNumber(out, data.size(), 16);
  out += "\r\n";
  out += data;
  out += "\r\n";
}

HttpResponse LocalReply(unsigned status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.push_back({"content-type", "text/plain"});
  response.headers.push_back({"server", "envoy"});
  response.body = std::move(body);
  response.local = true;
  return response;
}

std::string SerializeRequest(const HttpRequest& request) {
  std::string out;
  out.reserve(256 + request.body.size());
  out += request.method;
  out += ' ';
  out += request.target;
  // Always HTTP/1.1, as Envoy sends upstream whatever its client spoke: an HTTP/1.0 request
  // passed on as such met the next sidecar's 426.
  out += " HTTP/1.1\r\n";
  AppendHeaders(out, request.headers);
  // An upgrade's Connection names it alone: the connection's fate is the switch's.
  const bool closing = !request.keep_alive && request.upgrade.empty();
  if (!request.upgrade.empty()) AppendUpgrade(out, request.upgrade);
  if (!request.BodyLengthKnown()) {
    out += "transfer-encoding: chunked\r\n";
    if (closing) out += "connection: close\r\n";
    out += "\r\n";
    AppendChunk(out, request.body);  // the rest follows in chunks of its own (BodyTail)
    return out;
  }
  const bool needs_length = request.BodyBytes() > 0 || request.method == "POST" ||
                            request.method == "PUT" || request.method == "PATCH";
  if (needs_length) AppendLength(out, request.BodyBytes());
  if (closing) out += "connection: close\r\n";
  out += "\r\n";
  out += request.body;
  return out;
}

std::string SerializeResponseHead(const HttpResponse& response, bool head_request,
                                  size_t& body_bytes) {
  std::string out;
  out.reserve(256);
  std::string_view reason =
      response.reason.empty() ? ReasonPhrase(response.status) : std::string_view(response.reason);
  out += "HTTP/1.1 ";
  AppendNumber(out, response.status);
  out += ' ';
  out += reason;
  out += "\r\n";
  AppendHeaders(out, response.headers);
  if (!response.BodyLengthKnown() && !head_request && !BodyForbidden(response.status)) {
    if (response.keep_alive) out += "transfer-encoding: chunked\r\n";
  } else if (!BodyForbidden(response.status)) {
    // An answer to HEAD carries no body but tells the length a GET would get, as it came, or
    // no length when it told none (a chunked resource).
    const std::string_view told = response.Header("content-length");
    const bool from_upstream = head_request && response.BodyBytes() == 0;
    if (!from_upstream) {
      AppendLength(out, response.BodyBytes());
    } else if (!told.empty()) {
      out += "content-length: ";
      out += told;
      out += "\r\n";
    }
  }
  if (!response.upgrade.empty()) {
    AppendUpgrade(out, response.upgrade);
  } else if (!response.keep_alive) {
    out += "connection: close\r\n";
  } else if (response.announce_keep_alive) {
    out += "connection: keep-alive\r\n";
  }
  out += "\r\n";
  body_bytes = head_request || BodyForbidden(response.status) ? 0 : response.body.size();
  return out;
}

std::string SerializeResponse(const HttpResponse& response, bool head_request) {
  size_t body_bytes = 0;
  std::string out = SerializeResponseHead(response, head_request, body_bytes);
  out.append(response.body, 0, body_bytes);
  return out;
}

std::string_view ReasonPhrase(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 101:
      return "Switching Protocols";
    case 403:
      return "Forbidden";
    case 405:
      return "Method Not Allowed";
    case 429:
      return "Too Many Requests";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 426:
      return "Upgrade Required";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace crossmesh::proxy
