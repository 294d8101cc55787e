// SignRequest and Verify together: requests shaped like awscli 2.9.19 and the AWS SDK for
// JavaScript v3 (reference doc section 2) are signed and verified, then changed one piece at a
// time to check each failure code and message. Time is injected; nothing reads the real clock.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "emulator/auth/signer.h"
#include "emulator/auth/sigv4.h"

namespace crossmesh::auth {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

const SigningCredentials kAccountA{"AKIAEXAMPLEACCOUNTA1", "account-a-secret/EXAMPLEKEY+1"};

std::optional<std::string> SecretFor(std::string_view access_key_id) {
  if (access_key_id == kAccountA.access_key_id) return kAccountA.secret_access_key;
  return std::nullopt;
}

// 20261204T152527Z, the capture time in the wire-protocol reference.
system_clock::time_point Now() { return *ParseAmzDate("20261204T152527Z"); }

// acm-pca ListCertificateAuthorities as awscli sends it (JSON 1.1).
WireRequest CliListCertificateAuthorities() {
  WireRequest req;
  req.method = "POST";
  req.path = "/";
  req.headers = {{"Host", "127.0.0.1:8099"},
                 {"Accept-Encoding", "identity"},
                 {"X-Amz-Target", "ACMPrivateCA.ListCertificateAuthorities"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian"},
                 {"Content-Length", "2"}};
  req.body = "{}";
  return req;
}

WireRequest SignedCliRequest(system_clock::time_point signed_at = Now()) {
  WireRequest req = CliListCertificateAuthorities();
  REQUIRE(SignRequest(req, kAccountA, "us-east-1", "acm-pca", signed_at).ok());
  return req;
}

// The same call as the JS SDK v3 sends it, signed over all nine headers the SDK signs.
WireRequest SignedJsRequest() {
  WireRequest req;
  req.method = "POST";
  req.path = "/";
  req.body = "{\"MaxResults\":10}";
  req.headers = {{"host", "127.0.0.1:8099"},
                 {"content-type", "application/x-amz-json-1.1"},
                 {"x-amz-target", "ACMPrivateCA.ListCertificateAuthorities"},
                 {"x-amz-user-agent", "aws-sdk-js/3.654.0"},
                 {"user-agent", "aws-sdk-js/3.654.0 ua/2.0 os/linux#6.1.0 lang/js md/nodejs#18"},
                 {"amz-sdk-invocation-id", "6c7e5a0e-5b0c-4a8e-9d35-0b1c2d3e4f50"},
                 {"amz-sdk-request", "attempt=1; max=3"},
                 {"content-length", std::to_string(req.body.size())},
                 {"x-amz-content-sha256", HexSha256(req.body)},
                 {"x-amz-date", FormatAmzDate(Now())}};
  Result<std::string> authorization = AuthorizationFor(
      req, kAccountA, "us-east-1", "acm-pca",
      {"amz-sdk-invocation-id", "amz-sdk-request", "content-length", "content-type", "host",
       "x-amz-content-sha256", "x-amz-date", "x-amz-target", "x-amz-user-agent"});
  REQUIRE(authorization.ok());
  req.headers.emplace_back("authorization", *authorization);
  return req;
}

std::string SignedHeadersOf(const WireRequest& req) {
  Result<AuthorizationHeader> auth = ParseAuthorizationHeader(*req.Header("Authorization"));
  REQUIRE(auth.ok());
  std::string list;
  for (const std::string& name : auth->signed_headers) list += (list.empty() ? "" : ";") + name;
  return list;
}

void RequireFailure(const Result<VerifiedRequest>& verified, const std::string& code) {
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.status().code() == code);
}

TEST_CASE(
    "SignRequest signs an awscli-shaped request over content-type;host;x-amz-date;"
    "x-amz-target and Verify accepts it") {
  WireRequest req = SignedCliRequest();

  CHECK(*req.Header("X-Amz-Date") == "20261204T152527Z");
  CHECK_THAT(*req.Header("Authorization"),
             Catch::StartsWith("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEACCOUNTA1/20261204/"
                               "us-east-1/acm-pca/aws4_request, SignedHeaders=content-type;host;"
                               "x-amz-date;x-amz-target, Signature="));
  CHECK(req.Header("x-amz-content-sha256") == nullptr);

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());
  REQUIRE(verified.ok());
  CHECK(verified->access_key_id == "AKIAEXAMPLEACCOUNTA1");
  CHECK(verified->region == "us-east-1");
  CHECK(verified->service == "acm-pca");
  CHECK(verified->amz_date == "20261204T152527Z");
}

