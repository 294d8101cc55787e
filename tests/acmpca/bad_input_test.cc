// Bad input to ACM Private CA over the real endpoint: each gets the AWS error code and a message
// that names what was wrong.
#include <catch2/catch.hpp>

#include "tests/acmpca/pca_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

struct Case {
  std::string what;
  std::string account;
  std::string operation;
  json input;
  std::string code;
  std::string message;  // a part of the message
};

void RunCases(TestEmulator& t, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO(c.what << ": " << c.operation << " " << c.input.dump());
    PcaAnswer answer = Pca(t, c.account, c.operation, c.input);
    INFO(answer.body.dump());
    CHECK(answer.status == 400);
    CHECK(answer.code() == c.code);
    CHECK_THAT(answer.body.value("message", ""), Catch::Contains(c.message));
  }
}

// A CSR for an RSA-1024 key, which AWS Private CA does not sign, from the real openssl tool.
std::string Rsa1024Csr(const TempDir& dir) {
  CommandResult made = RunCommand({"/usr/bin/openssl", "req", "-new", "-newkey", "rsa:1024",
                                   "-nodes", "-keyout", dir.path() + "/weak.key", "-subj",
                                   "/CN=weak.example.com", "-out", dir.path() + "/weak.csr"});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  CommandResult read = RunCommand({"/bin/cat", dir.path() + "/weak.csr"});
  return read.out;
}

json ValidConfig() {
  return {{"KeyAlgorithm", "EC_prime256v1"},
          {"SigningAlgorithm", "SHA256WITHECDSA"},
          {"Subject", {{"CommonName", "bad input"}}}};
}

json CreateWith(json config) {
  return {{"CertificateAuthorityConfiguration", std::move(config)},
          {"CertificateAuthorityType", "ROOT"}};
}

}  // namespace

TEST_CASE(
    "Bad CSRs, certificates and algorithms get MalformedCSR, CertificateMismatch and "
    "InvalidArgs errors") {
  TestEmulator t;
  TempDir dir;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  std::string other = CreateActiveRoot(t, "frontend", {.common_name = "other"});
  std::string pending = CreateCa(t, "frontend", {});
  std::string good_csr = Base64(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "ok"));
  json year = {{"Value", 1}, {"Type", "YEARS"}};
  auto issue = [&](const std::string& csr, const std::string& signing) {
    return json{{"CertificateAuthorityArn", ca},
                {"Csr", csr},
                {"SigningAlgorithm", signing},
                {"Validity", year}};
  };

  RunCases(
      t, {
             {"a CSR that is not a CSR", "frontend", "IssueCertificate",
              issue(Base64("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE "
                           "REQUEST-----\n"),
                    "SHA256WITHECDSA"),
              "MalformedCSRException", ""},
             {"a CSR for an RSA-1024 key", "frontend", "IssueCertificate",
              issue(Base64(Rsa1024Csr(dir)), "SHA256WITHECDSA"), "MalformedCSRException", "1024"},
             {"an RSA signing algorithm on an EC CA", "frontend", "IssueCertificate",
              issue(good_csr, "SHA256WITHRSA"), "InvalidArgsException", "SHA256WITHRSA"},
             {"an RSA signing algorithm for an EC CA key", "frontend", "CreateCertificateAuthority",
              CreateWith({{"KeyAlgorithm", "EC_prime256v1"},
                          {"SigningAlgorithm", "SHA256WITHRSA"},
                          {"Subject", {{"CommonName", "x"}}}}),
              "InvalidArgsException", "SHA256WITHRSA"},
             {"an empty subject", "frontend", "CreateCertificateAuthority",
              CreateWith({{"KeyAlgorithm", "EC_prime256v1"},
                          {"SigningAlgorithm", "SHA256WITHECDSA"},
                          {"Subject", json::object()}}),
              "InvalidArgsException", "Subject is empty"},
             {"another CA's certificate",
              "frontend",
              "ImportCertificateAuthorityCertificate",
              {{"CertificateAuthorityArn", pending},
               {"Certificate", Base64(CaCertificate(t, "frontend", other))}},
              "CertificateMismatchException",
              "get-certificate-authority-csr"},
             {"a certificate that is not PEM",
              "frontend",
              "ImportCertificateAuthorityCertificate",
              {{"CertificateAuthorityArn", pending}, {"Certificate", Base64("hello")}},
              "MalformedCertificateException",
              ""},
             {"a serial this CA never issued",
              "frontend",
              "RevokeCertificate",
              {{"CertificateAuthorityArn", ca},
               {"CertificateSerial", "7f:00:11"},
               {"RevocationReason", "KEY_COMPROMISE"}},
              "ResourceNotFoundException",
              "7f:00:11"},
         });
}

