#include "harness/proxy/route_table.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>

namespace crossmesh::proxy {
namespace {

// RE2, as Envoy's safe_regex: a match takes time linear in the value and no recursion, so a
// long path or a pattern like "(a+)+$" cannot stall or crash the proxy.
Result<std::shared_ptr<const re2::RE2>> CompileRegex(const std::optional<std::string>& pattern,
                                                     const std::string& where) {
  if (!pattern) return std::shared_ptr<const re2::RE2>();
  auto compiled = std::make_shared<const re2::RE2>(*pattern, re2::RE2::Quiet);
  if (!compiled->ok()) {
    return Error(kInvalidConfiguration,
                 fmt::format("{}: regex '{}' does not compile: {} (RE2 syntax: no backreferences "
                             "or lookaround)",
                             where, *pattern, compiled->error()));
  }
  return compiled;
}

bool FullMatch(std::string_view value, const re2::RE2& regex) {
  return re2::RE2::FullMatch(re2::StringPiece(value.data(), value.size()), regex);
}

bool InRange(const IntRange& range, std::string_view value) {
  int64_t number = 0;
  const char* end = value.data() + value.size();
  auto [last, error] = std::from_chars(value.data(), end, number);
  return error == std::errc() && last == end && number >= range.start && number < range.end;
}

bool IsHost(std::string_view name) {
  return name.size() == 4 && std::equal(name.begin(), name.end(), "host", [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

bool HeaderMatches(const HeaderMatch& match, const std::shared_ptr<const re2::RE2>& regex,
                   const HttpRequest& request, std::optional<std::string_view> host) {
  const bool rewritten_host = host && IsHost(match.name);
  bool matched = rewritten_host || request.HasHeader(match.name);
  if (matched) {
    std::string_view value = rewritten_host ? *host : request.Header(match.name);
    if (match.exact) matched = value == *match.exact;
    if (match.prefix) matched = matched && value.starts_with(*match.prefix);
    if (match.suffix) matched = matched && value.ends_with(*match.suffix);
    if (regex) matched = matched && FullMatch(value, *regex);
    if (match.range) matched = matched && InRange(*match.range, value);
  }
  return matched != match.invert;
}

// The first value of `name` in the query ("a=1&b&c=2"); nullopt when absent.
std::optional<std::string_view> QueryValue(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
  }
  return std::nullopt;
}

bool QueryMatches(const std::vector<QueryParameterMatch>& matches, std::string_view target) {
  if (matches.empty()) return true;
  const size_t mark = target.find('?');
  const std::string_view query =
      mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1);
  for (const QueryParameterMatch& match : matches) {
    std::optional<std::string_view> value = QueryValue(query, match.name);
    if (!value || (match.exact && *value != *match.exact)) return false;
  }
  return true;
}

// App Mesh's prefix rewrite replaces the matched prefix, without doubling the slash between
// them: prefix "/chapter" rewritten to "/" takes "/chapter/1" to "/1" (virtual_gateways.md).
std::string RewrittenPath(const Route& route, std::string_view path) {
  const RouteRewrite& rewrite = *route.rewrite;
  if (rewrite.path) return *rewrite.path;
  const std::optional<std::string>& matched = route.match.prefix;
  if (!rewrite.prefix || !matched || !path.starts_with(*matched)) return std::string(path);
  std::string_view rest = path.substr(matched->size());
  if (rewrite.prefix->ends_with('/') && rest.starts_with('/')) rest.remove_prefix(1);
  return *rewrite.prefix + std::string(rest);
}

}  // namespace

Result<std::shared_ptr<const RouteTable>> RouteTable::Compile(
    const std::vector<VirtualService>& services) {
  std::shared_ptr<RouteTable> table(new RouteTable());
  for (const VirtualService& service : services) {
    auto compiled = std::make_unique<CompiledService>();
    compiled->service = service;
    for (const Route& route : compiled->service.routes) {
      const std::string where =
          fmt::format("virtual service {} route '{}'", service.name, route.name);
      if (route.targets.empty()) return Error(kInvalidConfiguration, where + " has no targets");
      CompiledRoute entry;
      entry.route = &route;
      Result<CompiledMatch> match = CompileMatch(route.match, where);
      if (!match.ok()) return match.status();
      entry.match = std::move(match).value();
      if (route.rewritten_match) {
        Result<CompiledMatch> rewritten = CompileMatch(*route.rewritten_match, where);
        if (!rewritten.ok()) return rewritten.status();
        entry.rewritten = std::move(rewritten).value();
      }
      compiled->routes.push_back(std::move(entry));
    }
    std::stable_sort(compiled->routes.begin(), compiled->routes.end(),
                     [](const CompiledRoute& a, const CompiledRoute& b) {
                       return a.route->priority < b.route->priority;
                     });
    table->services_.push_back(std::move(compiled));
  }
  return std::shared_ptr<const RouteTable>(std::move(table));
}

const VirtualService* RouteTable::FindService(std::string_view name) const {
  for (const auto& compiled : services_) {
    if (compiled->service.name == name) return &compiled->service;
  }
  return nullptr;
}

const VirtualService* RouteTable::FindByHost(std::string_view host) const {
  if (const VirtualService* exact = FindService(host)) return exact;
  const size_t colon = host.rfind(':');
  if (colon == std::string_view::npos || host.find(']') != std::string_view::npos) return nullptr;
  return FindService(host.substr(0, colon));
}

const RouteTable::CompiledService* RouteTable::Compiled(const VirtualService& service) const {
  for (const auto& compiled : services_) {
    if (&compiled->service == &service) return compiled.get();
  }
  return nullptr;
}

Result<RouteTable::CompiledMatch> RouteTable::CompileMatch(const RouteMatch& match,
                                                           const std::string& where) {
  CompiledMatch out;
  out.match = &match;
  Result<std::shared_ptr<const re2::RE2>> path = CompileRegex(match.path_regex, where);
  if (!path.ok()) return path.status();
  out.path_regex = std::move(path).value();
  for (const HeaderMatch& header : match.headers) {
    Result<std::shared_ptr<const re2::RE2>> regex = CompileRegex(header.regex, where);
    if (!regex.ok()) return regex.status();
    out.header_regex.push_back(std::move(regex).value());
  }
  return out;
}

bool RouteTable::Matches(const CompiledMatch& compiled, const MatchInput& input) {
  const RouteMatch& match = *compiled.match;
  const std::string_view path = input.path;
  if (match.prefix && !path.starts_with(*match.prefix)) return false;
  if (match.path_exact && path != *match.path_exact) return false;
  if (compiled.path_regex && !FullMatch(path, *compiled.path_regex)) return false;
  if (match.method && input.request->method != *match.method) return false;
  // A rewrite keeps the query, so the request's own is the one to check.
  if (!QueryMatches(match.query_parameters, input.request->target)) return false;
  for (size_t i = 0; i < match.headers.size(); ++i) {
    if (!HeaderMatches(match.headers[i], compiled.header_regex[i], *input.request, input.host)) {
      return false;
    }
  }
  return true;
}

// A gateway route's pair: its target service route's match on the path and Host the gateway
// route's rewrite gives the request (its own match was checked on the request as received).
bool RouteTable::MatchesRewritten(const CompiledRoute& compiled, const HttpRequest& request) {
  if (!compiled.rewritten) return true;
  const Route& route = *compiled.route;
  if (!route.rewrite) {
    return Matches(*compiled.rewritten, {.request = &request, .path = request.Path(), .host = {}});
  }
  const std::string path = RewrittenPath(route, request.Path());
  std::optional<std::string_view> host;
  if (route.rewrite->host) host = *route.rewrite->host;
  return Matches(*compiled.rewritten, {.request = &request, .path = path, .host = host});
}

// Pairs of one gateway route sit next to each other (same priority, rendered in a row) and share
// its match and rewrite.
bool RouteTable::SameGatewayRoute(const Route& a, const Route& b) {
  return b.rewritten_match && a.priority == b.priority && a.match == b.match &&
         a.rewrite == b.rewrite;
}

// Envoy picks the gateway route first, then a route of its target service; when none of those
// matches the rewritten request the answer is 404, not the next gateway route.
const Route* RouteTable::Match(const VirtualService& service, const HttpRequest& request) const {
  const CompiledService* compiled = Compiled(service);
  if (compiled == nullptr) return nullptr;
  const Route* chosen = nullptr;  // the gateway route (its first pair) whose own match held
  for (const CompiledRoute& route : compiled->routes) {
    if (chosen != nullptr && !SameGatewayRoute(*chosen, *route.route)) break;
    if (!Matches(route.match, {.request = &request, .path = request.Path(), .host = {}})) {
      continue;
    }
    if (route.rewritten && chosen == nullptr) chosen = route.route;
    if (MatchesRewritten(route, request)) return route.route;
  }
  return nullptr;
}

const Route* RouteTable::FirstRoute(const VirtualService& service) const {
  const CompiledService* compiled = Compiled(service);
  if (compiled == nullptr || compiled->routes.empty()) return nullptr;
  return compiled->routes.front().route;
}

const WeightedTarget* RouteTable::PickTarget(const Route& route, uint64_t random) {
  uint64_t total = 0;
  for (const WeightedTarget& target : route.targets) total += target.weight;
  if (total == 0) return nullptr;
  uint64_t point = random % total;
  for (const WeightedTarget& target : route.targets) {
    if (point < target.weight) return &target;
    point -= target.weight;
  }
  return nullptr;
}

void RouteTable::ApplyRewrite(const Route& route, HttpRequest& request) {
  if (!route.rewrite) return;
  const std::string_view target = request.target;
  const size_t query = target.find('?');
  std::string rewritten = RewrittenPath(route, request.Path());
  if (query != std::string_view::npos) rewritten += target.substr(query);
  request.target = std::move(rewritten);
  if (route.rewrite->host) request.SetHeader("host", *route.rewrite->host);
}

uint64_t RandomForPick() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

}  // namespace crossmesh::proxy
