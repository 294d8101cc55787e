// The request pipeline end to end over HTTP: SigV4 identity, dispatch, error shapes, admin API.
#include <catch2/catch.hpp>

#include "emulator/auth/signer.h"
#include "emulator/auth/sigv4.h"
#include "emulator/client/http_client.h"
#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::testing;

namespace {

WireRequest StsRequest() {
  WireRequest request;
  request.method = "POST";
  request.path = "/";
  request.SetHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = "Action=GetCallerIdentity&Version=2011-06-15";
  return request;
}

// ACM-PCA ListCertificateAuthorities as the frontend, signed with `secret` for `region`;
// `token`: an X-Amz-Security-Token to send along (signed over with the rest).
WireRequest SignedListCas(TestEmulator& t, const std::string& secret, const std::string& region,
                          const std::string& token = "") {
  const Account* account = t.emulator().accounts().FindByName("frontend");
  auto endpoint = ParseEndpointUrl(t.url());
  WireRequest json;
  json.method = "POST";
  json.path = "/";
  json.SetHeader("Content-Type", "application/x-amz-json-1.1");
  json.SetHeader("X-Amz-Target", "ACMPrivateCA.ListCertificateAuthorities");
  if (!token.empty()) json.SetHeader("X-Amz-Security-Token", token);
  json.body = "{}";
  REQUIRE(auth::SignRequest(json, {account->access_key_id, secret}, region, "acm-pca", Clock::now(),
                            false, endpoint->HostHeader())
              .ok());
  return json;
}

std::string FrontendSecret(TestEmulator& t) {
  return t.emulator().accounts().FindByName("frontend")->secret_access_key;
}

WireResponse SendUnsigned(TestEmulator& t, const WireRequest& request) {
  auto endpoint = ParseEndpointUrl(t.url());
  REQUIRE(endpoint.ok());
  auto response = SendHttp(*endpoint, request);
  REQUIRE(response.ok());
  return *response;
}

}  // namespace

TEST_CASE("GetCallerIdentity answers with the account the access key belongs to") {
  TestEmulator t;
  for (const char* name : {"frontend", "backend"}) {
    INFO(name);
    WireResponse response = t.Send(name, StsRequest(), "sts");
    CHECK(response.status == 200);
    const Account* account = t.emulator().accounts().FindByName(name);
    CHECK_THAT(response.body, Catch::Contains("<Account>" + account->id + "</Account>"));
    CHECK_THAT(response.body, Catch::Contains("<Arn>arn:aws:iam::" + account->id + ":root</Arn>"));
    CHECK_THAT(response.body, Catch::Contains("<RequestId>"));
    REQUIRE(response.Header("x-amzn-RequestId"));
  }
}

TEST_CASE("A JS-SDK-shaped request with x-amz-content-sha256 and nine signed headers verifies") {
  TestEmulator t;
  const Account* account = t.emulator().accounts().FindByName("backend");
  auto endpoint = ParseEndpointUrl(t.url());
  WireRequest request = StsRequest();
  request.SetHeader("Content-Type", "application/x-www-form-urlencoded");
  request.SetHeader("amz-sdk-invocation-id", "8fe82d2b-dff4-4b03-b34d-78b3e3d48d1f");
  request.SetHeader("amz-sdk-request", "attempt=1; max=1");
  request.SetHeader("content-length", std::to_string(request.body.size()));
  request.SetHeader("x-amz-user-agent", "aws-sdk-js/3.1177.0");
  request.SetHeader("Host", endpoint->HostHeader());
  request.SetHeader("x-amz-content-sha256", Sha256Hex(request.body));
  request.SetHeader("X-Amz-Date", auth::FormatAmzDate(Clock::now()));
  auto authorization = auth::AuthorizationFor(
      request, {account->access_key_id, account->secret_access_key}, "us-east-1", "sts",
      {"amz-sdk-invocation-id", "amz-sdk-request", "content-length", "content-type", "host",
       "x-amz-content-sha256", "x-amz-date", "x-amz-user-agent"});
  REQUIRE(authorization.ok());
  request.SetHeader("Authorization", *authorization);

  WireResponse response = SendUnsigned(t, request);
  CHECK(response.status == 200);
  CHECK_THAT(response.body, Catch::Contains("<Account>222222222222</Account>"));
}

