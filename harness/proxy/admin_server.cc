#include "harness/proxy/admin_server.h"

#include <re2/re2.h>

#include <charconv>

#include "emulator/core/clock.h"
#include "emulator/core/json_dump.h"
#include "emulator/core/loopback.h"
#include "harness/proxy/certs_report.h"
#include "harness/proxy/config_json.h"
#include "harness/proxy/http_downstream.h"

namespace crossmesh::proxy {
namespace {

using nlohmann::json;

json FactsJson(const std::optional<CertificateFacts>& facts) {
  if (!facts) return nullptr;
  return {{"subject", facts->subject},
          {"issuer", facts->issuer},
          {"serial", facts->serial_hex},
          {"dns_sans", facts->dns_sans},
          {"not_after", FormatIso8601(facts->not_after)}};
}

std::string QueryValue(std::string_view target, std::string_view key) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.starts_with(key) && pair.size() > key.size() && pair[key.size()] == '=') {
      return std::string(pair.substr(key.size() + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// A query value with its %XX escapes decoded, as Envoy reads its admin queries: a regex's
// brackets and backslashes arrive escaped from most clients. A '%' not followed by two hex
// digits stays as it is.
std::string PercentDecoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
            text.data() + i + 3) {
      out += static_cast<char>(value);
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

// `text` with every byte outside printable ASCII as \xNN: a decoded filter may hold bytes
// that are not text (%FF), which a reply must not carry raw.
std::string Printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  return out;
}

HttpResponse JsonReply(const json& body) {
  HttpResponse response = LocalReply(200, DumpJson(body, 2));
  response.SetHeader("content-type", "application/json");
  return response;
}

// `?filter=` is a regular expression a stat's name must contain a match of, as Envoy's (RE2
// here, as Envoy's safe_regex: linear time whatever the pattern).
HttpResponse StatsPage(ProxyCore& core, const HttpRequest& request) {
  const std::string filter = PercentDecoded(QueryValue(request.target, "filter"));
  const re2::RE2 pattern(filter, re2::RE2::Quiet);
  if (!pattern.ok()) {
    return LocalReply(400, fmt::format("filter '{}' is not a regular expression (RE2 syntax): {}; "
                                       "escape '.', '[' and '(' with '\\' to match them as "
                                       "they are\n",
                                       Printable(filter), Printable(pattern.error())));
  }
  const auto keep = [&filter, &pattern](const std::string& name) {
    return filter.empty() || re2::RE2::PartialMatch(name, pattern);
  };
  const std::string format = QueryValue(request.target, "format");
  if (!format.empty() && format != "json" && format != "text") {
    return LocalReply(400, fmt::format("format '{}' is not offered; ask for format=json, or "
                                       "leave it out for text\n",
                                       format));
  }
  if (format == "json") {
    json stats = json::array();
    for (const auto& [name, value] : core.stats().Snapshot()) {
      if (keep(name)) stats.push_back({{"name", name}, {"value", value}});
    }
    return JsonReply({{"stats", std::move(stats)}});
  }
  return LocalReply(200, core.stats().RenderText(keep));
}

HttpResponse Dispatch(ProxyCore& core, const HttpRequest& request) {
  // A web page the user has open can reach loopback too, through a DNS name rebound to
  // 127.0.0.1 (its Host) or by a script (its Origin): /config_dump and /handshakes are not
  // for it to read.
  for (const char* header : {"host", "origin"}) {
    const std::string_view value = request.Header(header);
    if (request.HasHeader(header) && !IsLoopbackAuthority(value)) {
      return LocalReply(403, fmt::format("{} '{}' is not loopback; the admin pages answer "
                                         "loopback callers only\n",
                                         header, value));
    }
  }
  // Every page only reads: a POST or DELETE that seemed to work would mislead.
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse refused = LocalReply(
        405, "method " + request.method + " not allowed; the admin pages are read with GET\n");
    refused.SetHeader("allow", "GET, HEAD");
    return refused;
  }
  const std::string_view path = request.Path();
  auto snapshot = core.snapshot();
  if (path == "/stats") return StatsPage(core, request);
  if (path == "/certs") return JsonReply(CertsJson(*snapshot));
  if (path == "/config_dump") return JsonReply(ConfigToJson(snapshot->config));
  if (path == "/handshakes") return JsonReply(HandshakesJson(core.handshakes().Records()));
  if (path == "/ready") return LocalReply(200, "LIVE\n");
  return LocalReply(404, "invalid path; try /stats, /certs, /config_dump, /handshakes, /ready\n");
}

}  // namespace

json HandshakesJson(const std::vector<HandshakeRecord>& records) {
  json out = json::array();
  for (const HandshakeRecord& record : records) {
    out.push_back({{"sequence", record.sequence},
                   {"at", FormatIso8601(record.at)},
                   {"proxy", record.proxy},
                   {"side", record.side == HandshakeSide::kServer ? "server" : "client"},
                   {"scope", record.scope},
                   {"local_address", record.local_address},
                   {"peer_address", record.peer_address},
                   {"ok", record.ok},
                   {"failure", record.failure},
                   {"version", record.version},
                   {"cipher", record.cipher},
                   {"session_reused", record.session_reused},
                   {"local_certificate", FactsJson(record.local_certificate)},
                   {"peer_certificate", FactsJson(record.peer_certificate)},
                   {"client_certificate_presented", record.client_certificate_presented}});
  }
  return out;
}

asio::awaitable<void> ServeAdmin(std::shared_ptr<ProxyCore> core, tcp::socket socket) {
  auto stream = std::make_shared<PlainStream>(std::move(socket));
  auto token = core->connections().Add(stream);
  HttpLimits limits;
  limits.max_body_bytes = size_t{64} * 1024;
  limits.idle_timeout = std::chrono::seconds(30);
  HttpReader reader(limits);
  HttpStats stats(StatScope(core->stats(), "http.admin."));
  Watchdog idle(co_await asio::this_coro::executor);
  for (;;) {
    HttpRequest request;
    if (!co_await NextRequest(*stream, reader, stats, limits.idle_timeout, idle, request)) break;
    HttpResponse response = Dispatch(*core, request);
    response.keep_alive = request.keep_alive && !core->stopping();
    if (!co_await SendResponse(*stream, response, request.method == "HEAD")) break;
  }
  stream->Close();
}

}  // namespace crossmesh::proxy
