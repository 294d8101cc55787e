// ACM private certificates: asynchronous issuance by an ACM Private CA, what DescribeCertificate
// reports, the certificate chain under the real `openssl verify`, export, and issuance failures.
#include <catch2/catch.hpp>

#include <thread>

#include "emulator/acm/model/key_source.h"
#include "emulator/pki/certificate.h"
#include "emulator/pki/pkcs8.h"
#include "tests/acm/acm_test_support.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

TEST_CASE("RequestCertificate answers PENDING_VALIDATION at once and ISSUED a moment later") {
  // The virtual clock stands still until advanced: the calls below, however slow the host,
  // all come before the issuance, due 200 ms of virtual time after the request.
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "api.example.com");
  CHECK_THAT(arn, Catch::Matches("arn:aws:acm:us-west-2:111111111111:certificate/"
                                 "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));

  json pending = Describe(t, "frontend", arn);
  CHECK(pending["Status"] == "PENDING_VALIDATION");
  CHECK_FALSE(pending.contains("Serial"));
  CHECK(pending["DomainValidationOptions"][0]["ValidationStatus"] == "PENDING_VALIDATION");
  for (const char* operation : {"GetCertificate", "ExportCertificate"}) {
    INFO(operation);
    auto error = AcmError(t, "frontend", operation,
                          {{"CertificateArn", arn}, {"Passphrase", Base64("secret-pass")}});
    CHECK(error.code == "RequestInProgressException");
  }

  json issued = Settle(t, "frontend", arn);
  CHECK(issued["Status"] == "ISSUED");
  CHECK(issued["DomainValidationOptions"][0]["ValidationStatus"] == "SUCCESS");
}

TEST_CASE("An issued private certificate chains to its CA and reports what ACM reports") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(
      t, "frontend", ca.arn, "*.example.com",
      {{"SubjectAlternativeNames", {"api.example.com", "*.example.com", "web.example.org"}}});
  json d = Settle(t, "frontend", arn);

  CHECK(d["Status"] == "ISSUED");
  CHECK(d["Type"] == "PRIVATE");
  CHECK(d["CertificateArn"] == arn);
  CHECK(d["DomainName"] == "*.example.com");
  CHECK(d["SubjectAlternativeNames"] ==
        json({"*.example.com", "api.example.com", "web.example.org"}));
  CHECK(d["Subject"] == "CN=*.example.com");
  CHECK(d["Issuer"] == "crossmesh test root");
  CHECK_THAT(d["Serial"].get<std::string>(), Catch::Matches("[0-9a-f]{2}(:[0-9a-f]{2})+"));
  CHECK(d["KeyAlgorithm"] == "RSA-2048");
  CHECK(d["SignatureAlgorithm"] == "SHA256WITHRSA");
  CHECK(d["CertificateAuthorityArn"] == ca.arn);
  CHECK(d["InUseBy"] == json::array());
  CHECK(d["RenewalEligibility"] == "INELIGIBLE");
  CHECK_FALSE(d.contains("RenewalSummary"));
  CHECK(d["Options"]["CertificateTransparencyLoggingPreference"] == "ENABLED");
  CHECK(d["ExtendedKeyUsages"].dump().find("1.3.6.1.5.5.7.3.1") != std::string::npos);
  CHECK(d["KeyUsages"].dump().find("DIGITAL_SIGNATURE") != std::string::npos);
  // 395 days, NotBefore backdated an hour by the CA.
  double lifetime = d["NotAfter"].get<double>() - d["NotBefore"].get<double>();
  CHECK(lifetime == Approx(395 * 86400.0 + 3600).margin(2));
  CHECK(d["IssuedAt"].get<double>() >= d["CreatedAt"].get<double>());

  json got = Acm(t, "frontend", "GetCertificate", {{"CertificateArn", arn}});
  auto verified = OpensslVerify(t, ca.certificate_pem, got["CertificateChain"], got["Certificate"]);
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  auto certificate = pki::Certificate::FromPem(got["Certificate"].get<std::string>());
  REQUIRE(certificate.ok());
  CHECK(certificate->dns_names() ==
        std::vector<std::string>{"*.example.com", "api.example.com", "web.example.org"});
  CHECK(certificate->serial_colon_hex() == d["Serial"]);
}

