// Bad input at the HTTP endpoint: each gets a clear AWS-shaped error (or a clean close when
// the peer is gone) and the server keeps serving everyone else.
#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/server/raw_exchange.h"
#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::testing;

namespace {

// A query-protocol (STS) request with `form` as its body.
WireRequest QueryRequest(std::string form) {
  WireRequest request;
  request.method = "POST";
  request.path = "/";
  request.SetHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = std::move(form);
  return request;
}

void RequireStillServing(TestEmulator& t) {
  WireRequest request = QueryRequest("Action=GetCallerIdentity&Version=2011-06-15");
  CHECK(t.Send("frontend", request, "sts").status == 200);
}

std::string Post(const std::string& headers, const std::string& body) {
  return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("Garbage bytes get a 400 BadRequestException and the server keeps serving") {
  TestEmulator t;
  std::string answer = RawExchange(t.url(), std::string("\x16\x03\x01\x02\x00\x01\xff\xfe", 8));
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 400"));
  CHECK_THAT(answer, Catch::Contains("BadRequestException"));
  CHECK_THAT(answer, Catch::Contains("malformed HTTP request"));
  RequireStillServing(t);
}

TEST_CASE("A truncated request is dropped quietly and the server keeps serving") {
  TestEmulator t;
  std::string full = Post("Content-Type: application/x-amz-json-1.1\r\n", "{\"a\":1}");
  std::string answer = RawExchange(t.url(), full.substr(0, full.size() - 3));
  CHECK(answer.empty());
  CHECK(RawExchange(t.url(), "POST / HTT").empty());
  RequireStillServing(t);
}

TEST_CASE("An oversized body gets 413 RequestEntityTooLargeException naming the limit") {
  TestEmulator t;
  std::string body(9 * 1024 * 1024, 'x');
  std::string answer =
      RawExchange(t.url(), Post("Content-Type: application/x-amz-json-1.1\r\n", body));
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 413"));
  CHECK_THAT(answer, Catch::Contains("RequestEntityTooLargeException"));
  CHECK_THAT(answer, Catch::Contains("--max-body-bytes"));
  RequireStillServing(t);
}

TEST_CASE("Oversized headers get 431 and the server keeps serving") {
  TestEmulator t;
  std::string answer =
      RawExchange(t.url(), Post("X-Big: " + std::string(100 * 1024, 'h') + "\r\n", "{}"));
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 431"));
  RequireStillServing(t);
}

TEST_CASE("Requests with missing or malformed authentication get the AWS error for each") {
  TestEmulator t;
  const std::string json =
      "Content-Type: application/x-amz-json-1.1\r\n"
      "X-Amz-Target: ACMPrivateCA.ListCertificateAuthorities\r\n";
  const std::string date = "X-Amz-Date: 20261204T152510Z\r\n";
  struct Case {
    std::string name;
    std::string headers;
    std::string code;
  };
  const Case cases[] = {
      {"no Authorization header", json + date, "MissingAuthenticationTokenException"},
      {"wrong algorithm", json + date + "Authorization: AWS4-HMAC-MD5 Credential=x\r\n",
       "IncompleteSignatureException"},
      {"no Signature",
       json + date +
           "Authorization: AWS4-HMAC-SHA256 Credential=AKIAT5KC6MRJC7EW3H4T/20261204/"
           "us-west-2/acm-pca/aws4_request, SignedHeaders=host;x-amz-date\r\n",
       "IncompleteSignatureException"},
      {"short credential scope",
       json + date +
           "Authorization: AWS4-HMAC-SHA256 Credential=AKIAT5KC6MRJC7EW3H4T/20261204, "
           "SignedHeaders=host;x-amz-date, Signature=" +
           std::string(64, 'a') + "\r\n",
       "IncompleteSignatureException"},
      {"no X-Amz-Date",
       json +
           "Authorization: AWS4-HMAC-SHA256 Credential=AKIAT5KC6MRJC7EW3H4T/20261204/"
           "us-west-2/acm-pca/aws4_request, SignedHeaders=host;x-amz-date, Signature=" +
           std::string(64, 'a') + "\r\n",
       "IncompleteSignatureException"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    std::string answer = RawExchange(t.url(), Post(c.headers, "{}"));
    CHECK_THAT(answer, Catch::Contains("\"__type\":\"" + c.code + "\""));
    CHECK_THAT(answer, Catch::Contains("x-amzn-ErrorType: " + c.code));
  }
  RequireStillServing(t);
}

TEST_CASE("Malformed JSON in a signed request is a SerializationException at its byte") {
  TestEmulator t;
  WireRequest request;
  request.method = "POST";
  request.path = "/";
  request.SetHeader("Content-Type", "application/x-amz-json-1.1");
  request.SetHeader("X-Amz-Target", "ACMPrivateCA.ListCertificateAuthorities");
  request.body = "{\"MaxResults\": 5,";
  WireResponse response = t.Send("frontend", request, "acm-pca");
  CHECK(response.status == 400);
  CHECK(BodyJson(response)["__type"] == "SerializationException");
  CHECK_THAT(BodyJson(response)["message"].get<std::string>(), Catch::Contains("at byte"));
}

TEST_CASE("A signed body nested past 512 levels is refused before it is read, in every service") {
  TestEmulator t;
  // `levels` arrays inside the body's object: that object is one level more.
  const auto nested = [](size_t levels) {
    return std::string(levels, '[') + std::string(levels, ']');
  };
  WireRequest json11;
  json11.method = "POST";
  json11.path = "/";
  json11.SetHeader("Content-Type", "application/x-amz-json-1.1");
  json11.SetHeader("X-Amz-Target", "ACMPrivateCA.ListCertificateAuthorities");

  json11.body = "{\"MaxResults\":" + nested(511) + "}";
  WireResponse deepest = t.Send("frontend", json11, "acm-pca");
  json11.body = "{\"MaxResults\":" + nested(512) + "}";
  WireResponse too_deep = t.Send("frontend", json11, "acm-pca");
  // Before, copying or printing such a body overflowed the stack and took the server down.
  WireRequest rest;
  rest.method = "PUT";
  rest.path = "/v20190125/meshes";
  rest.SetHeader("Content-Type", "application/json");
  rest.body = "{\"meshName\":\"d\",\"spec\":" + nested(100000) + "}";
  WireResponse mesh = t.Send("frontend", rest, "appmesh");
  rest.method = "POST";
  rest.path = "/createresourceshare";
  rest.body = "{\"name\":\"d\",\"tags\":" + nested(100000) + "}";
  WireResponse share = t.Send("frontend", rest, "ram");

  CHECK(deepest.status == 400);
  CHECK_THAT(BodyJson(deepest)["message"].get<std::string>(), !Catch::Contains("deep"));
  CHECK(too_deep.status == 400);
  CHECK(BodyJson(too_deep)["__type"] == "SerializationException");
  CHECK(BodyJson(too_deep)["message"] ==
        "the request body nests arrays and objects more than 512 deep (at byte 525); no "
        "request shape nests that deep");
  for (const WireResponse& response : {mesh, share}) {  // REST-JSON's malformed-body error
    CHECK(response.status == 400);
    REQUIRE(response.Header("x-amzn-ErrorType") != nullptr);
    CHECK_THAT(*response.Header("x-amzn-ErrorType"), Catch::StartsWith("BadRequestException"));
    CHECK_THAT(BodyJson(response)["message"].get<std::string>(),
               Catch::Contains("nests arrays and objects more than 512 deep"));
  }
  RequireStillServing(t);
}

TEST_CASE("Unreadable numbers and invalid UTF-8 in signed requests get an answer, not a hang-up") {
  struct Case {
    const char* what;
    std::string target;
    std::string body;
    const char* code;
  };
  const std::string list = "ACMPrivateCA.ListCertificateAuthorities";
  const Case cases[] = {
      {"a number no double holds", list, R"({"MaxResults":1e400})", "SerializationException"},
      {"invalid UTF-8 in a value", list, "{\"X\":\"\xff\"}", "SerializationException"},
      {"invalid UTF-8 in a key", list, "{\"\xff\":1}", "SerializationException"},
      {"invalid UTF-8 in the target", "ACMPrivateCA.\xff", "{}", "UnknownOperationException"},
  };
  TestEmulator t;
  for (const Case& c : cases) {
    INFO(c.what);
    WireRequest request;
    request.method = "POST";
    request.path = "/";
    request.SetHeader("Content-Type", "application/x-amz-json-1.1");
    request.SetHeader("X-Amz-Target", c.target);
    request.body = c.body;
    WireResponse response = t.Send("frontend", request, "acm-pca");
    CHECK(response.status == 400);
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    REQUIRE_FALSE(body.is_discarded());
    CHECK(body["__type"] == c.code);
  }
  RequireStillServing(t);
}

TEST_CASE("Control characters from a query request never reach the XML error unescaped") {
  TestEmulator t;
  WireRequest request = QueryRequest("Action=Get%00X%1b&Version=2011-06-15");

  WireResponse response = t.Send("frontend", request, "sts");

  CHECK(response.status == 400);
  CHECK_THAT(response.body,
             Catch::Contains("<Code>") && Catch::Contains("Get\xEF\xBF\xBDX\xEF\xBF\xBD"));
  const bool only_xml_characters =
      std::none_of(response.body.begin(), response.body.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r';
      });
  CHECK(only_xml_characters);
  RequireStillServing(t);
}

TEST_CASE("A chunked request's trailers are not read as its headers") {
  TestEmulator t;
  const std::string request =
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
      "Transfer-Encoding: chunked\r\n\r\n2b\r\nAction=GetCallerIdentity&Version=2011-06-15"
      "\r\n0\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAT5KC6MRJC7EW3H4T/20261204/"
      "us-west-2/sts/aws4_request, SignedHeaders=host, Signature=00\r\n\r\n";

  const std::string answer = RawExchange(t.url(), request);

  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 4"));
  CHECK_THAT(answer, Catch::Contains("MissingAuthenticationToken"));
  RequireStillServing(t);
}

TEST_CASE("Keep-alive serves many requests on one connection") {
  TestEmulator t;
  std::string one = "GET /_crossmesh/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::string answer = RawExchange(t.url(), one + one + one);
  size_t count = 0;
  for (size_t at = 0; (at = answer.find("HTTP/1.1 200", at)) != std::string::npos; ++at) ++count;
  CHECK(count == 3);
}
