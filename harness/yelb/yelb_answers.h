// The bodies and headers of Yelb's appserver answers, byte for byte as its Sinatra code builds
// them by hand (walkthrough-and-yelb.md section D), e.g. getstats' missing space after
// "pageviews": and getvotes' space before the chipotle entry.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/yelb/http_types.h"
#include "harness/yelb/yelb_store.h"

namespace crossmesh::yelb {

inline constexpr std::string_view kJsonType = "application/json";
inline constexpr std::string_view kSinatraHtmlType = "text/html;charset=utf-8";

// {"hostname": "<host>", "pageviews":<n>}
std::string StatsBody(std::string_view hostname, int64_t pageviews);
// [{"name": "outback", "value": N},{"name": "bucadibeppo", "value": N},{"name": "ihop", "value":
// N}, {"name": "chipotle", "value": N}]; a missing restaurant counts as 0.
std::string VotesBody(const VoteCounts& votes);

// The CORS headers every Yelb API route sets.
HttpHeaders CorsHeaders();

// Sinatra's production answers for an unknown route and for an exception.
HttpReply NotFoundReply();
HttpReply InternalErrorReply();

}  // namespace crossmesh::yelb
