// yelb-ui: the page, and /api/* forwarded to yelb-appserver as Yelb's nginx does.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "emulator/core/loopback_port.h"
#include "harness/yelb/data_tier.h"
#include "harness/yelb/yelb_appserver.h"
#include "harness/yelb/yelb_ui.h"
#include "tests/yelb/yelb_test_support.h"

namespace crossmesh::yelb {
namespace {

using testing::HttpAnswer;
using testing::HttpCall;

// An upstream that answers two requests, closing the first connection after its answer (as an
// upstream's idle timeout would), and records what it received.
class OneShotUpstream {
 public:
  OneShotUpstream() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.1.9", &addr.sin_addr);
    socklen_t length = sizeof addr;
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);  // bounds accept()
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd_, 4) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
      port_ = ntohs(addr.sin_port);
    }
    thread_ = std::thread([this] { Serve(); });
  }
  OneShotUpstream(const OneShotUpstream&) = delete;
  OneShotUpstream& operator=(const OneShotUpstream&) = delete;
  OneShotUpstream(OneShotUpstream&&) = delete;
  OneShotUpstream& operator=(OneShotUpstream&&) = delete;
  ~OneShotUpstream() {
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  std::vector<std::string> heads() {
    std::lock_guard lock(mutex_);
    return heads_;
  }

 private:
  void Serve() {
    for (int i = 0; i < 2; ++i) {
      int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      timeval timeout{5, 0};
      setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      std::string head;
      std::array<char, 4096> buffer{};
      while (head.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = recv(conn, buffer.data(), buffer.size(), 0);
        if (n <= 0) break;
        head.append(buffer.data(), static_cast<size_t>(n));
      }
      {
        std::lock_guard lock(mutex_);
        heads_.push_back(head);
      }
      std::string answer =
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Upstream: fake\r\n"
          "Connection: keep-alive\r\n\r\nok";
      (void)!send(conn, answer.data(), answer.size(), MSG_NOSIGNAL);
      close(conn);
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> heads_;
};

TEST_CASE(
    "The UI page lists the four restaurants and forwards /api/getvotes to the appserver "
    "over one keep-alive connection") {
  DataTier data({.redis = {"127.0.2.3", 0}, .postgres = {"127.0.2.4", 0}});
  REQUIRE(data.Start().ok());
  YelbAppserver app({.address = "127.0.2.2", .redis = data.redis(), .postgres = data.postgres()});
  auto app_port = app.Start();
  REQUIRE(app_port.ok());
  YelbUi ui({.address = "127.0.1.2", .appserver = {"127.0.2.2", *app_port}});
  auto port = ui.Start();
  REQUIRE(port.ok());

  HttpAnswer page = HttpCall("127.0.1.2", *port, "/");
  CHECK(page.status == 200);
  CHECK(page.Header("content-type") == "text/html; charset=utf-8");
  for (const char* text : {"Outback", "Buca di Beppo", "IHOP", "Chipotle", "votes-outback",
                           "vote('bucadibeppo')", "/api/getvotes", "/api/getstats"}) {
    CHECK_THAT(page.body, Catch::Contains(text));
  }
  CHECK(HttpCall("127.0.1.2", *port, "/index.html").body == page.body);
  CHECK(HttpCall("127.0.1.2", *port, "/favicon.ico").status == 404);

  for (int i = 0; i < 3; ++i) {
    CHECK(HttpCall("127.0.1.2", *port, "/api/ihop").body == std::to_string(i + 1));
  }
  HttpAnswer direct = HttpCall("127.0.2.2", *app_port, "/api/getvotes");
  HttpAnswer forwarded = HttpCall("127.0.1.2", *port, "/api/getvotes");
  CHECK(forwarded.status == 200);
  CHECK(forwarded.body == direct.body);
  CHECK_THAT(forwarded.body, Catch::Contains(R"({"name": "ihop", "value": 3})"));
  CHECK(forwarded.Header("access-control-allow-origin") == "*");
  CHECK(forwarded.Header("content-type") == "application/json");
  CHECK(HttpCall("127.0.1.2", *port, "/api/nothing").status == 404);  // the appserver's 404

  CHECK(ui.counters().forwarded == 5);
  CHECK(ui.counters().connections_opened == 1);  // keep-alive: one connection for all five
  CHECK(testing::QueryVotes(data.postgres().host, data.postgres().port)["ihop"] == 3);
}

TEST_CASE(
    "The UI forwards with HTTP/1.1 and the appserver Host header, and replaces an upstream "
    "connection the upstream closed") {
  OneShotUpstream upstream;
  YelbUi ui({.appserver = {"127.0.1.9", upstream.port()}});
  auto port = ui.Start();
  REQUIRE(port.ok());

  HttpAnswer first = HttpCall("127.0.0.1", *port, "/api/getvotes?x=1");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the upstream closes it
  HttpAnswer second = HttpCall("127.0.0.1", *port, "/api/getstats");
  CHECK(first.status == 200);
  CHECK(first.body == "ok");
  CHECK(first.Header("x-upstream") == "fake");
  CHECK(second.status == 200);
  auto heads = upstream.heads();
  REQUIRE(heads.size() == 2);
  CHECK_THAT(heads[0], Catch::StartsWith("GET /api/getvotes?x=1 HTTP/1.1\r\n"));
  CHECK_THAT(heads[0], Catch::Contains("Host: yelb-appserver:4567\r\n"));
  CHECK_THAT(heads[0], !Catch::Contains("close"));  // the client's Connection: close stays here
  CHECK_THAT(heads[1], Catch::StartsWith("GET /api/getstats HTTP/1.1\r\n"));
  CHECK(ui.counters().connections_opened == 2);
  CHECK(ui.counters().failures == 0);
}

TEST_CASE("The UI answers 502 with a clear body when the appserver is down, 504 when it stalls") {
  // This UI runs on the caller's io_context.
  boost::asio::io_context ioc;
  uint16_t nobody = *PickLoopbackPort("127.0.2.2");
  YelbUi down({.appserver = {"127.0.2.2", nobody}}, ioc);
  auto port = down.Start();
  REQUIRE(port.ok());
  std::thread loop([&] { ioc.run(); });
  HttpAnswer a = HttpCall("127.0.0.1", *port, "/api/getvotes");
  CHECK(a.status == 502);
  CHECK_THAT(a.body, Catch::Contains("502 Bad Gateway"));
  CHECK_THAT(a.body, Catch::Contains("could not connect to yelb-appserver at 127.0.2.2:" +
                                     std::to_string(nobody)));
  CHECK_THAT(a.body, Catch::Contains("Connection refused"));
  CHECK(HttpCall("127.0.0.1", *port, "/").status == 200);  // the page needs no upstream
  CHECK(down.counters().failures == 1);
  down.Stop();
  loop.join();  // nothing of the UI keeps the caller's loop busy after Stop()

  testing::StalledListener stalled("127.0.2.2");
  YelbUi slow({.appserver = {"127.0.2.2", stalled.port()},
               .upstream_timeout = std::chrono::milliseconds(300)});
  auto slow_port = slow.Start();
  REQUIRE(slow_port.ok());
  HttpAnswer b = HttpCall("127.0.0.1", *slow_port, "/api/getvotes");
  CHECK(b.status == 504);
  CHECK_THAT(b.body, Catch::Contains("no answer within 300 ms"));
}

}  // namespace
}  // namespace crossmesh::yelb
