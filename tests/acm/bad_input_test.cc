// Bad ACM input: each case answers with the AWS error code and a message naming what is wrong.
#include <catch2/catch.hpp>

#include "tests/acm/acm_test_support.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

struct BadCase {
  const char* what;
  const char* operation;
  json input;
  const char* code;
  const char* message;  // a fragment the message must contain
};

void CheckCases(TestEmulator& t, const std::vector<BadCase>& cases) {
  for (const BadCase& c : cases) {
    INFO(c.what);
    auto error = AcmError(t, "frontend", c.operation, c.input);
    CHECK(error.status == 400);
    CHECK(error.code == c.code);
    CHECK_THAT(error.message, Catch::Contains(c.message));
  }
}

json Request(json extra) {
  json input = {{"DomainName", "api.example.com"},
                {"CertificateAuthorityArn",
                 "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"
                 "00000000-0000-4000-8000-000000000000"}};
  for (const auto& [key, value] : extra.items()) input[key] = value;
  return input;
}

json ManyNames(int count) {
  json names = json::array();
  for (int i = 0; i < count; ++i) names.push_back(fmt::format("n{}.example.com", i));
  return names;
}

json ManyTags(int count) {
  json tags = json::array();
  for (int i = 0; i < count; ++i) tags.push_back({{"Key", fmt::format("k{}", i)}});
  return tags;
}

}  // namespace

TEST_CASE("RequestCertificate rejects bad input with ACM's error codes") {
  TestEmulator t(FrozenWall());
  CheckCases(
      t, {
             {"missing DomainName", "RequestCertificate", json::object(), "ValidationException",
              "DomainName is required"},
             {"DomainName not a string", "RequestCertificate", Request({{"DomainName", 42}}),
              "SerializationException", "DomainName must be a string"},
             {"empty label", "RequestCertificate", Request({{"DomainName", "bad..example.com"}}),
              "ValidationException", "'bad..example.com' at 'domainName'"},
             {"leading hyphen", "RequestCertificate", Request({{"DomainName", "-a.example.com"}}),
              "ValidationException", "at 'domainName'"},
             {"single label", "RequestCertificate", Request({{"DomainName", "localhost"}}),
              "ValidationException", "at least two labels"},
             {"inner wildcard", "RequestCertificate", Request({{"DomainName", "a.*.example.com"}}),
              "ValidationException", "at 'domainName'"},
             {"underscore", "RequestCertificate", Request({{"DomainName", "a_b.example.com"}}),
              "ValidationException", "at 'domainName'"},
             {"common name over 64", "RequestCertificate",
              Request({{"DomainName", std::string(60, 'a') + ".example.com"}}),
              "ValidationException", "may not exceed 64 characters"},
             {"bad SAN", "RequestCertificate",
              Request({{"SubjectAlternativeNames", {"ok.example.com", "bad name"}}}),
              "ValidationException", "subjectAlternativeNames.2.member"},
             {"SANs not a list", "RequestCertificate",
              Request({{"SubjectAlternativeNames", "a.example.com"}}), "SerializationException",
              "SubjectAlternativeNames must be a list of strings"},
             {"too many names", "RequestCertificate",
              Request({{"SubjectAlternativeNames", ManyNames(10)}}), "LimitExceededException",
              "allows 10 per certificate"},
             {"unknown KeyAlgorithm", "RequestCertificate", Request({{"KeyAlgorithm", "RSA_9999"}}),
              "ValidationException", "enum value set"},
             {"imported-only KeyAlgorithm", "RequestCertificate",
              Request({{"KeyAlgorithm", "RSA_4096"}}), "ValidationException",
              "Encryption Algorithm RSA_4096 is not supported in us-west-2 region"},
             {"unknown ValidationMethod", "RequestCertificate",
              Request({{"ValidationMethod", "PIGEON"}}), "ValidationException", "ValidationMethod"},
             {"CA ARN not an ARN", "RequestCertificate",
              Request({{"CertificateAuthorityArn", "my-ca"}}), "InvalidArnException", "'my-ca'"},
             {"CA ARN of another service", "RequestCertificate",
              Request({{"CertificateAuthorityArn",
                        "arn:aws:acm:us-west-2:111111111111:certificate/abc"}}),
              "InvalidArnException", "names service 'acm'"},
             {"bad IdempotencyToken", "RequestCertificate",
              Request({{"IdempotencyToken", "not-a-word!"}}), "ValidationException",
              "idempotencyToken"},
             {"tag without Key", "RequestCertificate", Request({{"Tags", {{{"Value", "x"}}}}}),
              "ValidationException", "Tags[0].Key"},
             {"reserved tag key", "RequestCertificate",
              Request({{"Tags", {{{"Key", "aws:team"}}}}}), "InvalidTagException", "reserved"},
             {"too many tags", "RequestCertificate", Request({{"Tags", ManyTags(51)}}),
              "TooManyTagsException", "at most 50"},
             {"Options not an object", "RequestCertificate", Request({{"Options", "ENABLED"}}),
              "SerializationException", "Options must be an object"},
         });
}