TEST_CASE("Bad ARNs get InvalidArnException, and ARNs of unknown CAs ResourceNotFoundException") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  std::string id = ca.substr(ca.rfind('/') + 1);
  auto describe = [](const std::string& arn) { return json{{"CertificateAuthorityArn", arn}}; };

  RunCases(t,
           {
               {"not an ARN", "frontend", "DescribeCertificateAuthority", describe("my-ca"),
                "InvalidArnException", "my-ca"},
               {"another service's ARN", "frontend", "DescribeCertificateAuthority",
                describe("arn:aws:acm:us-west-2:111111111111:certificate/" + id),
                "InvalidArnException", "acm"},
               {"a CA id that is not a UUID", "frontend", "DescribeCertificateAuthority",
                describe("arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/abc"),
                "InvalidArnException", "UUID"},
               {"a certificate ARN without a certificate id",
                "frontend",
                "GetCertificate",
                {{"CertificateAuthorityArn", ca}, {"CertificateArn", ca + "/certificate/"}},
                "InvalidArnException",
                "certificate id"},
               {"an account the emulator does not know", "frontend", "DescribeCertificateAuthority",
                describe("arn:aws:acm-pca:us-west-2:999999999999:certificate-authority/" + id),
                "ResourceNotFoundException", "999999999999"},
               {"a CA in another region", "frontend", "DescribeCertificateAuthority",
                describe("arn:aws:acm-pca:eu-west-1:111111111111:certificate-authority/" + id),
                "ResourceNotFoundException", "eu-west-1"},
               {"a certificate of another CA",
                "frontend",
                "GetCertificate",
                {{"CertificateAuthorityArn", ca},
                 {"CertificateArn",
                  "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"
                  "00000000-0000-0000-0000-000000000000/certificate/abcd"}},
                "ResourceNotFoundException",
                "was not issued by"},
           });
}

TEST_CASE("Another account's CA is found and then denied with AccessDeniedException") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  std::string csr = Base64(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "backend.example.com"));
  const std::vector<std::pair<std::string, json>> operations = {
      {"DescribeCertificateAuthority", {{"CertificateAuthorityArn", ca}}},
      {"GetCertificateAuthorityCertificate", {{"CertificateAuthorityArn", ca}}},
      {"IssueCertificate",
       {{"CertificateAuthorityArn", ca},
        {"Csr", csr},
        {"SigningAlgorithm", "SHA256WITHECDSA"},
        {"Validity", {{"Value", 1}, {"Type", "YEARS"}}}}},
      {"CreatePermission",
       {{"CertificateAuthorityArn", ca},
        {"Principal", "acm.amazonaws.com"},
        {"Actions", {"IssueCertificate"}}}},
      {"UpdateCertificateAuthority", {{"CertificateAuthorityArn", ca}, {"Status", "DISABLED"}}},
      {"PutPolicy", {{"ResourceArn", ca}, {"Policy", R"({"Statement": []})"}}},
  };
  for (const auto& [operation, input] : operations) {
    INFO(operation);
    PcaAnswer answer = Pca(t, "backend", operation, input);
    CHECK(answer.code() == "AccessDeniedException");
    std::string message = answer.body.value("message", "");
    CHECK_THAT(message, Catch::Contains("Account 222222222222 is not authorized to perform "
                                        "acm-pca:" +
                                        operation + " on " + ca));
    CHECK_THAT(message, Catch::Contains("RAM"));
  }
  // Nothing changed on the owner's side.
  CHECK(CaStatusOf(t, "frontend", ca) == "ACTIVE");
}

