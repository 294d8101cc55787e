// Watchdogs end stalled connections: a deadline fires once, after its time, and never after it
// was disarmed or pushed back; a watchdog gone leaves no timer behind.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy::testing {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Runs `step` on the context after `after`.
void At(asio::io_context& io, milliseconds after, std::function<void()> step) {
  auto timer = std::make_shared<asio::steady_timer>(io, after);
  timer->async_wait([timer, step = std::move(step)](const boost::system::error_code&) { step(); });
}

}  // namespace

TEST_CASE("A watchdog fires once, after its deadline", "[watchdog]") {
  asio::io_context io;
  Watchdog dog(io.get_executor());
  const auto armed_at = Clock::now();
  std::optional<Clock::time_point> fired_at;
  int fired = 0;
  dog.Arm(milliseconds(60), [&] {
    fired_at = Clock::now();
    ++fired;
  });

  io.run_for(std::chrono::seconds(2));

  CHECK(fired == 1);
  REQUIRE(fired_at);
  CHECK(*fired_at - armed_at >= milliseconds(60));
  CHECK(dog.expired());
}

TEST_CASE("Arming a watchdog again pushes its deadline back", "[watchdog]") {
  asio::io_context io;
  Watchdog dog(io.get_executor());
  std::optional<Clock::time_point> rearmed_at;
  std::optional<Clock::time_point> fired_at;
  int fired = 0;
  auto on_expire = [&] {
    fired_at = Clock::now();
    ++fired;
  };
  dog.Arm(milliseconds(80), on_expire);
  At(io, milliseconds(40), [&] {
    rearmed_at = Clock::now();
    dog.Arm(milliseconds(150), on_expire);
  });

  io.run_for(std::chrono::seconds(2));

  CHECK(fired == 1);
  REQUIRE(rearmed_at);
  REQUIRE(fired_at);
  CHECK(*fired_at - *rearmed_at >= milliseconds(150));
}

TEST_CASE("A disarmed or destroyed watchdog never fires", "[watchdog]") {
  asio::io_context io;
  int fired = 0;
  Watchdog disarmed(io.get_executor());
  disarmed.Arm(milliseconds(30), [&] { ++fired; });
  disarmed.Disarm();
  {
    Watchdog gone(io.get_executor());
    gone.Arm(milliseconds(30), [&] { ++fired; });
  }

  io.run_for(milliseconds(200));

  CHECK(fired == 0);
  CHECK_FALSE(disarmed.expired());
}

TEST_CASE("A destroyed watchdog leaves no timer waiting, so its context's run() returns",
          "[watchdog]") {
  asio::io_context io;
  {
    Watchdog dog(io.get_executor());
    dog.Arm(std::chrono::hours(1), [] {});
    dog.Arm(std::chrono::hours(2), [] {});  // pushed back: the first wait is kept
    dog.Disarm();
  }
  const auto start = Clock::now();

  io.run();

  CHECK(Clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("A watchdog's callback may destroy the watchdog", "[watchdog]") {
  asio::io_context io;
  auto dog = std::make_unique<Watchdog>(io.get_executor());
  int fired = 0;
  dog->Arm(milliseconds(20), [&] {
    ++fired;
    dog.reset();
    Watchdog next(io.get_executor());
    next.Arm(milliseconds(20), [&] { ++fired; });
  });
  Watchdog again(io.get_executor());
  again.Arm(milliseconds(40), [&] { ++fired; });

  io.run_for(milliseconds(300));

  CHECK(fired == 2);  // the first, and `again`; `next` went with its scope
}

TEST_CASE("A watchdog destroyed just before its context goes is let go without a leak",
          "[watchdog]") {
  int fired = 0;
  {
    asio::io_context io;
    auto kept = std::make_unique<Watchdog>(io.get_executor());
    kept->Arm(std::chrono::hours(1), [&] { ++fired; });
    io.run_for(milliseconds(20));
    kept.reset();  // its cancelled wait's completion is still queued when the context goes
  }

  CHECK(fired == 0);  // and, under the sanitizers, no leak or use after free
}

}  // namespace crossmesh::proxy::testing
