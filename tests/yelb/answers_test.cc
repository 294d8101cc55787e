// Pure pieces: Yelb's answer shapes, endpoints, the binary search.
#include <catch2/catch.hpp>

#include "harness/yelb/binaries.h"
#include "harness/yelb/endpoint.h"
#include "harness/yelb/ui_page.h"
#include "harness/yelb/yelb_answers.h"

namespace crossmesh::yelb {
namespace {

TEST_CASE("Yelb's hand-built JSON answers are reproduced byte for byte") {
  CHECK(StatsBody("host-1", 7) == R"({"hostname": "host-1", "pageviews":7})");
  CHECK(VotesBody({{"outback", 3}, {"ihop", 1}, {"chipotle", 12}, {"bucadibeppo", 0}}) ==
        R"([{"name": "outback", "value": 3},{"name": "bucadibeppo", "value": 0},)"
        R"({"name": "ihop", "value": 1}, {"name": "chipotle", "value": 12}])");
  CHECK(NotFoundReply().status == 404);
  CHECK(InternalErrorReply().body == "<h1>Internal Server Error</h1>");
}

TEST_CASE("Endpoints parse HOST:PORT and stay on loopback") {
  struct Case {
    const char* text;
    bool ok;
  };
  for (auto [text, ok] :
       {Case{"127.0.2.4:5432", true}, Case{"127.0.0.1:1", true}, Case{"127.0.2.4", false},
        Case{"127.0.2.4:0", false}, Case{"127.0.2.4:65536", false}, Case{"10.0.0.1:80", false},
        Case{"localhost:80", false}, Case{"127.0.0.1:8x", false}}) {
    INFO(text);
    CHECK(ParseEndpoint(text).ok() == ok);
  }
  CHECK(ParseEndpoint("127.0.2.4:5432")->ToString() == "127.0.2.4:5432");
}

TEST_CASE("Binaries are found through glob patterns in the search path, newest version first") {
  auto initdb = FindBinary("initdb", {"/usr/lib/postgresql/*/bin"});
  if (initdb.ok()) CHECK_THAT(*initdb, Catch::StartsWith("/usr/lib/postgresql/"));
  auto missing = FindBinary("no-such-program", {"/nonexistent/*/bin", "/usr/bin"});
  CHECK(missing.status().code() == "MissingBinary");
  CHECK_THAT(missing.status().message(), Catch::Contains("/nonexistent/*/bin, /usr/bin"));
}

TEST_CASE("The UI page has a vote button and a count for each restaurant") {
  const std::string& page = YelbPageHtml();
  for (const char* id : {"outback", "bucadibeppo", "ihop", "chipotle"}) {
    CHECK_THAT(page, Catch::Contains(std::string("id=\"votes-") + id + "\""));
    CHECK_THAT(page, Catch::Contains(std::string("vote('") + id + "')"));
  }
}

}  // namespace
}  // namespace crossmesh::yelb