TEST_CASE("Wrong JSON types, missing members, unknown enum values and bad base64 name the member") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  json config = ValidConfig();
  auto with = [&](const std::string& key, json value) {
    json c = config;
    c[key] = std::move(value);
    return CreateWith(c);
  };
  json issue = {{"CertificateAuthorityArn", ca},
                {"Csr", Base64(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "x"))},
                {"SigningAlgorithm", "SHA256WITHECDSA"},
                {"Validity", {{"Value", 1}, {"Type", "YEARS"}}}};
  auto issue_with = [&](const std::string& key, json value) {
    json i = issue;
    i[key] = std::move(value);
    return i;
  };

  RunCases(
      t,
      {
          {"a missing ARN", "frontend", "DescribeCertificateAuthority", json::object(),
           "ValidationException", "CertificateAuthorityArn (a string)"},
          {"a missing Csr", "frontend", "IssueCertificate",
           [&] {
             json i = issue;
             i.erase("Csr");
             return i;
           }(),
           "ValidationException", "Csr (a blob"},
          {"a missing Validity.Value", "frontend", "IssueCertificate",
           issue_with("Validity", {{"Type", "DAYS"}}), "ValidationException", "Validity.Value"},
          {"a missing Subject", "frontend", "CreateCertificateAuthority",
           [&] {
             json c = config;
             c.erase("Subject");
             return CreateWith(c);
           }(),
           "ValidationException", "CertificateAuthorityConfiguration.Subject"},
          {"a number for an ARN",
           "frontend",
           "DescribeCertificateAuthority",
           {{"CertificateAuthorityArn", 5}},
           "SerializationException",
           "must be a string; got a number"},
          {"a whole number past 64 bits", "frontend", "ListCertificateAuthorities",
           json::parse(R"({"MaxResults": 99999999999999999999999999})"), "SerializationException",
           "got a whole number too large for an integer"},
          {"a string for a KeyUsage bit", "frontend", "CreateCertificateAuthority",
           with("CsrExtensions", {{"KeyUsage", {{"DigitalSignature", "yes"}}}}),
           "SerializationException",
           "CertificateAuthorityConfiguration.CsrExtensions.KeyUsage.DigitalSignature must be a "
           "boolean"},
          {"an access description without its location", "frontend", "CreateCertificateAuthority",
           with("CsrExtensions",
                {{"SubjectInformationAccess", {{{"AccessMethod", json::object()}}}}}),
           "ValidationException", "AccessLocation"},
          {"a string for Validity", "frontend", "IssueCertificate",
           issue_with("Validity", "10 years"), "SerializationException",
           "Validity must be an object"},
          {"a string for Validity.Value", "frontend", "IssueCertificate",
           issue_with("Validity", {{"Value", "10"}, {"Type", "YEARS"}}), "SerializationException",
           "Validity.Value must be an integer"},
          {"an object for Tags", "frontend", "CreateCertificateAuthority",
           [&] {
             json c = CreateWith(config);
             c["Tags"] = {{"Key", "Name"}};
             return c;
           }(),
           "SerializationException", "Tags must be a list"},
          {"Csr that is not base64", "frontend", "IssueCertificate", issue_with("Csr", "%%%%"),
           "SerializationException", "Csr is a blob and must be base64"},
          {"an unknown KeyAlgorithm", "frontend", "CreateCertificateAuthority",
           with("KeyAlgorithm", "RSA_1024"), "ValidationException",
           "RSA_2048, RSA_3072, RSA_4096, EC_prime256v1, EC_secp384r1, EC_secp521r1"},
          {"an unknown SigningAlgorithm", "frontend", "IssueCertificate",
           issue_with("SigningAlgorithm", "MD5WITHRSA"), "ValidationException",
           "SHA256WITHRSA_PSS"},
          {"an unknown Validity type", "frontend", "IssueCertificate",
           issue_with("Validity", {{"Value", 1}, {"Type", "WEEKS"}}), "ValidationException",
           "END_DATE, ABSOLUTE, DAYS, MONTHS, YEARS"},
          {"an unknown CA type", "frontend", "CreateCertificateAuthority",
           [&] {
             json c = CreateWith(config);
             c["CertificateAuthorityType"] = "INTERMEDIATE";
             return c;
           }(),
           "ValidationException", "ROOT, SUBORDINATE"},
          {"an unknown revocation reason",
           "frontend",
           "RevokeCertificate",
           {{"CertificateAuthorityArn", ca},
            {"CertificateSerial", "01"},
            {"RevocationReason", "BORED"}},
           "ValidationException",
           "KEY_COMPROMISE"},
          {"an unknown ResourceOwner",
           "frontend",
           "ListCertificateAuthorities",
           {{"ResourceOwner", "ME"}},
           "ValidationException",
           "SELF, OTHER_ACCOUNTS"},
          {"a status Update cannot set",
           "frontend",
           "UpdateCertificateAuthority",
           {{"CertificateAuthorityArn", ca}, {"Status", "EXPIRED"}},
           "InvalidArgsException",
           "ACTIVE or DISABLED"},
          {"a three-letter Country", "frontend", "CreateCertificateAuthority",
           with("Subject", {{"Country", "USA"}}), "ValidationException", "Subject.Country"},
          {"zero days of validity", "frontend", "IssueCertificate",
           issue_with("Validity", {{"Value", 0}, {"Type", "DAYS"}}), "ValidationException",
           "Validity.Value must be at least 1"},
          {"a restore window of 5 days",
           "frontend",
           "DeleteCertificateAuthority",
           {{"CertificateAuthorityArn", ca}, {"PermanentDeletionTimeInDays", 5}},
           "ValidationException",
           "between 7 and 30"},
          {"a principal other than ACM",
           "frontend",
           "CreatePermission",
           {{"CertificateAuthorityArn", ca},
            {"Principal", "ec2.amazonaws.com"},
            {"Actions", {"IssueCertificate"}}},
           "ValidationException",
           "acm.amazonaws.com"},
          {"an action that cannot be granted",
           "frontend",
           "CreatePermission",
           {{"CertificateAuthorityArn", ca},
            {"Principal", "acm.amazonaws.com"},
            {"Actions", {"DeleteCertificateAuthority"}}},
           "ValidationException",
           "IssueCertificate, GetCertificate, ListPermissions"},
          {"a policy that is not JSON",
           "frontend",
           "PutPolicy",
           {{"ResourceArn", ca}, {"Policy", "allow everything"}},
           "InvalidPolicyException",
           "not a JSON policy document"},
          {"a NextToken from nowhere",
           "frontend",
           "ListCertificateAuthorities",
           {{"NextToken", "bogus"}},
           "InvalidNextTokenException",
           "bogus"},
          {"a tag in the aws: namespace",
           "frontend",
           "TagCertificateAuthority",
           {{"CertificateAuthorityArn", ca}, {"Tags", {{{"Key", "aws:owner"}, {"Value", "me"}}}}},
           "InvalidTagException",
           "aws:"},
          {"an enabled CRL without a bucket",
           "frontend",
           "UpdateCertificateAuthority",
           {{"CertificateAuthorityArn", ca},
            {"RevocationConfiguration", {{"CrlConfiguration", {{"Enabled", true}}}}}},
           "InvalidArgsException",
           "S3BucketName"},
          {"ApiPassthrough without its template", "frontend", "IssueCertificate",
           issue_with("ApiPassthrough", json::object()), "InvalidArgsException", "ApiPassthrough"},
      });
}