TEST_CASE("A wrong secret fails with SignatureDoesNotMatch for STS and InvalidSignature for JSON") {
  TestEmulator t;
  const Account* account = t.emulator().accounts().FindByName("frontend");
  auto endpoint = ParseEndpointUrl(t.url());

  WireRequest sts = StsRequest();
  REQUIRE(auth::SignRequest(sts, {account->access_key_id, "not-the-secret"}, "us-west-2", "sts",
                            Clock::now(), false, endpoint->HostHeader())
              .ok());
  WireResponse sts_response = SendUnsigned(t, sts);
  CHECK(sts_response.status == 403);
  CHECK_THAT(sts_response.body, Catch::Contains("<Code>SignatureDoesNotMatch</Code>"));
  CHECK_THAT(sts_response.body, Catch::Contains("<ErrorResponse"));

  WireResponse json_response = SendUnsigned(t, SignedListCas(t, "not-the-secret", "us-west-2"));
  CHECK(json_response.status == 403);
  CHECK(BodyJson(json_response)["__type"] == "InvalidSignatureException");
}

TEST_CASE("A request signed for a region that is no region name is refused, creating nothing") {
  TestEmulator t;

  WireResponse response = SendUnsigned(t, SignedListCas(t, FrontendSecret(t), "a:b"));

  CHECK(response.status >= 400);
  CHECK(BodyJson(response)["__type"] == "IncompleteSignatureException");
  CHECK_THAT(BodyJson(response)["message"].get<std::string>(),
             Catch::Contains("'a:b' is not a region name"));
}

TEST_CASE("A session token, which no crossmesh key takes, is refused as an invalid token") {
  TestEmulator t;

  WireResponse response =
      SendUnsigned(t, SignedListCas(t, FrontendSecret(t), "us-west-2", "FwoGZXIvYXdzEGarbage"));

  CHECK(BodyJson(response)["__type"] == "UnrecognizedClientException");
  CHECK_THAT(BodyJson(response)["message"].get<std::string>(),
             Catch::Contains("unset AWS_SESSION_TOKEN"));
}

TEST_CASE("An unknown access key is InvalidClientTokenId for STS") {
  TestEmulator t;
  auto endpoint = ParseEndpointUrl(t.url());
  WireRequest sts = StsRequest();
  REQUIRE(auth::SignRequest(sts, {"AKIAUNKNOWNUNKNOWN00", "x"}, "us-west-2", "sts", Clock::now(),
                            false, endpoint->HostHeader())
              .ok());
  WireResponse response = SendUnsigned(t, sts);
  CHECK(response.status == 403);
  CHECK_THAT(response.body, Catch::Contains("<Code>InvalidClientTokenId</Code>"));
}

TEST_CASE("The access key decides the account; nothing in the request body overrides it") {
  TestEmulator t;
  WireRequest request = StsRequest();
  request.body += "&Account=111111111111&AccountId=111111111111";
  WireResponse response = t.Send("backend", request, "sts");
  CHECK(response.status == 200);
  CHECK_THAT(response.body, Catch::Contains("<Account>222222222222</Account>"));
}

TEST_CASE("Unknown operations get an AWS-shaped error naming them, in each protocol") {
  TestEmulator t;

  WireRequest sts = StsRequest();
  sts.body = "Action=AssumeRoleWithMagic&Version=2011-06-15";
  WireResponse sts_response = t.Send("frontend", sts, "sts");
  CHECK(sts_response.status == 400);
  CHECK_THAT(sts_response.body, Catch::Contains("<Code>InvalidAction</Code>"));
  CHECK_THAT(sts_response.body, Catch::Contains("AssumeRoleWithMagic"));

  sts.body = "Action=GetCallerIdentity&Version=1999-01-01";  // a version STS never had
  WireResponse old_version = t.Send("frontend", sts, "sts");
  CHECK(old_version.status == 400);
  CHECK_THAT(old_version.body, Catch::Contains("<Code>InvalidAction</Code>"));
  CHECK_THAT(old_version.body, Catch::Contains("send Version=2011-06-15"));

  WireResponse unknown_service =
      t.JsonCall("frontend", "kinesis", "Kinesis_20131202.ListStreams", nlohmann::json::object());
  CHECK(unknown_service.status == 400);
  CHECK(BodyJson(unknown_service)["__type"] == "UnknownOperationException");
  CHECK_THAT(BodyJson(unknown_service)["message"].get<std::string>(), Catch::Contains("'kinesis'"));
}

