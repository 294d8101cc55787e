// Errors the HTTP server raises before a request is whole (a body that stalls, a body too
// large): each is answered in the wire protocol of the service the request was for, so an AWS
// client can parse it, and a connection that never made a request is still closed quietly.
#include <catch2/catch.hpp>
#include <chrono>

#include "tests/server/raw_exchange.h"
#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::testing;

namespace {

// A request whose headers name one protocol, and what its error must look like there.
struct ProtocolCase {
  const char* protocol;
  std::string head;  // request line and headers, without Content-Length
  const char* content_type;
  std::string body_mark;  // how the error code appears in the body
};

std::vector<ProtocolCase> ProtocolCases(const std::string& code) {
  const std::string signed_as =
      "Authorization: AWS4-HMAC-SHA256 Credential=AKIAT5KC6MRJC7EW3H4T/20261204/us-west-2/";
  const std::string signature = "/aws4_request, SignedHeaders=host, Signature=00\r\n";
  const std::string post = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  const std::string json_code = "\"__type\":\"" + code + "\"";
  const std::string xml_code = "<Code>" + code + "</Code>";
  return {
      {"JSON 1.1 by X-Amz-Target", post + "X-Amz-Target: ACMPrivateCA.IssueCertificate\r\n",
       "application/x-amz-json-1.1", json_code},
      {"JSON 1.1 by scope (acm)", post + signed_as + "acm" + signature,
       "application/x-amz-json-1.1", json_code},
      {"query by form body (STS)",
       post + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n", "text/xml",
       "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"},
      {"query by scope (IAM)",
       post + signed_as + "iam" + signature +
           "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n",
       "text/xml", "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"},
      {"query error code", post + "Content-Type: application/x-www-form-urlencoded\r\n", "text/xml",
       xml_code},
      {"REST-JSON by path (App Mesh)",
       "PUT /v20190125/meshes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n",
       "application/json", json_code},
      {"REST-JSON by scope (RAM)",
       "POST /createresourceshare HTTP/1.1\r\nHost: 127.0.0.1\r\n" + signed_as + "ram" + signature,
       "application/json", json_code},
  };
}

std::string WithBody(const std::string& head, size_t content_length, const std::string& body) {
  return head + "Content-Length: " + std::to_string(content_length) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("A request whose body stalls gets a 408 RequestTimeoutException in its protocol") {
  ServerOptions server;
  server.idle_timeout_seconds = 1;
  TestEmulator t({}, server);

  for (const ProtocolCase& c : ProtocolCases("RequestTimeoutException")) {
    INFO(c.protocol);
    std::string answer = RawExchange(t.url(), WithBody(c.head, 100, "{\"Ca"), false);
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 408"));
    CHECK_THAT(answer, Catch::Contains(std::string("Content-Type: ") + c.content_type));
    CHECK_THAT(answer, Catch::Contains(c.body_mark));
    CHECK_THAT(answer, Catch::Contains("did not arrive within 1 s"));
  }
}

TEST_CASE("A connection that sends nothing, or half its headers, is closed without an answer") {
  ServerOptions server;
  server.idle_timeout_seconds = 1;
  TestEmulator t({}, server);

  for (const std::string& bytes : {std::string(), std::string("POST / HTTP/1.1\r\nHost: 1")}) {
    INFO("sent: " << bytes);
    auto started = std::chrono::steady_clock::now();
    CHECK(RawExchange(t.url(), bytes, false).empty());
    // Closed by the server's timeout, not by the test's own 10 s receive timeout.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(8));
  }
}

TEST_CASE("Headers that trickle in past the header timeout are closed; a quiet connection is not") {
  ServerOptions server;
  server.idle_timeout_seconds = 30;
  server.header_timeout_seconds = 1;
  TestEmulator t({}, server);

  auto started = std::chrono::steady_clock::now();
  CHECK(RawExchange(t.url(), "POST / HTTP/1.1\r\nHost: 1", false).empty());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(8));

  // Quiet for longer than the header timeout, then a whole request: answered.
  const std::string request =
      "GET /v20190125/meshes HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string answer = RawExchange(t.url(), request, true, std::chrono::milliseconds(2000));
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 "));
}

TEST_CASE("An oversized body gets 413 RequestEntityTooLargeException in its protocol") {
  ServerOptions server;
  server.max_body_bytes = 1024;
  TestEmulator t({}, server);

  for (const ProtocolCase& c : ProtocolCases("RequestEntityTooLargeException")) {
    INFO(c.protocol);
    std::string answer = RawExchange(t.url(), WithBody(c.head, 4096, std::string(4096, 'x')));
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 413"));
    CHECK_THAT(answer, Catch::Contains(std::string("Content-Type: ") + c.content_type));
    CHECK_THAT(answer, Catch::Contains(c.body_mark));
    CHECK_THAT(answer, Catch::Contains("1024-byte limit"));
  }
}
