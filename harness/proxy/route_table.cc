#include "harness/proxy/route_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace crossmesh::proxy {
namespace {

Result<std::optional<std::regex>> CompileRegex(const std::optional<std::string>& pattern,
                                               const std::string& where) {
  if (!pattern) return std::optional<std::regex>();
  try {
    return std::optional<std::regex>(std::regex(*pattern, std::regex::ECMAScript));
  } catch (const std::regex_error& error) {
    return Error(kInvalidConfiguration,
                 fmt::format("{}: regex '{}' does not compile: {}", where, *pattern, error.what()));
  }
}

bool HeaderMatches(const HeaderMatch& match, const std::optional<std::regex>& regex,
                   const HttpRequest& request) {
  bool matched = request.HasHeader(match.name);
  if (matched) {
    std::string_view value = request.Header(match.name);
    if (match.exact) matched = value == *match.exact;
    if (match.prefix) matched = matched && value.starts_with(*match.prefix);
    if (match.suffix) matched = matched && value.ends_with(*match.suffix);
    if (regex) matched = matched && std::regex_match(value.begin(), value.end(), *regex);
  }
  return matched != match.invert;
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
      Result<std::optional<std::regex>> path = CompileRegex(route.match.path_regex, where);
      if (!path.ok()) return path.status();
      entry.path_regex = std::move(path).value();
      for (const HeaderMatch& header : route.match.headers) {
        Result<std::optional<std::regex>> regex = CompileRegex(header.regex, where);
        if (!regex.ok()) return regex.status();
        entry.header_regex.push_back(std::move(regex).value());
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

bool RouteTable::Matches(const CompiledRoute& compiled, const HttpRequest& request) {
  const RouteMatch& match = compiled.route->match;
  const std::string_view path = request.Path();
  if (match.prefix && !path.starts_with(*match.prefix)) return false;
  if (match.path_exact && path != *match.path_exact) return false;
  if (compiled.path_regex && !std::regex_match(path.begin(), path.end(), *compiled.path_regex)) {
    return false;
  }
  if (match.method && request.method != *match.method) return false;
  for (size_t i = 0; i < match.headers.size(); ++i) {
    if (!HeaderMatches(match.headers[i], compiled.header_regex[i], request)) return false;
  }
  return true;
}

const Route* RouteTable::Match(const VirtualService& service, const HttpRequest& request) const {
  const CompiledService* compiled = Compiled(service);
  if (compiled == nullptr) return nullptr;
  for (const CompiledRoute& route : compiled->routes) {
    if (Matches(route, request)) return route.route;
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

uint64_t RandomForPick() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

}  // namespace crossmesh::proxy