TEST_CASE("The admin API reads health, advances the clock and resets state") {
  TestEmulator t;
  WireRequest health;
  health.method = "GET";
  health.path = "/_crossmesh/health";
  WireResponse h = SendUnsigned(t, health);
  CHECK(h.status == 200);
  CHECK(BodyJson(h)["status"] == "ok");
  CHECK(BodyJson(h)["accounts"].size() == 2);

  WireRequest advance;
  advance.method = "POST";
  advance.path = "/_crossmesh/clock/advance";
  advance.body = R"({"by":"340d"})";
  WireResponse a = SendUnsigned(t, advance);
  CHECK(a.status == 200);
  CHECK(BodyJson(a)["offset_seconds"].get<int64_t>() >= 340 * 86400);
  CHECK(t.emulator().clock().Offset() >= std::chrono::hours(24 * 340));

  advance.body = R"({"by":"soon"})";
  WireResponse bad = SendUnsigned(t, advance);
  CHECK(bad.status == 400);
  CHECK_THAT(BodyJson(bad)["message"].get<std::string>(), Catch::Contains("invalid duration"));

  advance.body = "{not json";
  CHECK(SendUnsigned(t, advance).status == 400);
  advance.body = R"({"seconds": 1e400})";  // beyond a double: a bad body, not a server fault
  WireResponse huge = SendUnsigned(t, advance);
  CHECK(huge.status == 400);
  CHECK(BodyJson(huge)["__type"] == "SerializationException");
  advance.body = std::string(100000, '[') + std::string(100000, ']');
  WireResponse deep = SendUnsigned(t, advance);
  CHECK(deep.status == 400);
  CHECK_THAT(BodyJson(deep)["message"].get<std::string>(), Catch::Contains("nests more than 512"));
  // Each wrong body says what in it is wrong.
  for (const auto& [sent, said] : std::vector<std::pair<std::string, std::string>>{
           {R"({"seconds": 0.5})", "'seconds' is 0.5, not a whole number"},
           {R"({"seconds": "5"})", "'seconds' is \"5\", not a whole number"},
           {R"({"by": 5})", "'by' is a JSON number, not a string"},
           {"[]", "the body is a JSON array"},
           {"{}", "the body names neither 'by' nor 'seconds'"},
           // The clock keeps whole seconds: these moved nothing, answering 200.
           {R"({"by": "999ms"})", "the virtual clock moves in whole seconds, and '999ms'"},
           {R"({"seconds": 0})", "the virtual clock moves in whole seconds, and 0 seconds"}}) {
    advance.body = sent;
    WireResponse wrong = SendUnsigned(t, advance);
    CHECK(wrong.status == 400);
    CHECK_THAT(BodyJson(wrong)["message"].get<std::string>(), Catch::StartsWith(said));
  }

  WireRequest reset;
  reset.method = "POST";
  reset.path = "/_crossmesh/reset";
  CHECK(SendUnsigned(t, reset).status == 200);
  CHECK(t.emulator().clock().Offset().count() == 0);
}

TEST_CASE("The admin API refuses callers that are not on loopback") {
  TestEmulator t;
  WireRequest request;
  request.method = "POST";
  request.path = "/_crossmesh/reset";
  request.remote_address = "192.0.2.10";  // documentation range; never contacted
  WireResponse response = t.emulator().Handle(request);
  CHECK(response.status == 403);
  CHECK_THAT(response.body, Catch::Contains("loopback callers only"));
}

TEST_CASE("The admin API refuses a web page's requests: a foreign Origin or a rebound Host") {
  TestEmulator t;
  WireRequest reset;
  reset.method = "POST";
  reset.path = "/_crossmesh/reset";
  reset.SetHeader("Origin", "http://evil.example");
  WireResponse from_page = t.emulator().Handle(reset);
  CHECK(from_page.status == 403);
  CHECK_THAT(from_page.body, Catch::Contains("Origin 'http://evil.example' is not loopback"));

  WireRequest advance;
  advance.method = "POST";
  advance.path = "/_crossmesh/clock/advance";
  advance.body = R"({"by":"340d"})";
  advance.SetHeader("Host", "evil.example:4580");
  CHECK(t.emulator().Handle(advance).status == 403);
  // Only a port may follow the host: some parsers read the part after '@' as the host.
  advance.SetHeader("Host", "127.0.0.1:1@evil.example");
  CHECK(t.emulator().Handle(advance).status == 403);
  advance.SetHeader("Host", "127.0.0.1/evil");
  CHECK(t.emulator().Handle(advance).status == 403);
  CHECK(t.emulator().clock().Offset().count() == 0);

  // The CLI and curl on this machine name loopback, and are answered.
  advance.SetHeader("Host", "[::1]:4580");
  advance.SetHeader("Origin", "http://localhost:4580");
  CHECK(t.emulator().Handle(advance).status == 200);
}

