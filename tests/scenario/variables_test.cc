// Variables, captures by JSON path and the comparisons expectations use.
#include <catch2/catch.hpp>

#include "harness/scenario/variables.h"

using namespace crossmesh::scenario;
using nlohmann::json;

TEST_CASE("Substitution replaces every ${name}, base64-encodes on request and keeps $${") {
  Variables vars = {{"ca", "arn:aws:acm-pca:x"}, {"pem", "hello"}};
  CHECK(*Substitute("CA=${ca}, again ${ca}", vars) ==
        "CA=arn:aws:acm-pca:x, again arn:aws:acm-pca:x");
  CHECK(*Substitute("${pem|base64}", vars) == "aGVsbG8=");
  CHECK(*Substitute("$${HOME}", vars) == "${HOME}");
  auto missing = Substitute("${cert}", vars);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == "UnknownVariable");
  CHECK(missing.status().message().find("${cert}") != std::string::npos);
  CHECK_FALSE(Substitute("${pem|gzip}", vars).ok());
  CHECK(VariableNames("${a} and ${b|base64}") == std::vector<std::string>{"a", "b"});

  json body = {{"Arn", "${ca}"}, {"List", {"${pem}", 3}}, {"${pem}", true}};
  json done = *SubstituteJson(body, vars);
  CHECK(done["Arn"] == "arn:aws:acm-pca:x");
  CHECK(done["List"][0] == "hello");
  CHECK(done["List"][1] == 3);
  CHECK(done["hello"] == true);
}

TEST_CASE("JSON paths read nested members and list items, and name what is missing") {
  json answer = {{"CertificateAuthority", {{"Status", "ACTIVE"}, {"Serial", 7}}},
                 {"items", {{{"arn", "a0"}}, {{"arn", "a1"}}}}};
  CHECK(AsText(*JsonAt(answer, "CertificateAuthority.Status")) == "ACTIVE");
  CHECK(AsText(*JsonAt(answer, "CertificateAuthority.Serial")) == "7");
  CHECK(AsText(*JsonAt(answer, "items[1].arn")) == "a1");
  CHECK(*JsonAt(answer, "") == answer);

  auto missing = JsonAt(answer, "CertificateAuthority.Type");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == "CaptureFailed");
  CHECK(missing.status().message().find("has no 'Type' (it has Serial, Status)") !=
        std::string::npos);
  auto out_of_range = JsonAt(answer, "items[5].arn");
  REQUIRE_FALSE(out_of_range.ok());
  CHECK(out_of_range.status().message().find("2 items") != std::string::npos);
}

TEST_CASE("A JSON path's syntax is checked on its own, before there is an answer to read") {
  for (const std::string good : {"", ".", "Certificate.Status", ".Certificate.Status", "items[0]",
                                 "[0].arn", "items[1][2].arn", "a.b[10].c"}) {
    INFO(good);
    CHECK(JsonPathProblem(good).empty());
  }
  CHECK(JsonPathProblem("Certificate..Status").find("an empty name at '.Status'") !=
        std::string::npos);
  CHECK(JsonPathProblem("items[x].arn").find("a bad index at '[x].arn'; write items[0]") !=
        std::string::npos);
  CHECK(JsonPathProblem("items[0").find("a bad index") != std::string::npos);
  // An index past any answer's size was read into an integer that overflowed (std::stoul threw
  // when the step ran): now refused as the file loads.
  CHECK(JsonPathProblem("Account[99999999999999999999]").find("at most 9 digits") !=
        std::string::npos);
  CHECK(JsonAt(json::array({1}), "[99999999999999999999]").status().code() == "CaptureFailed");
  CHECK(JsonPathProblem("items[]").find("a bad index") != std::string::npos);
  // jq refuses a leading zero; read as [1], it would hide a typo.
  CHECK(JsonPathProblem("items[01]").find("a bad index at '[01]'") != std::string::npos);
  CHECK(JsonPathProblem("items[01]").find("no leading zero") != std::string::npos);
  CHECK(JsonPathProblem("items[10]").empty());
  CHECK(JsonPathProblem("items[0]arn").find("goes on with 'arn'") != std::string::npos);
  CHECK(JsonPathProblem("Certificate.").find("goes on with '.'") != std::string::npos);
  CHECK(JsonPathProblem("a]b").find("goes on with ']b'") != std::string::npos);
}

TEST_CASE("Comparisons take a bare number or an operator and a number") {
  CHECK(ParseComparison("3")->Holds(3));
  CHECK_FALSE(ParseComparison("3")->Holds(4));
  CHECK(ParseComparison(">= 0.99")->Holds(1.0));
  CHECK_FALSE(ParseComparison(">= 0.99")->Holds(0.5));
  CHECK(ParseComparison("> 0")->Holds(1));
  CHECK_FALSE(ParseComparison("> 0")->Holds(0));
  CHECK(ParseComparison("!=0")->Holds(2));
  CHECK(ParseComparison("<= 10")->Holds(10));
  CHECK_FALSE(ParseComparison("about 3").ok());
  CHECK_FALSE(ParseComparison("").ok());
}
