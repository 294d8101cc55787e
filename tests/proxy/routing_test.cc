// Route tables: how a request picks its virtual service, route and weighted target.
#include <catch2/catch.hpp>

#include <map>

#include "harness/proxy/route_table.h"

namespace crossmesh::proxy {
namespace {

HttpRequest Request(std::string method, std::string target, std::vector<HttpHeader> headers = {}) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.headers = std::move(headers);
  return request;
}

Route MakeRoute(std::string name, int priority, RouteMatch match,
                std::vector<WeightedTarget> targets = {{"c", 1}}) {
  Route route;
  route.name = std::move(name);
  route.priority = priority;
  route.match = std::move(match);
  route.targets = std::move(targets);
  return route;
}

std::shared_ptr<const RouteTable> Compile(std::vector<Route> routes) {
  auto table =
      RouteTable::Compile({VirtualService{"svc.local", Protocol::kHttp, std::move(routes)}});
  INFO(table.status().ToString());
  REQUIRE(table.ok());
  return table.value();
}

TEST_CASE("Routes match on prefix, exact path, regex, method and headers") {
  RouteMatch api;
  api.prefix = "/api";
  RouteMatch exact;
  exact.path_exact = "/health";
  RouteMatch regex;
  regex.path_regex = "/votes/[0-9]+";
  RouteMatch post;
  post.prefix = "/";
  post.method = "POST";
  RouteMatch canary;
  canary.prefix = "/";
  canary.headers = {HeaderMatch{"x-canary", std::string("yes"), {}, {}, {}, false, {}}};
  RouteMatch fallback;
  fallback.prefix = "/";
  auto table = Compile({MakeRoute("api", 1, api), MakeRoute("exact", 1, exact),
                        MakeRoute("regex", 1, regex), MakeRoute("post", 2, post),
                        MakeRoute("canary", 3, canary), MakeRoute("fallback", 10, fallback)});
  const VirtualService& service = *table->FindService("svc.local");

  struct Case {
    HttpRequest request;
    const char* route;
  };
  const std::vector<Case> cases = {
      {Request("GET", "/api/items?x=1"), "api"},
      {Request("GET", "/health"), "exact"},
      {Request("GET", "/health/deep"), "fallback"},
      {Request("GET", "/votes/42"), "regex"},
      {Request("GET", "/votes/abc"), "fallback"},
      {Request("POST", "/anything"), "post"},
      {Request("GET", "/x", {{"X-Canary", "yes"}}), "canary"},
      {Request("GET", "/x", {{"x-canary", "no"}}), "fallback"},
  };
  for (const Case& c : cases) {
    INFO(c.request.method << " " << c.request.target);
    const Route* route = table->Match(service, c.request);
    REQUIRE(route != nullptr);
    CHECK(route->name == c.route);
  }
}

TEST_CASE("A rewritten_match is checked on the path and Host the route's rewrite gives") {
  RouteMatch gateway;
  gateway.prefix = "/shop";
  RouteMatch v2;  // the target service's route: it sees "/v2/..." and Host "svc.local"
  v2.prefix = "/v2";
  v2.headers = {HeaderMatch{"host", std::string("svc.local"), {}, {}, {}, false, {}}};
  Route pair = MakeRoute("shop/v2", 1, gateway);
  pair.rewrite = RouteRewrite{.prefix = "/", .path = {}, .host = "svc.local"};
  pair.rewritten_match = v2;
  auto table = Compile({pair});
  const VirtualService& service = *table->FindService("svc.local");

  HttpRequest matching = Request("GET", "/shop/v2/cart?id=7", {{"Host", "shop.example.com"}});
  const Route* route = table->Match(service, matching);
  REQUIRE(route != nullptr);
  RouteTable::ApplyRewrite(*route, matching);
  CHECK(matching.target == "/v2/cart?id=7");
  CHECK(matching.Header("host") == "svc.local");

  // "/v2/shop" passes the gateway's own match only before the rewrite, so nothing matches.
  CHECK(table->Match(service, Request("GET", "/shop/v1/cart")) == nullptr);
  CHECK(table->Match(service, Request("GET", "/v2/shop")) == nullptr);
}

// Regression (COVERAGE.md): a gateway route that matched fell through to the next gateway
// route when none of its target service's routes matched; Envoy answers 404 at once.
TEST_CASE("A gateway route whose service routes all miss answers no route, not the next one") {
  RouteMatch shop;
  shop.prefix = "/shop";
  RouteMatch any;
  any.prefix = "/";
  const RouteRewrite to_service{.prefix = "/", .path = {}, .host = "svc.local"};
  // Gateway route "shop" (priority 1) has two service routes, /v1 and /v2; "catch-all"
  // (priority 2) sends everything else to another service.
  std::vector<Route> routes;
  for (const char* version : {"/v1", "/v2"}) {
    Route pair = MakeRoute(std::string("shop") + version, 1, shop, {{version, 1}});
    pair.rewrite = to_service;
    pair.rewritten_match = RouteMatch{};
    pair.rewritten_match->prefix = version;
    routes.push_back(pair);
  }
  Route catch_all = MakeRoute("catch-all/all", 2, any, {{"other", 1}});
  catch_all.rewrite = to_service;
  catch_all.rewritten_match = any;
  routes.push_back(catch_all);
  auto table = Compile(routes);
  const VirtualService& service = *table->FindService("svc.local");

  const Route* v2 = table->Match(service, Request("GET", "/shop/v2/cart"));
  REQUIRE(v2 != nullptr);
  CHECK(v2->name == "shop/v2");  // the second pair of the same gateway route still answers
  CHECK(table->Match(service, Request("GET", "/shop/v3/cart")) == nullptr);
  const Route* other = table->Match(service, Request("GET", "/elsewhere"));
  REQUIRE(other != nullptr);
  CHECK(other->name == "catch-all/all");
}

TEST_CASE("A prefix rewrite replaces the matched prefix; a path rewrite the whole path") {
  struct Case {
    const char* prefix;
    RouteRewrite rewrite;
    const char* sent;
    const char* sent_on;
  };
  const std::vector<Case> cases = {
      {"/chapter", {.prefix = "/", .path = {}, .host = {}}, "/chapter/1", "/1"},
      {"/chapter", {.prefix = "/", .path = {}, .host = {}}, "/chapter", "/"},
      {"/chapter/", {.prefix = "/", .path = {}, .host = {}}, "/chapter/1?a", "/1?a"},
      {"/v1", {.prefix = "/v2", .path = {}, .host = {}}, "/v1/x", "/v2/x"},
      {"/old", {.prefix = {}, .path = "/new", .host = {}}, "/old/deep?k=v", "/new?k=v"},
  };
  for (const Case& c : cases) {
    INFO(c.sent);
    RouteMatch match;
    match.prefix = c.prefix;
    Route route = MakeRoute("r", 1, match);
    route.rewrite = c.rewrite;
    HttpRequest request = Request("GET", c.sent);
    RouteTable::ApplyRewrite(route, request);
    CHECK(request.target == c.sent_on);
  }
}

TEST_CASE("Routes match on query parameters and on a header's integer range") {
  RouteMatch query;
  query.query_parameters = {{.name = "version", .exact = "2"}, {.name = "debug", .exact = {}}};
  RouteMatch range;
  range.headers = {HeaderMatch{"x-n", {}, {}, {}, {}, false, IntRange{-5, 10}}};
  RouteMatch fallback;
  fallback.prefix = "/";
  auto table = Compile({MakeRoute("query", 1, query), MakeRoute("range", 2, range),
                        MakeRoute("fallback", 10, fallback)});
  const VirtualService& service = *table->FindService("svc.local");

  struct Case {
    HttpRequest request;
    const char* route;
  };
  const std::vector<Case> cases = {
      {Request("GET", "/x?version=2&debug"), "query"},
      {Request("GET", "/x?debug=1&version=2"), "query"},
      {Request("GET", "/x?version=2"), "fallback"},               // debug absent
      {Request("GET", "/x?version=3&debug"), "fallback"},         // wrong value
      {Request("GET", "/x?version=2&version=3&debug"), "query"},  // the first value counts
      {Request("GET", "/x?versions=2&debug"), "fallback"},
      {Request("GET", "/x", {{"x-n", "-5"}}), "range"},
      {Request("GET", "/x", {{"x-n", "9"}}), "range"},
      {Request("GET", "/x", {{"x-n", "10"}}), "fallback"},  // the end is not in the range
      {Request("GET", "/x", {{"x-n", "4a"}}), "fallback"},
      {Request("GET", "/x"), "fallback"},
  };
  for (const Case& c : cases) {
    INFO(c.request.target << " " << c.request.Header("x-n"));
    const Route* route = table->Match(service, c.request);
    REQUIRE(route != nullptr);
    CHECK(route->name == c.route);
  }
}

TEST_CASE("A request no route matches finds no route") {
  RouteMatch api;
  api.prefix = "/api";
  auto table = Compile({MakeRoute("api", 1, api)});
  CHECK(table->Match(*table->FindService("svc.local"), Request("GET", "/other")) == nullptr);
}

TEST_CASE("An inverted header match matches when the header is absent or different") {
  RouteMatch match;
  match.headers = {HeaderMatch{"x-env", std::string("prod"), {}, {}, {}, true, {}}};
  auto table = Compile({MakeRoute("not-prod", 1, match)});
  const VirtualService& service = *table->FindService("svc.local");
  CHECK(table->Match(service, Request("GET", "/")) != nullptr);
  CHECK(table->Match(service, Request("GET", "/", {{"x-env", "dev"}})) != nullptr);
  CHECK(table->Match(service, Request("GET", "/", {{"x-env", "prod"}})) == nullptr);
}

TEST_CASE("Weighted targets are picked in proportion to their weights") {
  Route route = MakeRoute("split", 1, {}, {{"blue", 1}, {"green", 3}, {"never", 0}});
  std::map<std::string, int> picks;
  for (uint64_t r = 0; r < 4000; ++r) picks[RouteTable::PickTarget(route, r)->cluster]++;
  CHECK(picks["blue"] == 1000);
  CHECK(picks["green"] == 3000);
  CHECK(picks.count("never") == 0);
  Route zero = MakeRoute("zero", 1, {}, {{"a", 0}});
  CHECK(RouteTable::PickTarget(zero, 7) == nullptr);
}

TEST_CASE("A Host header finds its virtual service with or without a port") {
  auto table = Compile({MakeRoute("all", 1, {})});
  CHECK(table->FindByHost("svc.local") != nullptr);
  CHECK(table->FindByHost("svc.local:4567") != nullptr);
  CHECK(table->FindByHost("other.local") == nullptr);
}

// std::regex recursed once per character (a 30 KB path crashed the proxy) and backtracked
// exponentially on "(a+)+$"; RE2, as Envoy's safe_regex, does neither.
TEST_CASE("Route regexes take a 1 MB path and a catastrophic pattern in one linear pass") {
  RouteMatch long_path;
  long_path.path_regex = "/(a|b)*";
  RouteMatch catastrophic;
  catastrophic.prefix = "/";
  catastrophic.headers = {HeaderMatch{"x-a", {}, {}, {}, "(a+)+$", false, {}}};
  RouteMatch fallback;
  fallback.prefix = "/";
  auto table = Compile({MakeRoute("long", 1, long_path), MakeRoute("catastrophic", 2, catastrophic),
                        MakeRoute("fallback", 3, fallback)});
  const VirtualService& service = *table->FindService("svc.local");

  const Route* route = table->Match(service, Request("GET", "/" + std::string(1 << 20, 'a')));
  REQUIRE(route != nullptr);
  CHECK(route->name == "long");
  route = table->Match(service, Request("GET", "/x", {{"x-a", std::string(64, 'a') + "!"}}));
  REQUIRE(route != nullptr);
  CHECK(route->name == "fallback");
  route = table->Match(service, Request("GET", "/x", {{"x-a", std::string(64, 'a')}}));
  REQUIRE(route != nullptr);
  CHECK(route->name == "catastrophic");
}

TEST_CASE("A route regex that does not compile is refused with the route named") {
  RouteMatch bad;
  bad.path_regex = "([";
  auto table = RouteTable::Compile(
      {VirtualService{"svc.local", Protocol::kHttp, {MakeRoute("bad", 1, bad)}}});
  REQUIRE_FALSE(table.ok());
  CHECK(table.status().message().find("route 'bad'") != std::string::npos);

  bad.path_regex = "/(a)\\1";  // a backreference: RE2 (and Envoy) has none
  table = RouteTable::Compile(
      {VirtualService{"svc.local", Protocol::kHttp, {MakeRoute("bad", 1, bad)}}});
  REQUIRE_FALSE(table.ok());
  CHECK(table.status().message().find("no backreferences") != std::string::npos);
}

}  // namespace
}  // namespace crossmesh::proxy