TEST_CASE("Each requestable KeyAlgorithm gives a certificate and key of that algorithm") {
  TestEmulator t(FrozenWall());
  RootCa rsa_ca = CreateRootCa(t, "frontend");
  RootCa ec_ca = CreateRootCa(t, "frontend", {"EC_prime256v1", "SHA256WITHECDSA", 10, true});
  struct Case {
    const char* key_algorithm;
    const RootCa* ca;
    const char* described;
    pki::KeyAlgorithm key;
    const char* signature;
  };
  for (const Case& c : std::vector<Case>{
           {"RSA_2048", &rsa_ca, "RSA-2048", pki::KeyAlgorithm::kRsa2048, "SHA256WITHRSA"},
           {"EC_prime256v1", &ec_ca, "EC-prime256v1", pki::KeyAlgorithm::kEcPrime256v1,
            "SHA256WITHECDSA"},
           {"EC_secp384r1", &ec_ca, "EC-secp384r1", pki::KeyAlgorithm::kEcSecp384r1,
            "SHA384WITHECDSA"}}) {
    INFO(c.key_algorithm);
    std::string arn = RequestPrivate(t, "frontend", c.ca->arn, "svc.example.com",
                                     {{"KeyAlgorithm", c.key_algorithm}});
    json d = Settle(t, "frontend", arn);
    CHECK(d["Status"] == "ISSUED");
    CHECK(d["KeyAlgorithm"] == c.described);
    CHECK(d["SignatureAlgorithm"] == c.signature);

    json exported = Acm(t, "frontend", "ExportCertificate",
                        {{"CertificateArn", arn}, {"Passphrase", Base64("secret-pass")}});
    auto key =
        pki::ImportEncryptedPkcs8Pem(exported["PrivateKey"].get<std::string>(), "secret-pass");
    REQUIRE(key.ok());
    CHECK(key->algorithm() == c.key);
    auto certificate = pki::Certificate::FromPem(exported["Certificate"].get<std::string>());
    REQUIRE(certificate.ok());
    CHECK(certificate->Matches(*key));
    auto verified = OpensslVerify(t, c.ca->certificate_pem, exported["CertificateChain"],
                                  exported["Certificate"]);
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
  }
}

TEST_CASE("ExportCertificate gives a key that openssl opens with the passphrase") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "db.example.com");
  Settle(t, "frontend", arn);

  json exported = Acm(t, "frontend", "ExportCertificate",
                      {{"CertificateArn", arn}, {"Passphrase", Base64("correct horse 42")}});
  CHECK_THAT(exported["PrivateKey"].get<std::string>(),
             Catch::StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  std::string key = t.dir().Write("export/key.pem", exported["PrivateKey"]);
  std::string cert = t.dir().Write("export/cert.pem", exported["Certificate"]);
  auto from_key = RunCommand(
      {"/usr/bin/openssl", "pkey", "-in", key, "-passin", "pass:correct horse 42", "-pubout"});
  auto from_cert = RunCommand({"/usr/bin/openssl", "x509", "-in", cert, "-noout", "-pubkey"});
  INFO(from_key.err << from_cert.err);
  REQUIRE(from_key.exit_code == 0);
  CHECK(from_key.out == from_cert.out);
  auto wrong = RunCommand({"/usr/bin/openssl", "pkey", "-in", key, "-passin", "pass:wrong"});
  CHECK(wrong.exit_code != 0);

  // Exported since issuance: ACM will renew it.
  json d = Describe(t, "frontend", arn);
  CHECK(d["RenewalEligibility"] == "ELIGIBLE");
  json listed = Acm(t, "frontend", "ListCertificates", json::object());
  REQUIRE(listed["CertificateSummaryList"].size() == 1);
  CHECK(listed["CertificateSummaryList"][0]["Exported"] == true);
}

TEST_CASE("Issuance fails with the FailureReason of the CA's refusal") {
  TestEmulator t(FrozenWall());
  RootCa disabled = CreateRootCa(t, "frontend");
  AcmPca(t, "frontend", "UpdateCertificateAuthority",
         {{"CertificateAuthorityArn", disabled.arn}, {"Status", "DISABLED"}});
  RootCa other_account = CreateRootCa(t, "backend");
  RootCa rsa_ca = CreateRootCa(t, "frontend");
  std::string missing =
      "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"
      "00000000-0000-4000-8000-000000000000";

  struct Case {
    const char* what;
    std::string ca_arn;
    json extra;
    const char* reason;
  };
  for (const Case& c : std::vector<Case>{
           {"a DISABLED CA", disabled.arn, json::object(), "PCA_INVALID_STATE"},
           {"another account's CA, not shared", other_account.arn, json::object(),
            "PCA_ACCESS_DENIED"},
           {"a CA that does not exist", missing, json::object(), "PCA_RESOURCE_NOT_FOUND"},
           {"an EC key from an RSA CA",
            rsa_ca.arn,
            {{"KeyAlgorithm", "EC_prime256v1"}},
            "PCA_INVALID_ARGS"}}) {
    INFO(c.what);
    std::string arn = RequestPrivate(t, "frontend", c.ca_arn, "api.example.com", c.extra);
    json d = Settle(t, "frontend", arn);
    CHECK(d["Status"] == "FAILED");
    CHECK(d["FailureReason"] == c.reason);
    CHECK(d["DomainValidationOptions"][0]["ValidationStatus"] == "FAILED");
    CHECK_FALSE(d.contains("Serial"));
    auto error = AcmError(t, "frontend", "GetCertificate", {{"CertificateArn", arn}});
    CHECK(error.code == "ValidationException");
    CHECK_THAT(error.message, Catch::Contains(c.reason));
  }
}