TEST_CASE("Advancing the clock runs due events in time order, each at its own time") {
  struct Recorder : TimedEventSource {
    std::vector<TimePoint> pending;
    std::vector<std::pair<TimePoint, TimePoint>> ran;  // (due, clock when run)
    VirtualClock* clock = nullptr;
    std::optional<TimePoint> NextDue(Store&) override {
      if (pending.empty()) return std::nullopt;
      return *std::min_element(pending.begin(), pending.end());
    }
    Status RunDue(Store&, TimePoint now) override {
      auto it = std::min_element(pending.begin(), pending.end());
      if (it != pending.end() && *it <= now) {
        ran.emplace_back(*it, clock->Now());
        pending.erase(it);
      }
      return Status::Ok();
    }
  };
  TestEmulator t;
  Recorder recorder;
  recorder.clock = &t.emulator().clock();
  TimePoint start = t.emulator().clock().Now();
  using days = std::chrono::duration<int64_t, std::ratio<86400>>;
  recorder.pending = {start + days(30), start + days(10), start + days(500)};
  t.emulator().AddTimedEvents(&recorder);

  REQUIRE(t.emulator().AdvanceClock(days(100)).ok());
  REQUIRE(recorder.ran.size() == 2);
  CHECK(recorder.ran[0].first == start + days(10));
  CHECK(recorder.ran[1].first == start + days(30));
  CHECK(recorder.ran[0].second >= start + days(10));
  CHECK(recorder.ran[0].second < start + days(11));
  CHECK(recorder.pending.size() == 1);
}

TEST_CASE("The clock refuses to move back or more than 100 years at once, and stays put") {
  TestEmulator t;
  const std::chrono::seconds before = t.emulator().clock().Offset();

  Status back = t.emulator().AdvanceClock(std::chrono::seconds(-1));
  CHECK(back.code() == "InvalidParameterValue");

  Status far = t.emulator().AdvanceClock(std::chrono::hours(24 * 365 * 1000));
  CHECK(far.code() == "InvalidParameterValue");
  CHECK_THAT(far.message(), Catch::Contains("at most 100 years"));
  CHECK(t.emulator().clock().Offset() == before);

  REQUIRE(t.emulator().AdvanceClock(std::chrono::hours(24 * 365 * 100)).ok());
  CHECK(t.emulator().clock().Offset() > before);
}

TEST_CASE("The clock stops short of 2200 instead of wrapping around to the past") {
  TestEmulator t;
  const auto century = std::chrono::hours(24 * 365 * 100);
  REQUIRE(t.emulator().AdvanceClock(century).ok());                            // 2126
  REQUIRE(t.emulator().AdvanceClock(std::chrono::hours(24 * 365 * 50)).ok());  // 2176
  const TimePoint before = t.emulator().clock().Now();

  // 2276 and, step by step, 2236 would pass the latest time crossmesh represents.
  Status far = t.emulator().AdvanceClock(century);
  CHECK(far.code() == "InvalidParameterValue");
  CHECK_THAT(far.message(), Catch::Contains("2200-01-01T00:00:00Z"));
  for (int i = 0; i < 6; ++i) (void)t.emulator().AdvanceClock(std::chrono::hours(24 * 365 * 10));

  const TimePoint after = t.emulator().clock().Now();
  CHECK(after >= before);
  CHECK(after <= Clock::from_time_t(kLatestVirtualTime));
}

TEST_CASE("The clock admin API refuses odd bodies with the form it takes") {
  TestEmulator t;
  WireRequest advance;
  advance.method = "POST";
  advance.path = "/_crossmesh/clock/advance";
  for (const char* body : {R"({"by":"1d","seconds":3})", R"({"by":"1d","extra":1})",
                           R"({"seconds":18446744073709551615})"}) {
    INFO(body);
    advance.body = body;
    WireResponse reply = SendUnsigned(t, advance);
    CHECK(reply.status == 400);
    CHECK(BodyJson(reply)["__type"] == "InvalidParameterValue");
  }
  CHECK(t.emulator().clock().Offset().count() == 0);
}