TEST_CASE("Certificate ARNs are checked before anything is looked up") {
  TestEmulator t(FrozenWall());
  std::string unknown =
      "arn:aws:acm:us-west-2:111111111111:certificate/00000000-0000-4000-8000-000000000000";
  CheckCases(t, {
                    {"missing CertificateArn", "DescribeCertificate", json::object(),
                     "ValidationException", "CertificateArn is required"},
                    {"CertificateArn not a string",
                     "GetCertificate",
                     {{"CertificateArn", {1, 2}}},
                     "SerializationException",
                     "CertificateArn must be a string"},
                    {"not an ARN",
                     "DescribeCertificate",
                     {{"CertificateArn", "certificate/123"}},
                     "InvalidArnException",
                     "is not valid"},
                    {"wrong resource type",
                     "DescribeCertificate",
                     {{"CertificateArn", "arn:aws:acm:us-west-2:111111111111:key/123"}},
                     "InvalidArnException",
                     "certificate/UUID"},
                    {"an id that is not a UUID",
                     "DescribeCertificate",
                     {{"CertificateArn", unknown + ":extra"}},
                     "InvalidArnException",
                     "certificate/UUID"},
                    {"no region",
                     "DeleteCertificate",
                     {{"CertificateArn", "arn:aws:acm::111111111111:certificate/123"}},
                     "InvalidArnException",
                     "REGION"},
                    {"unknown certificate",
                     "DescribeCertificate",
                     {{"CertificateArn", unknown}},
                     "ResourceNotFoundException",
                     "Could not find certificate"},
                    {"another region",
                     "DescribeCertificate",
                     {{"CertificateArn",
                       "arn:aws:acm:eu-west-1:111111111111:certificate/"
                       "00000000-0000-4000-8000-000000000000"}},
                     "ResourceNotFoundException",
                     "region us-west-2"},
                });
}

TEST_CASE("ExportCertificate checks the passphrase blob") {
  TestEmulator t(FrozenWall());
  std::string arn =
      "arn:aws:acm:us-west-2:111111111111:certificate/00000000-0000-4000-8000-000000000000";
  CheckCases(t, {
                    {"missing Passphrase",
                     "ExportCertificate",
                     {{"CertificateArn", arn}},
                     "ValidationException",
                     "Passphrase is required"},
                    {"not base64",
                     "ExportCertificate",
                     {{"CertificateArn", arn}, {"Passphrase", "secret-pass"}},
                     "SerializationException",
                     "Passphrase must be base64-encoded"},
                    {"too short",
                     "ExportCertificate",
                     {{"CertificateArn", arn}, {"Passphrase", Base64("abc")}},
                     "ValidationException",
                     "between 4 and 128"},
                    {"too long",
                     "ExportCertificate",
                     {{"CertificateArn", arn}, {"Passphrase", Base64(std::string(129, 'p'))}},
                     "ValidationException",
                     "between 4 and 128"},
                    {"forbidden character",
                     "ExportCertificate",
                     {{"CertificateArn", arn}, {"Passphrase", Base64("pass#word")}},
                     "ValidationException",
                     "except '#', '$' and '%'"},
                });
}

