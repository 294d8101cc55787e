// The real Debian AWS CLI (/usr/bin/aws, CLI 2.9) against ACM, with the real `openssl` checking
// what it gets. Each CLI call costs about a second, so each call checks several things.
#include <catch2/catch.hpp>

#include "tests/acm/acm_test_support.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

TEST_CASE("aws acm issues, waits for, describes, exports and lists a private certificate") {
  TestEmulator t;
  RootCa ca = CreateRootCa(t, "frontend");

  auto requested = t.Aws("frontend", {"acm", "request-certificate", "--domain-name",
                                      "*.example.com", "--certificate-authority-arn", ca.arn});
  INFO(requested.err);
  REQUIRE(requested.exit_code == 0);
  std::string arn = requested.Json()["CertificateArn"];

  // The waiter polls DescribeCertificate until every DomainValidationOptions entry is SUCCESS.
  auto waited =
      t.Aws("frontend", {"acm", "wait", "certificate-validated", "--certificate-arn", arn});
  INFO(waited.err);
  CHECK(waited.exit_code == 0);

  auto described = t.Aws("frontend", {"acm", "describe-certificate", "--certificate-arn", arn});
  INFO(described.err);
  REQUIRE(described.exit_code == 0);
  json d = described.Json()["Certificate"];
  CHECK(d["Status"] == "ISSUED");
  CHECK(d["Type"] == "PRIVATE");
  CHECK(d["DomainName"] == "*.example.com");
  CHECK(d["KeyAlgorithm"] == "RSA-2048");
  CHECK(d["CertificateAuthorityArn"] == ca.arn);
  CHECK_THAT(d["NotAfter"].get<std::string>(), Catch::Matches("20[0-9]{2}-.*"));  // parsed time

  std::string pass = t.dir().Write("cli/pass", "secret-pass");
  auto exported = t.Aws("frontend", {"acm", "export-certificate", "--certificate-arn", arn,
                                     "--passphrase", "fileb://" + pass});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  json e = exported.Json();
  std::string key = t.dir().Write("cli/key.pem", e["PrivateKey"]);
  std::string cert = t.dir().Write("cli/cert.pem", e["Certificate"]);
  auto from_key = RunCommand(
      {"/usr/bin/openssl", "pkey", "-in", key, "-passin", "pass:secret-pass", "-pubout"});
  auto from_cert = RunCommand({"/usr/bin/openssl", "x509", "-in", cert, "-noout", "-pubkey"});
  INFO(from_key.err);
  REQUIRE(from_key.exit_code == 0);
  CHECK(from_key.out == from_cert.out);

  auto got = t.Aws("frontend", {"acm", "get-certificate", "--certificate-arn", arn});
  INFO(got.err);
  REQUIRE(got.exit_code == 0);
  auto verified = OpensslVerify(t, ca.certificate_pem, got.Json()["CertificateChain"],
                                got.Json()["Certificate"]);
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);

  auto listed = t.Aws("frontend", {"acm", "list-certificates", "--certificate-statuses", "ISSUED"});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  json summaries = listed.Json()["CertificateSummaryList"];
  REQUIRE(summaries.size() == 1);
  CHECK(summaries[0]["CertificateArn"] == arn);
  CHECK(summaries[0]["Exported"] == true);
}

TEST_CASE("aws acm shows ACM's error codes for a bad ARN and another account's certificate") {
  TestEmulator t;
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "api.example.com");

  auto bad = t.Aws("frontend", {"acm", "describe-certificate", "--certificate-arn",
                                "arn:aws:acm:us-west-2:111111111111:nonsense"});
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("InvalidArnException"));

  auto denied = t.Aws("backend", {"acm", "get-certificate", "--certificate-arn", arn});
  CHECK(denied.exit_code != 0);
  CHECK_THAT(denied.err, Catch::Contains("AccessDeniedException"));
}
