// AppserverRoutes: Yelb's appserver logic without the HTTP plumbing: a request's method and path
// in, Yelb's answer out (section D of walkthrough-and-yelb.md). Blocking: it talks to Redis and
// PostgreSQL through YelbStore, so the listener runs it on a thread pool of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/yelb/http_types.h"
#include "harness/yelb/yelb_store.h"

namespace crossmesh::yelb {

struct AppserverCounters {
  uint64_t requests = 0;
  uint64_t page_views = 0;  // page views counted in Redis
  uint64_t votes = 0;       // votes counted in PostgreSQL
  uint64_t failures = 0;    // 500 answers (a backend failed)
};

class AppserverRoutes {
 public:
  AppserverRoutes(StoreOptions store, std::string hostname);

  // GET (or HEAD) /api/pageviews, /api/hostname, /api/getstats, /api/getvotes and
  // /api/<restaurant>; OPTIONS on any path; 404 for anything else; 500 when a backend fails.
  HttpReply Handle(const HttpRequest& request);

  AppserverCounters counters() const;
  const std::string& hostname() const { return hostname_; }

 private:
  HttpReply Answer(std::string_view path);
  HttpReply Json(std::string body) const;
  HttpReply Failed(std::string_view path, const Status& status);
  void Recovered();

  YelbStore store_;
  std::string hostname_;
  std::atomic<uint64_t> requests_{0}, page_views_{0}, votes_{0}, failures_{0};
  std::atomic<bool> degraded_{false};
};

}  // namespace crossmesh::yelb