TEST_CASE("ListCertificates and the tag operations check their members") {
  TestEmulator t(FrozenWall());
  RootCa ca = CreateRootCa(t, "frontend");
  std::string arn = RequestPrivate(t, "frontend", ca.arn, "api.example.com");
  CheckCases(t, {
                    {"MaxItems zero",
                     "ListCertificates",
                     {{"MaxItems", 0}},
                     "ValidationException",
                     "between 1 and 1000"},
                    {"MaxItems a string",
                     "ListCertificates",
                     {{"MaxItems", "10"}},
                     "SerializationException",
                     "MaxItems must be an integer"},
                    {"unknown status",
                     "ListCertificates",
                     {{"CertificateStatuses", {"BOGUS"}}},
                     "ValidationException",
                     "CertificateStatuses[0]"},
                    {"unknown key type",
                     "ListCertificates",
                     {{"Includes", {{"keyTypes", {"DSA"}}}}},
                     "ValidationException",
                     "Includes.keyTypes[0]"},
                    {"forged NextToken",
                     "ListCertificates",
                     {{"NextToken", "page-2"}},
                     "InvalidArgsException",
                     "was not returned by ListCertificates"},
                    {"SortBy alone",
                     "ListCertificates",
                     {{"SortBy", "CREATED_AT"}},
                     "ValidationException",
                     "together"},
                    {"no tags",
                     "AddTagsToCertificate",
                     {{"CertificateArn", arn}, {"Tags", json::array()}},
                     "ValidationException",
                     "between 1 and 50"},
                    {"Tags missing",
                     "RemoveTagsFromCertificate",
                     {{"CertificateArn", arn}},
                     "ValidationException",
                     "Tags is required"},
                    {"tag key too long",
                     "AddTagsToCertificate",
                     {{"CertificateArn", arn}, {"Tags", {{{"Key", std::string(129, 'k')}}}}},
                     "ValidationException",
                     "between 1 and 128"},
                    {"tag value with a bad character",
                     "AddTagsToCertificate",
                     {{"CertificateArn", arn}, {"Tags", {{{"Key", "team"}, {"Value", "a*b"}}}}},
                     "InvalidTagException",
                     "letters, digits"},
                    {"tag key given twice",
                     "AddTagsToCertificate",
                     {{"CertificateArn", arn},
                      {"Tags", {{{"Key", "team"}, {"Value", "a"}}, {{"Key", "team"}}}}},
                     "InvalidTagException",
                     "Tag key 'team' appears twice in this request"},
                });
}

TEST_CASE("A null where ACM wants a string is called null, once") {
  TestEmulator t(FrozenWall());

  auto error = AcmError(t, "frontend", "RequestCertificate",
                        Request({{"SubjectAlternativeNames", json::array({nullptr})}}));

  CHECK(error.code == "SerializationException");
  CHECK_THAT(error.message, Catch::EndsWith("must be a string; got null"));
}

TEST_CASE("An ACM operation crossmesh does not emulate is named, with those it does") {
  TestEmulator t(FrozenWall());
  auto response =
      t.JsonCall("frontend", "acm", "CertificateManager.ImportCertificate", json::object());
  CHECK(response.status == 400);
  CHECK(BodyJson(response)["__type"] == "UnknownOperationException");
  CHECK_THAT(BodyJson(response)["message"].get<std::string>(),
             Catch::StartsWith("ImportCertificate is not an operation crossmesh emulates for acm: "
                               "check its spelling; crossmesh emulates AddTagsToCertificate, "));
}
