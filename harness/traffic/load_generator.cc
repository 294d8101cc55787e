#include "harness/traffic/load_generator.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>

namespace crossmesh::traffic {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxFirstFailures = 20;
constexpr size_t kMaxErrorText = 300;
const std::vector<std::string> kAllRestaurants = {"outback", "bucadibeppo", "ihop", "chipotle"};

bool IsLoopback(const std::string& host) {
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

// The first line of a failed answer's body: Envoy's 503 text is one line.
std::string ErrorText(const std::string& body, int status) {
  std::string line = body.substr(0, body.find('\n'));
  if (line.size() > kMaxErrorText) line.resize(kMaxErrorText);
  return line.empty() ? fmt::format("HTTP {} with an empty body", status) : line;
}

double Percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

const char* JourneyName(Journey journey) {
  switch (journey) {
    case Journey::kLoadPage:
      return "load_page";
    case Journey::kGetVotes:
      return "get_votes";
    case Journey::kVote:
      return "vote";
    case Journey::kPageViews:
      return "page_views";
  }
  return "?";
}

std::string LoadResult::Summary() const {
  return fmt::format("{} journeys, {} requests, {} failed, p99 {:.1f} ms, {:.1f} journeys/s",
                     journeys, requests, failed, latency_p99_ms,
                     seconds > 0 ? static_cast<double>(journeys) / seconds : 0.0);
}

struct LoadRun::Impl {
  LoadOptions options;
  asio::io_context io{1};
  std::thread thread;
  std::atomic<int64_t> next_ticket{0};
  std::atomic<bool> cancelled{false};
  std::atomic<bool> finished{false};
  Clock::time_point started;
  Clock::time_point deadline;
  std::vector<Journey> schedule;  // the weighted journeys, expanded

  std::mutex mutex;  // guards result and latencies
  LoadResult result;
  std::vector<double> latencies;
  bool collected = false;

  explicit Impl(LoadOptions o) : options(std::move(o)) {
    if (options.restaurants.empty()) options.restaurants = kAllRestaurants;
    for (const auto& [journey, weight] : options.journeys) {
      for (int i = 0; i < weight; ++i) schedule.push_back(journey);
    }
    result.name = options.name;
  }

  // The next journey to run, or false when the run is over.
  bool NextTicket(int64_t* ticket) {
    if (cancelled || Clock::now() >= deadline) return false;
    *ticket = next_ticket++;
    return options.count == 0 || *ticket < options.count;
  }

  void Record(const std::string& path, int status, double ms, const std::string& error) {
    std::lock_guard lock(mutex);
    ++result.requests;
    ++result.statuses[status];
    latencies.push_back(ms);
    if (status >= 200 && status < 300) return;
    ++result.failed;
    ++result.errors[error];
    if (result.first_failures.size() < kMaxFirstFailures) {
      result.first_failures.push_back({path, status, error});
    }
  }

  // One GET on the user's connection; opens it first when needed. The status (0 when no answer
  // came) and the body.
  awaitable<std::pair<int, std::string>> Get(beast::tcp_stream& stream, bool& connected,
                                             const std::string& path, std::string* error) {
    beast::error_code ec;
    if (!connected) {
      stream.expires_after(options.timeout);
      asio::ip::tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
      co_await stream.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        *error = "connect: " + ec.message();
        co_return std::pair{0, std::string()};
      }
      connected = true;
    }

    http::request<http::empty_body> request{http::verb::get, path, 11};
    request.set(http::field::host, options.host_header);
    request.set(http::field::user_agent, "crossmesh-traffic");
    request.keep_alive(true);
    stream.expires_after(options.timeout);
    co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (!ec) {
      co_await http::async_read(stream, buffer, response,
                                asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
      *error = (ec == beast::error::timeout ? "timeout: " : "connection: ") + ec.message();
      beast::error_code ignored;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      stream.close();
      connected = false;
      co_return std::pair{0, std::string()};
    }
    if (!response.keep_alive()) {
      stream.close();
      connected = false;
    }
    co_return std::pair{static_cast<int>(response.result_int()), std::move(response.body())};
  }

  std::vector<std::string> Paths(Journey journey, int64_t ticket, std::string* restaurant) {
    switch (journey) {
      case Journey::kLoadPage:
        return {"/", "/api/getvotes", "/api/getstats"};
      case Journey::kGetVotes:
        return {"/api/getvotes"};
      case Journey::kVote: {
        // Round-robin over the votes only, so the split is even whatever the journey mix.
        int64_t vote_index = ticket / static_cast<int64_t>(schedule.size());
        *restaurant =
            options.restaurants[static_cast<size_t>(vote_index) % options.restaurants.size()];
        return {"/api/" + *restaurant, "/api/getvotes"};
      }
      case Journey::kPageViews:
        return {"/api/pageviews"};
    }
    return {};
  }

  awaitable<void> RunJourney(beast::tcp_stream& stream, bool& connected, int64_t ticket) {
    Journey journey = schedule[static_cast<size_t>(ticket) % schedule.size()];
    std::string restaurant;
    std::vector<std::string> paths = Paths(journey, ticket, &restaurant);
    {
      std::lock_guard lock(mutex);
      ++result.journeys;
    }
    bool completed = true;
    for (const auto& path : paths) {
      bool is_vote = !restaurant.empty() && path == "/api/" + restaurant;
      bool is_view = path == "/api/getstats" || path == "/api/pageviews";
      if (is_vote || is_view) {
        std::lock_guard lock(mutex);
        if (is_vote) ++result.votes_sent[restaurant];
        if (is_view) ++result.page_views_sent;
      }
      std::string error;
      auto begun = Clock::now();
      auto [status, body] = co_await Get(stream, connected, path, &error);
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - begun).count();
      if (status != 0 && (status < 200 || status >= 300)) error = ErrorText(body, status);
      Record(path, status, ms, error);
      if (status == 200 && (is_vote || is_view)) {
        std::lock_guard lock(mutex);
        if (is_vote) ++result.votes_acknowledged[restaurant];
        if (is_view) ++result.page_views_acknowledged;
      }
      // A browser whose page or vote failed does not go on with the journey.
      if (status < 200 || status >= 300) {
        completed = false;
        break;
      }
    }
    if (completed) {
      std::lock_guard lock(mutex);
      ++result.journeys_completed;
    }
  }

  awaitable<void> User() {
    auto executor = co_await asio::this_coro::executor;
    beast::tcp_stream stream(executor);
    asio::steady_timer pace(executor);
    bool connected = false;
    for (int64_t ticket = 0; NextTicket(&ticket);) {
      if (options.rate > 0) {
        auto due = started +
                   std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(ticket) / options.rate));
        if (due >= deadline) break;
        // Short slices, so a cancelled run stops within 50 ms even at a slow rate.
        while (!cancelled && Clock::now() < due) {
          pace.expires_at(std::min(due, Clock::now() + std::chrono::milliseconds(50)));
          beast::error_code ec;
          co_await pace.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        if (cancelled) break;
      }
      co_await RunJourney(stream, connected, ticket);
    }
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  }

