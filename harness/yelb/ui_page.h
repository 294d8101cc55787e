// The page yelb-ui serves: the four restaurants with vote buttons and counts, and the page views,
// as plain HTML plus a little script that calls the same API the Angular UI calls
// (/api/getvotes and /api/getstats on load, /api/<restaurant> on a vote, then getvotes again).
#pragma once

#include <string>

namespace crossmesh::yelb {

const std::string& YelbPageHtml();

}  // namespace crossmesh::yelb