TEST_CASE("A CA that expires before 395 days fails issuance with PCA_INVALID_DURATION") {
  TestEmulator t(FrozenWall());
  RootCa short_lived = CreateRootCa(t, "frontend", {"RSA_2048", "SHA256WITHRSA", 1, true});
  std::string arn = RequestPrivate(t, "frontend", short_lived.arn, "api.example.com");
  json d = Settle(t, "frontend", arn);
  CHECK(d["Status"] == "FAILED");
  CHECK(d["FailureReason"] == "PCA_INVALID_DURATION");
}

TEST_CASE("Another account naming a certificate ARN is denied, whatever the operation") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "api.example.com");
  Settle(t, "frontend", arn);

  json tags = json::array({{{"Key", "team"}}});
  for (auto [operation, input] : std::vector<std::pair<std::string, json>>{
           {"DescribeCertificate", {{"CertificateArn", arn}}},
           {"GetCertificate", {{"CertificateArn", arn}}},
           {"ExportCertificate", {{"CertificateArn", arn}, {"Passphrase", Base64("secret")}}},
           {"RenewCertificate", {{"CertificateArn", arn}}},
           {"DeleteCertificate", {{"CertificateArn", arn}}},
           {"AddTagsToCertificate", {{"CertificateArn", arn}, {"Tags", tags}}},
           {"ListTagsForCertificate", {{"CertificateArn", arn}}}}) {
    INFO(operation);
    auto error = AcmError(t, "backend", operation, input);
    CHECK(error.code == "AccessDeniedException");
    CHECK_THAT(error.message, Catch::Contains("arn:aws:iam::222222222222:root is not authorized "
                                              "to perform: acm:" +
                                              operation));
  }
  CHECK(Acm(t, "backend", "ListCertificates", json::object())["CertificateSummaryList"].empty());
  CHECK(Describe(t, "frontend", arn)["Status"] == "ISSUED");
}

TEST_CASE("ListCertificates filters by status and key type and pages with NextToken") {
  TestEmulator t(FrozenWall());
  RootCa rsa_ca = CreateRootCa(t, "frontend");
  RootCa ec_ca = CreateRootCa(t, "frontend", {"EC_prime256v1", "SHA256WITHECDSA", 10, true});
  std::vector<std::string> rsa;
  for (int i = 0; i < 3; ++i) {
    rsa.push_back(RequestPrivate(t, "frontend", rsa_ca.arn, fmt::format("s{}.example.com", i)));
  }
  std::string ec = RequestPrivate(t, "frontend", ec_ca.arn, "ec.example.com",
                                  {{"KeyAlgorithm", "EC_prime256v1"}});
  Advance(t, std::chrono::seconds(1));
  std::string pending = RequestPrivate(t, "frontend", rsa_ca.arn, "later.example.com");

  auto arns = [](const json& page) {
    std::vector<std::string> out;
    for (const auto& s : page["CertificateSummaryList"]) out.push_back(s["CertificateArn"]);
    return out;
  };
  // Without Includes.keyTypes ACM lists RSA_1024 and RSA_2048 certificates only.
  json all = Acm(t, "frontend", "ListCertificates", json::object());
  CHECK(arns(all) == std::vector<std::string>{rsa[0], rsa[1], rsa[2], pending});
  CHECK(all["CertificateSummaryList"][0]["KeyAlgorithm"] == "RSA_2048");
  CHECK(all["CertificateSummaryList"][0]["Type"] == "PRIVATE");

  json issued = Acm(t, "frontend", "ListCertificates",
                    {{"CertificateStatuses", {"ISSUED"}},
                     {"Includes", {{"keyTypes", {"RSA_2048", "EC_prime256v1"}}}}});
  CHECK(arns(issued) == std::vector<std::string>{rsa[0], rsa[1], rsa[2], ec});

  json first = Acm(t, "frontend", "ListCertificates", {{"MaxItems", 2}});
  CHECK(arns(first) == std::vector<std::string>{rsa[0], rsa[1]});
  REQUIRE(first.contains("NextToken"));
  json second =
      Acm(t, "frontend", "ListCertificates", {{"MaxItems", 2}, {"NextToken", first["NextToken"]}});
  CHECK(arns(second) == std::vector<std::string>{rsa[2], pending});
  CHECK_FALSE(second.contains("NextToken"));

  json newest = Acm(t, "frontend", "ListCertificates",
                    {{"SortBy", "CREATED_AT"}, {"SortOrder", "DESCENDING"}, {"MaxItems", 1}});
  CHECK(arns(newest) == std::vector<std::string>{pending});
}