TEST_CASE(
    "SignRequest reproduces the published get-vanilla and post-x-www-form-urlencoded "
    "Authorization headers") {
  const SigningCredentials suite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
  const auto at = *ParseAmzDate("20150830T123600Z");
  const std::string prefix =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

  WireRequest get;
  get.method = "GET";
  get.path = "/";
  REQUIRE(SignRequest(get, suite, "us-east-1", "service", at, false, "example.amazonaws.com").ok());
  CHECK(*get.Header("Authorization") ==
        prefix +
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");

  WireRequest post;
  post.method = "POST";
  post.path = "/";
  post.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                  {"Host", "example.amazonaws.com"}};
  post.body = "Param1=value1";
  REQUIRE(SignRequest(post, suite, "us-east-1", "service", at).ok());
  CHECK(*post.Header("Authorization") ==
        prefix +
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST_CASE(
    "A JS-SDK-shaped request signed over nine headers including x-amz-content-sha256 "
    "verifies") {
  WireRequest req = SignedJsRequest();
  CHECK(SignedHeadersOf(req) ==
        "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
        "x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent");

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());
  REQUIRE(verified.ok());
  CHECK(verified->service == "acm-pca");
}

TEST_CASE(
    "SignRequest with include_content_sha256 adds and signs the body hash like the JS "
    "SDK") {
  WireRequest req = CliListCertificateAuthorities();
  REQUIRE(SignRequest(req, kAccountA, "us-east-1", "acm-pca", Now(), true).ok());

  CHECK(*req.Header("x-amz-content-sha256") == HexSha256("{}"));
  CHECK(SignedHeadersOf(req) == "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target");
  CHECK(Verify(req, SecretFor, Now()).ok());
}

TEST_CASE("SignRequest takes Host from host_header only when the request has none") {
  WireRequest without_host;
  without_host.method = "GET";
  without_host.path = "/v20190125/meshes";
  REQUIRE(
      SignRequest(without_host, kAccountA, "us-east-1", "appmesh", Now(), false, "127.0.0.1:8099")
          .ok());
  CHECK(*without_host.Header("Host") == "127.0.0.1:8099");
  CHECK(SignedHeadersOf(without_host) == "host;x-amz-date");
  CHECK(Verify(without_host, SecretFor, Now()).ok());

  WireRequest with_host = SignedCliRequest();
  REQUIRE(SignRequest(with_host, kAccountA, "us-east-1", "acm-pca", Now(), false, "other:1").ok());
  CHECK(*with_host.Header("Host") == "127.0.0.1:8099");

  WireRequest no_host_at_all;
  no_host_at_all.method = "GET";
  no_host_at_all.path = "/";
  Status status = SignRequest(no_host_at_all, kAccountA, "us-east-1", "appmesh", Now());
  CHECK(status.code() == "IncompleteSignatureException");
  CHECK(no_host_at_all.Header("Authorization") == nullptr);
}

TEST_CASE("Verify rejects a request changed after signing with InvalidSignatureException") {
  struct Case {
    std::string what;
    std::function<void(WireRequest&)> change;
  };
  const std::vector<Case> cases = {
      {"one body byte", [](WireRequest& r) { r.body = "{ "; }},
      {"signed header x-amz-target",
       [](WireRequest& r) {
         r.SetHeader("X-Amz-Target", "ACMPrivateCA.DeleteCertificateAuthority");
       }},
      {"signed header content-type",
       [](WireRequest& r) { r.SetHeader("Content-Type", "application/json"); }},
      {"path", [](WireRequest& r) { r.path = "/x"; }},
      {"query", [](WireRequest& r) { r.query = "a=1"; }},
      {"method", [](WireRequest& r) { r.method = "PUT"; }},
      {"host", [](WireRequest& r) { r.SetHeader("Host", "127.0.0.1:8100"); }},
      {"scope region",
       [](WireRequest& r) {
         std::string auth = *r.Header("Authorization");
         auth.replace(auth.find("us-east-1"), 9, "eu-west-1");
         r.SetHeader("Authorization", auth);
       }},
      {"signature",
       [](WireRequest& r) {
         std::string auth = *r.Header("Authorization");
         auth.back() = auth.back() == '0' ? '1' : '0';
         r.SetHeader("Authorization", auth);
       }},
  };
  for (const Case& c : cases) {
    INFO("changed: " << c.what);
    WireRequest req = SignedCliRequest();
    c.change(req);
    Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());
    RequireFailure(verified, "InvalidSignatureException");
    CHECK_THAT(verified.status().message(),
               Catch::StartsWith("The request signature we calculated does not match the "
                                 "signature you provided. Check your AWS Secret Access Key and "
                                 "signing method."));
  }
}

