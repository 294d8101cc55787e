#include "harness/yelb/yelb_answers.h"

#include <fmt/format.h>

#include "harness/yelb/yelb_data.h"

namespace crossmesh::yelb {

std::string StatsBody(std::string_view hostname, int64_t pageviews) {
  return fmt::format(R"({{"hostname": "{}", "pageviews":{}}})", hostname, pageviews);
}

std::string VotesBody(const VoteCounts& votes) {
  auto count = [&](std::string_view id) {
    auto it = votes.find(std::string(id));
    return it == votes.end() ? int64_t{0} : it->second;
  };
  return fmt::format(
      R"([{{"name": "outback", "value": {}}},{{"name": "bucadibeppo", "value": {}}},)"
      R"({{"name": "ihop", "value": {}}}, {{"name": "chipotle", "value": {}}}])",
      count("outback"), count("bucadibeppo"), count("ihop"), count("chipotle"));
}

HttpHeaders CorsHeaders() {
  return {
      {"Access-Control-Allow-Origin", "*"},
      {"Access-Control-Allow-Headers",
       "Authorization,Accepts,Content-Type,X-CSRF-Token,X-Requested-With"},
      {"Access-Control-Allow-Methods", "GET,POST,PUT,DELETE,OPTIONS"},
  };
}

HttpReply NotFoundReply() {
  return {404, {{"Content-Type", std::string(kSinatraHtmlType)}}, "<h1>Not Found</h1>"};
}

HttpReply InternalErrorReply() {
  return {500, {{"Content-Type", std::string(kSinatraHtmlType)}}, "<h1>Internal Server Error</h1>"};
}

}  // namespace crossmesh::yelb
