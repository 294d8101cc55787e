// LoadGenerator: Yelb user journeys against yelb-ui's address, bounded in count and in time,
// as a browser would make them (HTTP/1.1 keep-alive, one connection per simulated user). It
// records every request's status, latency and, for failures, the answer's body (Envoy's 503
// text) or the transport error, and counts the votes and page views it sent and the ones
// acknowledged, so a scenario can compare them with the databases.
//
//   LoadRun run = LoadRun::Start({.host = "127.0.1.10", .port = ui_port,
//                                 .journeys = {{Journey::kVote, 1}}, .count = 100});
//   LoadResult result = run.Wait();
//
// Loopback only: Start() refuses any other address.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::traffic {

// What Yelb's page does: on load GET / then /api/getvotes and /api/getstats (a page view);
// a vote is GET /api/<restaurant> then a refresh of /api/getvotes.
enum class Journey { kLoadPage, kGetVotes, kVote, kPageViews };
const char* JourneyName(Journey journey);

struct LoadOptions {
  std::string name = "traffic";
  std::string host = "127.0.0.1";  // yelb-ui's address; loopback only
  uint16_t port = 0;
  std::string host_header = "yelb-ui";
  std::vector<std::pair<Journey, int>> journeys = {{Journey::kLoadPage, 1}};  // with weights
  std::vector<std::string> restaurants;     // votes go round-robin; empty: all four
  double rate = 0;                          // journeys per second over all users; 0: no pacing
  int64_t count = 0;                        // journeys; 0: bounded by duration only
  std::chrono::milliseconds duration{0};    // 0: bounded by count (and max_duration)
  int concurrency = 2;                      // simulated users (connections)
  std::chrono::milliseconds timeout{3000};  // connect, and each request
  std::chrono::milliseconds max_duration{std::chrono::minutes(10)};  // hard stop, always
};

struct FailedRequest {
  std::string path;
  int status = 0;     // 0: no HTTP answer (connect refused, reset, timeout)
  std::string error;  // the body's first line, or the transport error
};

struct LoadResult {
  std::string name;
  int64_t journeys = 0;            // started
  int64_t journeys_completed = 0;  // every request of the journey answered 2xx
  int64_t requests = 0;
  int64_t failed = 0;                                 // not 2xx, or no answer
  std::map<int, int64_t> statuses;                    // 0 counts requests with no answer
  std::map<std::string, int64_t> errors;              // distinct error text -> how often
  std::vector<FailedRequest> first_failures;          // up to 20, in order
  std::map<std::string, int64_t> votes_sent;          // restaurant -> vote requests sent
  std::map<std::string, int64_t> votes_acknowledged;  // restaurant -> answered 200
  int64_t page_views_sent = 0;                        // /api/getstats and /api/pageviews requests
  int64_t page_views_acknowledged = 0;                // ... answered 200
  double seconds = 0;
  double latency_p50_ms = 0, latency_p90_ms = 0, latency_p99_ms = 0, latency_max_ms = 0;

  double SuccessRate() const {
    return requests == 0 ? 0
                         : static_cast<double>(requests - failed) / static_cast<double>(requests);
  }
  // "120 journeys, 300 requests, 0 failed, p99 3.1 ms, 25.0 journeys/s".
  std::string Summary() const;
};

// One run of traffic on a thread of its own.
class LoadRun {
 public:
  // InvalidConfiguration for a non-loopback host, no port, no journeys or no bound.
  static Result<LoadRun> Start(LoadOptions options);
  LoadRun(LoadRun&&) noexcept;
  LoadRun& operator=(LoadRun&&) noexcept;
  ~LoadRun();  // stops the run (Cancel + Wait) if still going

  // Blocks until the run ends (count reached, duration over, or cancelled).
  LoadResult Wait();
  // Asks the users to stop after their current request.
  void Cancel();
  bool done() const;

 private:
  struct Impl;
  explicit LoadRun(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Start + Wait.
Result<LoadResult> RunLoad(LoadOptions options);

}  // namespace crossmesh::traffic