TEST_CASE("Verify rejects a request signed with a different secret for the same access key") {
  WireRequest req = CliListCertificateAuthorities();
  const SigningCredentials wrong_secret{kAccountA.access_key_id, "not-the-secret"};
  REQUIRE(SignRequest(req, wrong_secret, "us-east-1", "acm-pca", Now()).ok());

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());

  RequireFailure(verified, "InvalidSignatureException");
  CHECK_THAT(verified.status().message(), Catch::Contains("The Canonical String for this request"));
}

TEST_CASE("Verify ignores changes to headers that were not signed") {
  WireRequest req = SignedCliRequest();
  req.SetHeader("User-Agent", "something-else/1.0");
  req.SetHeader("Accept-Encoding", "gzip");

  CHECK(Verify(req, SecretFor, Now()).ok());
}

TEST_CASE("Verify rejects an unsigned X-Amz-Target, which would let the operation be swapped") {
  WireRequest req = CliListCertificateAuthorities();
  req.headers.emplace_back("X-Amz-Date", FormatAmzDate(Now()));
  Result<std::string> authorization =
      AuthorizationFor(req, kAccountA, "us-east-1", "acm-pca", {"host", "x-amz-date"});
  REQUIRE(authorization.ok());
  req.headers.emplace_back("Authorization", *authorization);
  req.SetHeader("X-Amz-Target", "ACMPrivateCA.GetCertificateAuthorityCsr");

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());

  RequireFailure(verified, "IncompleteSignatureException");
  CHECK_THAT(verified.status().message(), Catch::Contains("leaves out 'x-amz-target'"));
}

TEST_CASE("Verify rejects a request with two Authorization headers") {
  WireRequest req = SignedCliRequest();
  req.headers.emplace_back("Authorization", *req.Header("Authorization"));

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());

  RequireFailure(verified, "IncompleteSignatureException");
  CHECK_THAT(verified.status().message(), Catch::Contains("send exactly one"));
}

TEST_CASE(
    "Verify rejects a JS-SDK-shaped request whose body no longer matches "
    "x-amz-content-sha256 with InvalidSignatureException") {
  WireRequest req = SignedJsRequest();
  req.body = "{\"MaxResults\":11}";

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());

  RequireFailure(verified, "InvalidSignatureException");
  CHECK_THAT(verified.status().message(),
             Catch::Contains("x-amz-content-sha256") &&
                 Catch::Contains("does not match the SHA-256 of the request body"));
}

TEST_CASE("Verify rejects an unknown access key id with UnrecognizedClientException") {
  WireRequest req = CliListCertificateAuthorities();
  const SigningCredentials unknown{"AKIAUNKNOWNKEY000000", "whatever"};
  REQUIRE(SignRequest(req, unknown, "us-east-1", "acm-pca", Now()).ok());

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());

  RequireFailure(verified, "UnrecognizedClientException");
  CHECK_THAT(verified.status().message(),
             Catch::StartsWith("The security token included in the request is invalid.") &&
                 Catch::Contains("AKIAUNKNOWNKEY000000"));
}

TEST_CASE(
    "Verify rejects a request without an Authorization header with "
    "MissingAuthenticationTokenException") {
  WireRequest req = CliListCertificateAuthorities();
  req.SetHeader("X-Amz-Date", "20261204T152527Z");

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());

  RequireFailure(verified, "MissingAuthenticationTokenException");
  CHECK_THAT(verified.status().message(), Catch::Contains("no Authorization header"));
}

