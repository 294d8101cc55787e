// RouteTable: the virtual services a proxy's outbound side can reach, compiled for matching.
// A request picks a virtual service (the outbound's own, or by Host on an HTTP proxy port),
// then the first route by priority (ties: configuration order) whose match holds, then one
// weighted target: a cluster.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "harness/proxy/config.h"
#include "harness/proxy/http_message.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace crossmesh::proxy {

class RouteTable {
 public:
  // InvalidConfiguration when a regex does not compile or a route has no target.
  static Result<std::shared_ptr<const RouteTable>> Compile(
      const std::vector<VirtualService>& services);

  const VirtualService* FindService(std::string_view name) const;
  // The service a Host header names: exactly, or without its ":port".
  const VirtualService* FindByHost(std::string_view host) const;

  // The matching HTTP route, or null (Envoy answers 404). Once the `match` of a route with a
  // `rewritten_match` (a gateway route's pair) holds, only that gateway route's other pairs
  // (next to it, with the same priority, match and rewrite) may still answer.
  const Route* Match(const VirtualService& service, const HttpRequest& request) const;
  // TCP routes carry no match: the first by priority.
  const Route* FirstRoute(const VirtualService& service) const;

  // A target chosen with probability weight / total; null when all weights are 0.
  // `random` is any uniformly distributed number.
  static const WeightedTarget* PickTarget(const Route& route, uint64_t random);

  // The request as `route.rewrite` sends it on (path, query kept, and Host); unchanged when the
  // route has no rewrite.
  static void ApplyRewrite(const Route& route, HttpRequest& request);

 private:
  struct CompiledMatch {
    const RouteMatch* match = nullptr;
    std::shared_ptr<const re2::RE2> path_regex;
    std::vector<std::shared_ptr<const re2::RE2>> header_regex;  // parallel to match->headers
  };
  struct CompiledRoute {
    const Route* route = nullptr;
    CompiledMatch match;
    std::optional<CompiledMatch> rewritten;  // route->rewritten_match
  };
  // What a match reads: the request, or the path and Host a rewrite would give it.
  struct MatchInput {
    const HttpRequest* request = nullptr;
    std::string_view path;
    std::optional<std::string_view> host;  // overrides the Host header
  };
  struct CompiledService {
    VirtualService service;
    std::vector<CompiledRoute> routes;  // by priority
  };

  RouteTable() = default;
  const CompiledService* Compiled(const VirtualService& service) const;
  static Result<CompiledMatch> CompileMatch(const RouteMatch& match, const std::string& where);
  static bool Matches(const CompiledMatch& compiled, const MatchInput& input);
  static bool MatchesRewritten(const CompiledRoute& compiled, const HttpRequest& request);
  static bool SameGatewayRoute(const Route& a, const Route& b);

  std::vector<std::unique_ptr<CompiledService>> services_;
};

// A uniformly distributed number for PickTarget, from a per-thread generator.
uint64_t RandomForPick();

}  // namespace crossmesh::proxy
