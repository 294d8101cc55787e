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
  canary.headers = {HeaderMatch{"x-canary", std::string("yes"), {}, {}, {}, false}};
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

TEST_CASE("A request no route matches finds no route") {
  RouteMatch api;
  api.prefix = "/api";
  auto table = Compile({MakeRoute("api", 1, api)});
  CHECK(table->Match(*table->FindService("svc.local"), Request("GET", "/other")) == nullptr);
}

TEST_CASE("An inverted header match matches when the header is absent or different") {
  RouteMatch match;
  match.headers = {HeaderMatch{"x-env", std::string("prod"), {}, {}, {}, true}};
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

TEST_CASE("A route regex that does not compile is refused with the route named") {
  RouteMatch bad;
  bad.path_regex = "([";
  auto table = RouteTable::Compile(
      {VirtualService{"svc.local", Protocol::kHttp, {MakeRoute("bad", 1, bad)}}});
  REQUIRE_FALSE(table.ok());
  CHECK(table.status().message().find("route 'bad'") != std::string::npos);
}

}  // namespace
}  // namespace crossmesh::proxy