TEST_CASE(
    "Verify rejects malformed Authorization or X-Amz-Date with "
    "IncompleteSignatureException") {
  auto replace = [](WireRequest& r, const std::string& from, const std::string& to) {
    std::string auth = *r.Header("Authorization");
    auth.replace(auth.find(from), from.size(), to);
    r.SetHeader("Authorization", auth);
  };
  auto drop_header = [](WireRequest& r, const std::string& name) {
    std::erase_if(r.headers, [&](const auto& h) { return HeaderNameEquals(h.first, name); });
  };
  struct Case {
    std::string what;
    std::function<void(WireRequest&)> change;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {"wrong algorithm", [&](WireRequest& r) { replace(r, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"); },
       "Unsupported AWS 'algorithm'"},
      {"no Credential", [&](WireRequest& r) { replace(r, "Credential=", "Cred="); },
       "'Cred' is unknown"},
      {"no SignedHeaders",
       [&](WireRequest& r) {
         replace(r, "SignedHeaders=content-type;host;x-amz-date;x-amz-target, ", "");
       },
       "requires 'SignedHeaders' parameter"},
      {"no Signature", [&](WireRequest& r) { replace(r, ", Signature=", ", "); }, "has no '='"},
      {"scope without service", [&](WireRequest& r) { replace(r, "/acm-pca/", "/"); },
       "is malformed"},
      {"wrong terminator", [&](WireRequest& r) { replace(r, "aws4_request", "aws4_reqest"); },
       "valid terminator"},
      {"no X-Amz-Date", [&](WireRequest& r) { drop_header(r, "X-Amz-Date"); },
       "requires existence of an 'X-Amz-Date' header"},
      {"X-Amz-Date not ISO-8601 basic",
       [](WireRequest& r) { r.SetHeader("X-Amz-Date", "2026-12-04T15:25:27Z"); },
       "must be in ISO-8601 basic format"},
      {"scope date differs from X-Amz-Date",
       [&](WireRequest& r) { replace(r, "/20261204/", "/20261203/"); },
       "'20261203' != '20261204', from '20261204T152527Z'"},
      {"signed header missing from the request",
       [&](WireRequest& r) { drop_header(r, "X-Amz-Target"); },
       "Header 'x-amz-target' is listed in SignedHeaders but the request does not send it"},
      {"host not signed",
       [&](WireRequest& r) {
         replace(r, "content-type;host;x-amz-date", "content-type;x-amz-date");
       },
       "must include 'host'"},
      {"short signature",
       [&](WireRequest& r) {
         std::string auth = *r.Header("Authorization");
         auth.pop_back();
         r.SetHeader("Authorization", auth);
       },
       "64 lowercase hex digits"},
  };
  for (const Case& c : cases) {
    INFO("malformed: " << c.what);
    WireRequest req = SignedCliRequest();
    c.change(req);
    Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());
    RequireFailure(verified, "IncompleteSignatureException");
    CHECK_THAT(verified.status().message(), Catch::Contains(c.message_part));
  }
}

TEST_CASE("Verify rejects a request whose X-Amz-Date is 16 minutes old with Signature expired") {
  WireRequest req = SignedCliRequest(Now() - 16min);

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());

  RequireFailure(verified, "InvalidSignatureException");
  CHECK_THAT(verified.status().message(),
             Catch::StartsWith("Signature expired: 20261204T150927Z is now earlier than "
                               "20261204T151027Z (20261204T152527Z - 15 min.)"));
}

TEST_CASE(
    "Verify rejects a request whose X-Amz-Date is 16 minutes in the future with Signature "
    "expired") {
  WireRequest req = SignedCliRequest(Now() + 16min);

  Result<VerifiedRequest> verified = Verify(req, SecretFor, Now());

  RequireFailure(verified, "InvalidSignatureException");
  CHECK_THAT(verified.status().message(),
             Catch::StartsWith("Signature not yet current: 20261204T154127Z is still later than "
                               "20261204T154027Z (20261204T152527Z + 15 min.)"));
}

TEST_CASE("Verify accepts a request signed up to 15 minutes before or after its own clock") {
  for (auto skew : {-15min, -14min, 14min, 15min}) {
    INFO("signed at now + " << skew.count() << " min");
    WireRequest req = SignedCliRequest(Now() + skew);
    CHECK(Verify(req, SecretFor, Now()).ok());
  }
  WireRequest one_second_late = SignedCliRequest(Now() - 15min - 1s);
  CHECK_FALSE(Verify(one_second_late, SecretFor, Now()).ok());
}

TEST_CASE(
    "A percent-encoded appmesh path with a space is signed and verified with the path "
    "encoded twice") {
  WireRequest req;
  req.method = "GET";
  req.path = "/v20190125/meshes/m%20x/virtualNodes";
  req.query = "meshOwner=111111111111&limit=10";
  REQUIRE(SignRequest(req, kAccountA, "us-east-1", "appmesh", Now(), false, "127.0.0.1:8099").ok());

  Result<std::string> canonical = CanonicalRequest(req, {"host", "x-amz-date"});
  REQUIRE(canonical.ok());
  CHECK_THAT(*canonical, Catch::StartsWith("GET\n/v20190125/meshes/m%2520x/virtualNodes\n"
                                           "limit=10&meshOwner=111111111111\n"));
  CHECK(Verify(req, SecretFor, Now()).ok());

  // A server that decoded the space before verifying would compute a different signature.
  req.path = "/v20190125/meshes/m x/virtualNodes";
  RequireFailure(Verify(req, SecretFor, Now()), "InvalidSignatureException");
}

}  // namespace
}  // namespace crossmesh::auth