  void Run() {
    started = Clock::now();
    auto bound = options.duration.count() > 0 ? std::min(options.duration, options.max_duration)
                                              : options.max_duration;
    deadline = started + bound;
    for (int i = 0; i < options.concurrency; ++i) {
      asio::co_spawn(io, User(), asio::detached);
    }
    thread = std::thread([this] {
      io.run();
      finished = true;
    });
  }

  LoadResult Collect() {
    if (thread.joinable()) thread.join();
    std::lock_guard lock(mutex);
    if (!collected) {
      collected = true;
      result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
      std::sort(latencies.begin(), latencies.end());
      result.latency_p50_ms = Percentile(latencies, 0.50);
      result.latency_p90_ms = Percentile(latencies, 0.90);
      result.latency_p99_ms = Percentile(latencies, 0.99);
      result.latency_max_ms = latencies.empty() ? 0 : latencies.back();
      spdlog::info("traffic {} done: {}", result.name, result.Summary());
    }
    return result;
  }
};

Result<LoadRun> LoadRun::Start(LoadOptions options) {
  if (!IsLoopback(options.host)) {
    return Error("InvalidConfiguration",
                 fmt::format("traffic goes to loopback addresses only, not '{}'", options.host));
  }
  if (options.port == 0) return Error("InvalidConfiguration", "traffic needs yelb-ui's port");
  if (options.journeys.empty()) {
    return Error("InvalidConfiguration", "traffic needs at least one journey");
  }
  for (const auto& [journey, weight] : options.journeys) {
    if (weight < 1) return Error("InvalidConfiguration", "journey weights are 1 or more");
  }
  if (options.count <= 0 && options.duration.count() <= 0) {
    return Error("InvalidConfiguration", "traffic must be bounded: give a count or a duration");
  }
  options.concurrency = std::clamp(options.concurrency, 1, 64);
  spdlog::info("traffic {} started toward {}:{} ({} users{}{})", options.name, options.host,
               options.port, options.concurrency,
               options.count > 0 ? fmt::format(", {} journeys", options.count) : "",
               options.rate > 0 ? fmt::format(", {}/s", options.rate) : "");
  auto impl = std::make_unique<Impl>(std::move(options));
  impl->Run();
  return LoadRun(std::move(impl));
}

LoadRun::LoadRun(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LoadRun::LoadRun(LoadRun&&) noexcept = default;
LoadRun& LoadRun::operator=(LoadRun&&) noexcept = default;

LoadRun::~LoadRun() {
  if (impl_) {
    Cancel();
    impl_->Collect();
  }
}

LoadResult LoadRun::Wait() { return impl_->Collect(); }

void LoadRun::Cancel() {
  // Users see it before their next journey; a request in flight ends by its timeout.
  impl_->cancelled = true;
}

bool LoadRun::done() const { return impl_->finished; }

Result<LoadResult> RunLoad(LoadOptions options) {
  auto run = LoadRun::Start(std::move(options));
  if (!run.ok()) return run.status();
  return run->Wait();
}

}  // namespace crossmesh::traffic