TEST_CASE("An ACM-PCA NextToken fits only the list, caller and filter it was issued for") {
  TestEmulator t;
  std::string ca;
  for (int i = 0; i < 3; ++i) ca = CreateCa(t, "frontend", CaSpec{});
  const json first = PcaOk(t, "frontend", "ListCertificateAuthorities", {{"MaxResults", 1}});
  const std::string token = first["NextToken"];
  REQUIRE(token.ends_with("-page-1"));
  const std::string prefix = token.substr(0, token.size() - 1);

  const json second =
      PcaOk(t, "frontend", "ListCertificateAuthorities", {{"MaxResults", 1}, {"NextToken", token}});
  CHECK(second["CertificateAuthorities"].size() == 1);
  const std::vector<std::pair<std::string, PcaAnswer>> refused = {
      {"the first page, never issued",
       Pca(t, "frontend", "ListCertificateAuthorities", {{"NextToken", prefix + "0"}})},
      {"a leading zero",
       Pca(t, "frontend", "ListCertificateAuthorities", {{"NextToken", prefix + "01"}})},
      {"another account", Pca(t, "backend", "ListCertificateAuthorities", {{"NextToken", token}})},
      {"another filter", Pca(t, "frontend", "ListCertificateAuthorities",
                             {{"NextToken", token}, {"ResourceOwner", "OTHER_ACCOUNTS"}})},
      {"another operation",
       Pca(t, "frontend", "ListTags", {{"CertificateAuthorityArn", ca}, {"NextToken", token}})},
  };
  for (const auto& [what, answer] : refused) {
    INFO(what);
    CHECK(answer.status == 400);
    CHECK(answer.code() == "InvalidNextTokenException");
    CHECK_THAT(answer.body["message"].get<std::string>(), Catch::Contains("for this caller"));
  }
}
