#include "harness/yelb/appserver_routes.h"

#include <spdlog/spdlog.h>

#include "harness/yelb/yelb_answers.h"
#include "harness/yelb/yelb_data.h"

namespace crossmesh::yelb {

AppserverRoutes::AppserverRoutes(StoreOptions store, std::string hostname)
    : store_(std::move(store)), hostname_(std::move(hostname)) {}

AppserverCounters AppserverRoutes::counters() const {
  return {requests_.load(), page_views_.load(), votes_.load(), failures_.load()};
}

HttpReply AppserverRoutes::Json(std::string body) const {
  HttpReply reply{200, CorsHeaders(), std::move(body)};
  reply.headers.emplace_back("Content-Type", std::string(kJsonType));
  return reply;
}

HttpReply AppserverRoutes::Failed(std::string_view path, const Status& status) {
  ++failures_;
  // Warn once when the backends start failing, not on every request of an outage.
  if (!degraded_.exchange(true)) {
    spdlog::warn("yelb-appserver: {} failed: {}", path, status.message());
  } else {
    spdlog::debug("yelb-appserver: {} failed: {}", path, status.message());
  }
  HttpReply reply = InternalErrorReply();
  for (auto& header : CorsHeaders()) reply.headers.push_back(std::move(header));
  reply.headers.emplace_back("X-Yelb-Error", status.message());
  return reply;
}

void AppserverRoutes::Recovered() {
  if (degraded_.exchange(false)) spdlog::info("yelb-appserver: backends answer again");
}

HttpReply AppserverRoutes::Handle(const HttpRequest& request) {
  ++requests_;
  if (request.method == "OPTIONS") {
    // Yelb's own OPTIONS route halts with an undefined constant (a 500 in practice); answering
    // the CORS preflight it meant to answer is what a browser needs.
    HttpReply reply{200, CorsHeaders(), ""};
    reply.headers.emplace_back("Allow", "HEAD,GET,PUT,DELETE,OPTIONS");
    return reply;
  }
  if (request.method != "GET" && request.method != "HEAD") return NotFoundReply();
  return Answer(request.Path());
}

HttpReply AppserverRoutes::Answer(std::string_view path) {
  constexpr std::string_view kPrefix = "/api/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return NotFoundReply();
  std::string_view route = path.substr(kPrefix.size());

  if (route == "hostname") return Json(hostname_);
  if (route == "pageviews" || route == "getstats") {
    auto views = store_.CountPageView();
    if (!views.ok()) return Failed(path, views.status());
    Recovered();
    ++page_views_;
    spdlog::debug("yelb-appserver: page view counted ({} in Redis)", *views);
    return Json(route == "pageviews" ? std::to_string(*views) : StatsBody(hostname_, *views));
  }
  if (route == "getvotes") {
    auto votes = store_.ReadVotes();
    if (!votes.ok()) return Failed(path, votes.status());
    Recovered();
    return Json(VotesBody(*votes));
  }
  if (IsRestaurant(route)) {
    auto count = store_.Vote(route);
    if (!count.ok()) return Failed(path, count.status());
    Recovered();
    ++votes_;
    spdlog::info("yelb-appserver: vote counted for {} (now {})", route, *count);
    HttpReply reply{200, CorsHeaders(), std::to_string(*count)};
    reply.headers.emplace_back("Content-Type", std::string(kSinatraHtmlType));
    return reply;
  }
  return NotFoundReply();
}

}  // namespace crossmesh::yelb