TEST_CASE("The same IdempotencyToken within an hour is one request") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  json token = {{"IdempotencyToken", "walkthrough_1"}};
  std::string first = RequestPrivate(t, "frontend", ca.arn, "api.example.com", token);
  CHECK(RequestPrivate(t, "frontend", ca.arn, "api.example.com", token) == first);
  CHECK(RequestPrivate(t, "backend", CreateRootCa(t, "backend").arn, "api.example.com", token) !=
        first);
  Advance(t, std::chrono::minutes(61));
  CHECK(RequestPrivate(t, "frontend", ca.arn, "api.example.com", token) != first);
}

TEST_CASE("Tags are set at request, added, listed and removed by key or by key and value") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "api.example.com",
                                   {{"Tags", {{{"Key", "team"}, {"Value", "mesh"}}}}});
  auto tags = [&] {
    return Acm(t, "frontend", "ListTagsForCertificate", {{"CertificateArn", arn}})["Tags"];
  };
  CHECK(tags() == json::parse(R"([{"Key":"team","Value":"mesh"}])"));

  Acm(t, "frontend", "AddTagsToCertificate",
      {{"CertificateArn", arn},
       {"Tags",
        {{{"Key", "env"}, {"Value", "dev"}},
         {{"Key", "flag"}},
         {{"Key", "team"}, {"Value", "yelb"}}}}});
  CHECK(
      tags() ==
      json::parse(R"([{"Key":"env","Value":"dev"},{"Key":"flag"},{"Key":"team","Value":"yelb"}])"));

  // A value that does not match leaves the tag; a bare key removes it.
  Acm(t, "frontend", "RemoveTagsFromCertificate",
      {{"CertificateArn", arn},
       {"Tags", {{{"Key", "env"}, {"Value", "prod"}}, {{"Key", "team"}}, {{"Key", "flag"}}}}});
  CHECK(tags() == json::parse(R"([{"Key":"env","Value":"dev"}])"));
}

TEST_CASE("A public certificate request stays PENDING_VALIDATION and times out after 72 hours") {
  TestEmulator t(FrozenWall());
  std::string dns =
      Acm(t, "frontend", "RequestCertificate",
          {{"DomainName", "www.example.com"}, {"ValidationMethod", "DNS"}})["CertificateArn"];
  std::string email =
      Acm(t, "frontend", "RequestCertificate", {{"DomainName", "*.example.com"}})["CertificateArn"];

  json d = Settle(t, "frontend", dns);
  CHECK(d["Type"] == "AMAZON_ISSUED");
  CHECK(d["Status"] == "PENDING_VALIDATION");
  CHECK(d["DomainValidationOptions"][0]["ValidationMethod"] == "DNS");
  CHECK_THAT(d["DomainValidationOptions"][0]["ResourceRecord"]["Value"].get<std::string>(),
             Catch::EndsWith(".acm-validations.aws."));
  json e = Describe(t, "frontend", email);
  CHECK(e["DomainValidationOptions"][0]["ValidationMethod"] == "EMAIL");
  CHECK(e["DomainValidationOptions"][0]["ValidationEmails"][0] == "admin@example.com");
  CHECK(AcmError(t, "frontend", "GetCertificate", {{"CertificateArn", dns}}).code ==
        "RequestInProgressException");

  Advance(t, std::chrono::hours(72));
  CHECK(Describe(t, "frontend", dns)["Status"] == "VALIDATION_TIMED_OUT");
  CHECK(Describe(t, "frontend", email)["Status"] == "VALIDATION_TIMED_OUT");
}
