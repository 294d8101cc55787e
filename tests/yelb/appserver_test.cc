// yelb-appserver: Yelb's routes and answer shapes against the real data tier, counts in the
// databases, and failures when a backend is down or stalls.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "emulator/core/loopback_port.h"
#include "harness/yelb/data_tier.h"
#include "harness/yelb/yelb_appserver.h"
#include "harness/yelb/yelb_store.h"
#include "tests/yelb/yelb_test_support.h"

namespace crossmesh::yelb {
namespace {

using testing::HttpAnswer;
using testing::HttpCall;

constexpr const char* kCorsHeaders =
    "Authorization,Accepts,Content-Type,X-CSRF-Token,X-Requested-With";

AppserverOptions AppserverFor(const DataTier& data) {
  AppserverOptions options;
  options.address = "127.0.2.2";
  options.redis = data.redis();
  options.postgres = data.postgres();
  options.hostname = "yelb-appserver-test";
  return options;
}

void CheckYelbAnswer(const HttpAnswer& a, const std::string& body, const std::string& type) {
  INFO(a.error << " " << a.body);
  CHECK(a.status == 200);
  CHECK(a.body == body);
  CHECK(a.Header("content-type") == type);
  CHECK(a.Header("access-control-allow-origin") == "*");
  CHECK(a.Header("access-control-allow-headers") == kCorsHeaders);
  CHECK(a.Header("access-control-allow-methods") == "GET,POST,PUT,DELETE,OPTIONS");
}

TEST_CASE("The appserver answers every Yelb route with Yelb's answer shapes") {
  DataTier data({.redis = {"127.0.2.3", 0}, .postgres = {"127.0.2.4", 0}});
  REQUIRE(data.Start().ok());
  YelbAppserver app(AppserverFor(data));
  auto port = app.Start();
  REQUIRE(port.ok());
  auto get = [&](const std::string& target, const std::string& method = "GET") {
    return HttpCall("127.0.2.2", *port, target, method);
  };
  const std::string json = "application/json", html = "text/html;charset=utf-8";

  CheckYelbAnswer(get("/api/hostname"), "yelb-appserver-test", json);
  CheckYelbAnswer(get("/api/pageviews"), "1", json);
  CheckYelbAnswer(get("/api/getstats"), R"({"hostname": "yelb-appserver-test", "pageviews":2})",
                  json);
  CheckYelbAnswer(get("/api/getvotes"),
                  R"([{"name": "outback", "value": 0},{"name": "bucadibeppo", "value": 0},)"
                  R"({"name": "ihop", "value": 0}, {"name": "chipotle", "value": 0}])",
                  json);
  CheckYelbAnswer(get("/api/outback"), "1", html);
  CheckYelbAnswer(get("/api/outback"), "2", html);
  CheckYelbAnswer(get("/api/ihop"), "1", html);
  CheckYelbAnswer(get("/api/chipotle"), "1", html);
  CheckYelbAnswer(get("/api/bucadibeppo"), "1", html);
  CheckYelbAnswer(get("/api/getvotes?cache=1"),
                  R"([{"name": "outback", "value": 2},{"name": "bucadibeppo", "value": 1},)"
                  R"({"name": "ihop", "value": 1}, {"name": "chipotle", "value": 1}])",
                  json);

  // Unknown routes and methods get Sinatra's 404.
  for (auto [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/"}, {"GET", "/api/tacobell"}, {"GET", "/api"}, {"POST", "/api/outback"}}) {
    HttpAnswer a = get(target, method);
    INFO(method << " " << target);
    CHECK(a.status == 404);
    CHECK(a.body == "<h1>Not Found</h1>");
  }
  // HEAD answers the headers of GET; OPTIONS answers the CORS preflight.
  HttpAnswer head = get("/api/hostname", "HEAD");
  CHECK(head.status == 200);
  CHECK(head.Header("content-length") == "19");
  CHECK(head.body.empty());
  HttpAnswer preflight = get("/api/getvotes", "OPTIONS");
  CHECK(preflight.status == 200);
  CHECK(preflight.Header("allow") == "HEAD,GET,PUT,DELETE,OPTIONS");
  CHECK(app.counters().votes == 5);
  CHECK(app.counters().failures == 0);
}

TEST_CASE("Votes counted in PostgreSQL and page views in Redis match what was sent") {
  DataTier data({.redis = {"127.0.2.3", 0}, .postgres = {"127.0.2.4", 0}});
  REQUIRE(data.Start().ok());
  const std::vector<std::string> restaurants = {"outback", "bucadibeppo", "ihop", "chipotle"};
  std::map<std::string, long> sent;
  long views_sent = 0;

  // Both connection modes: Yelb's one connection per query, and the pool.
  for (size_t max_idle : {size_t{0}, size_t{4}}) {
    AppserverOptions options = AppserverFor(data);
    options.max_idle_connections = max_idle;
    YelbAppserver app(options);
    auto port = app.Start();
    REQUIRE(port.ok());

    std::vector<std::thread> clients;
    clients.reserve(4);
    std::atomic<int> failed{0};
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&, c] {
        for (int i = 0; i < 10; ++i) {
          const std::string& r = restaurants[static_cast<size_t>(c + i) % 4];
          if (HttpCall("127.0.2.2", *port, "/api/" + r).status != 200) ++failed;
          if (HttpCall("127.0.2.2", *port, "/api/getstats").status != 200) ++failed;
        }
      });
    }
    for (auto& t : clients) t.join();
    CHECK(failed == 0);
    for (int c = 0; c < 4; ++c) {
      for (int i = 0; i < 10; ++i) ++sent[restaurants[static_cast<size_t>(c + i) % 4]];
    }
    views_sent += 40;
    CHECK(app.counters().votes == 40);
    CHECK(app.counters().page_views == 40);
  }

  CHECK(testing::QueryVotes(data.postgres().host, data.postgres().port) == sent);
  CHECK(testing::QueryPageViews(data.redis().host, data.redis().port) == views_sent);
  YelbStore store({.redis = data.redis(), .postgres = data.postgres()});
  auto votes = store.ReadVotes();
  REQUIRE(votes.ok());
  CHECK((*votes)["outback"] == sent["outback"]);
  CHECK(*store.ReadPageViews() == views_sent);
}

TEST_CASE("A pooled connection the server closed is replaced without a failed request") {
  DataTier data({.redis = {"127.0.2.3", 0}, .postgres = {"127.0.2.4", 0}});
  REQUIRE(data.Start().ok());
  YelbAppserver app(AppserverFor(data));
  auto port = app.Start();
  REQUIRE(port.ok());
  REQUIRE(HttpCall("127.0.2.2", *port, "/api/outback").status == 200);
  REQUIRE(HttpCall("127.0.2.2", *port, "/api/pageviews").status == 200);

  // The servers drop the appserver's idle connections (as a restarted sidecar would).
  CHECK(testing::KillClientConnections(data.redis().host, data.redis().port, data.postgres().host,
                                       data.postgres().port));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  CHECK(HttpCall("127.0.2.2", *port, "/api/outback").body == "2");
  CHECK(HttpCall("127.0.2.2", *port, "/api/pageviews").body == "2");
  CHECK(app.counters().failures == 0);
}

TEST_CASE("The appserver answers 500 with the reason when Redis or PostgreSQL is down") {
  // Nothing listens on these ports. The app runs on the caller's io_context here.
  boost::asio::io_context ioc;
  AppserverOptions options;
  options.redis = {"127.0.2.3", *PickLoopbackPort("127.0.2.3")};
  options.postgres = {"127.0.2.4", *PickLoopbackPort("127.0.2.4")};
  options.hostname = "down";
  YelbAppserver app(options, ioc);
  auto port = app.Start();
  REQUIRE(port.ok());
  std::thread loop([&] { ioc.run(); });

  HttpAnswer views = HttpCall("127.0.0.1", *port, "/api/pageviews");
  CHECK(views.status == 500);
  CHECK(views.body == "<h1>Internal Server Error</h1>");
  CHECK_THAT(views.Header("x-yelb-error"),
             Catch::Contains("cannot connect to Redis at " + options.redis.ToString()));
  HttpAnswer votes = HttpCall("127.0.0.1", *port, "/api/getvotes");
  CHECK(votes.status == 500);
  CHECK_THAT(votes.Header("x-yelb-error"),
             Catch::Contains("cannot connect to PostgreSQL at " + options.postgres.ToString()));
  CHECK(HttpCall("127.0.0.1", *port, "/api/ihop").status == 500);
  CHECK(HttpCall("127.0.0.1", *port, "/api/hostname").body == "down");  // needs no backend
  CHECK(app.counters().failures == 3);

  app.Stop();
  loop.join();  // nothing of the app keeps the caller's loop busy after Stop()
}

TEST_CASE("A stalled backend turns into a 500 within the backend timeout") {
  testing::StalledListener redis("127.0.2.3"), postgres("127.0.2.4");
  AppserverOptions options;
  options.redis = {"127.0.2.3", redis.port()};
  options.postgres = {"127.0.2.4", postgres.port()};
  options.backend_timeout = std::chrono::milliseconds(300);
  YelbAppserver app(options);
  auto port = app.Start();
  REQUIRE(port.ok());

  for (const char* target : {"/api/pageviews", "/api/outback"}) {
    auto started = std::chrono::steady_clock::now();
    HttpAnswer a = HttpCall("127.0.0.1", *port, target);
    auto took = std::chrono::steady_clock::now() - started;
    INFO(target << ": " << a.Header("x-yelb-error"));
    CHECK(a.status == 500);
    CHECK_THAT(a.Header("x-yelb-error"), Catch::Contains("300 ms"));
    CHECK(took < std::chrono::seconds(2));
  }
}

TEST_CASE("Stopping the appserver closes idle keep-alive connections and frees the port") {
  AppserverOptions options;
  options.address = "127.0.2.2";
  YelbAppserver app(options);
  auto port = app.Start();
  REQUIRE(port.ok());
  testing::KeepAliveClient client("127.0.2.2", *port);
  REQUIRE(client.Get("/api/hostname").status == 200);

  auto started = std::chrono::steady_clock::now();
  app.Stop();
  // Under the 2 s Stop waits for connections still closing: an idle one is closed at once
  // (the rest of the margin is for a loaded host).
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1900));
  CHECK(client.ClosedByPeer());
  CHECK_FALSE(HttpCall("127.0.2.2", *port, "/api/hostname").error.empty());

  YelbAppserver again({.address = "127.0.2.2", .port = *port});
  CHECK(again.Start().ok());
}

}  // namespace
}  // namespace crossmesh::yelb
