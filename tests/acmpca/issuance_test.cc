// IssueCertificate end to end over the real endpoint: every chain verifies with the real
// `openssl verify`, and the extensions, signature algorithm and validity are the ones asked for.
#include <catch2/catch.hpp>

#include "emulator/acmpca/model/validity.h"
#include "tests/acmpca/pca_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;
using std::chrono::seconds;

namespace {

using Strings = std::vector<std::string>;

struct KeyCase {
  std::string key_algorithm;
  Strings signing_algorithms;  // the first also signs the CA's own certificate
};

// RSA 4096 keys take about a second to generate, so that size gets one case.
const std::vector<KeyCase> kKeyCases = {
    {"RSA_2048",
     {"SHA256WITHRSA", "SHA384WITHRSA", "SHA512WITHRSA", "SHA256WITHRSA_PSS", "SHA384WITHRSA_PSS",
      "SHA512WITHRSA_PSS"}},
    {"RSA_3072", {"SHA384WITHRSA", "SHA256WITHRSA_PSS"}},
    {"RSA_4096", {"SHA512WITHRSA"}},
    {"EC_prime256v1", {"SHA256WITHECDSA", "SHA384WITHECDSA", "SHA512WITHECDSA"}},
    {"EC_secp384r1", {"SHA384WITHECDSA", "SHA256WITHECDSA", "SHA512WITHECDSA"}},
    {"EC_secp521r1", {"SHA512WITHECDSA", "SHA256WITHECDSA", "SHA384WITHECDSA"}},
};

void CheckEndEntityExtensions(const pki::Certificate& leaf) {
  auto constraints = leaf.basic_constraints();
  REQUIRE(constraints);
  CHECK_FALSE(constraints->ca);
  CHECK(constraints->critical);
  auto usage = leaf.key_usage();
  REQUIRE(usage);
  CHECK(usage->critical);
  CHECK(usage->usages == Strings{"digitalSignature", "keyEncipherment"});
  CHECK(leaf.extended_key_usages() == Strings{"serverAuth", "clientAuth"});
  CHECK_FALSE(leaf.subject_key_id().empty());
  CHECK_FALSE(leaf.authority_key_id().empty());
}

void CheckCaExtensions(const pki::Certificate& certificate, std::optional<int> path_length) {
  auto constraints = certificate.basic_constraints();
  REQUIRE(constraints);
  CHECK(constraints->ca);
  CHECK(constraints->critical);
  CHECK(constraints->path_length == path_length);
  auto usage = certificate.key_usage();
  REQUIRE(usage);
  CHECK(usage->critical);
  CHECK(usage->usages == Strings{"digitalSignature", "keyCertSign", "cRLSign"});
  CHECK(certificate.extended_key_usages().empty());
}

// Seconds between two times, for "about now" checks against the wall clock.
int64_t SecondsBetween(TimePoint a, TimePoint b) {
  return std::chrono::duration_cast<seconds>(a - b).count();
}

json Request(const std::string& csr_pem, const std::string& signing, json validity) {
  return {{"Csr", Base64(csr_pem)}, {"SigningAlgorithm", signing}, {"Validity", validity}};
}

const json kOneYear = {{"Value", 1}, {"Type", "YEARS"}};

}  // namespace

TEST_CASE("Certificates for every key and signing algorithm verify and carry that algorithm") {
  TestEmulator t;
  TempDir dir;
  int n = 0;
  for (const KeyCase& key_case : kKeyCases) {
    CaSpec spec{key_case.key_algorithm, key_case.signing_algorithms.front()};
    std::string ca = CreateActiveRoot(t, "frontend", spec);
    std::string root = CaCertificate(t, "frontend", ca);
    CHECK(ParsePem(root).signature_algorithm_name() == spec.signing_algorithm);

    for (const std::string& signing : key_case.signing_algorithms) {
      INFO(key_case.key_algorithm << " signing " << signing);
      // Alternate the requester's key family: the CA's family, not the CSR's, decides the
      // signature.
      auto requester_key = ++n % 2 ? pki::KeyAlgorithm::kEcPrime256v1 : pki::KeyAlgorithm::kRsa2048;
      std::string csr = NewCsrPem(requester_key, "svc.example.com", {"svc.example.com"});
      Issued leaf = IssueAndGet(t, "frontend", ca, Request(csr, signing, kOneYear));

      CHECK(OpensslVerifyFails(dir, root, leaf.chain, leaf.certificate) == "");
      pki::Certificate certificate = ParsePem(leaf.certificate);
      CHECK(certificate.signature_algorithm_name() == signing);
      CHECK(*certificate.key_algorithm() == requester_key);
      CHECK(certificate.subject().common_name == "svc.example.com");
      CHECK(certificate.dns_names() == Strings{"svc.example.com"});
      CHECK(leaf.arn == ca + "/certificate/" + certificate.serial_hex());
      CHECK(leaf.chain == root);
      CheckEndEntityExtensions(certificate);
    }
  }
}

TEST_CASE("Each CA template sets basic constraints, path length and key usage as documented") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  CheckCaExtensions(ParsePem(CaCertificate(t, "frontend", ca)), std::nullopt);

  for (int path_length = 0; path_length <= 3; ++path_length) {
    INFO("SubordinateCACertificate_PathLen" << path_length);
    json request =
        Request(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "sub"), "SHA256WITHECDSA", kOneYear);
    request["TemplateArn"] = SubordinateTemplate(path_length);
    Issued sub = IssueAndGet(t, "frontend", ca, request);
    CheckCaExtensions(ParsePem(sub.certificate), path_length);
    CHECK_FALSE(ParsePem(sub.certificate).authority_key_id().empty());
  }

  json end_entity =
      Request(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "leaf"), "SHA256WITHECDSA", kOneYear);
  end_entity["TemplateArn"] = kEndEntityTemplate;
  CheckEndEntityExtensions(ParsePem(IssueAndGet(t, "frontend", ca, end_entity).certificate));
}

TEST_CASE("A three-level hierarchy imports its subordinates and every leaf verifies with openssl") {
  TestEmulator t;
  TempDir dir;
  std::string root = CreateActiveRoot(t, "frontend", {"RSA_2048", "SHA256WITHRSA"});
  std::string middle = CreateActiveSubordinate(t, "frontend", root, {.common_name = "middle"}, 1);
  std::string issuing = CreateActiveSubordinate(
      t, "frontend", middle, {"EC_secp384r1", "SHA384WITHECDSA", "", "issuing"}, 0, 4);
  CHECK(CaStatusOf(t, "frontend", middle) == "ACTIVE");
  CHECK(CaStatusOf(t, "frontend", issuing) == "ACTIVE");

  json ca_answer = PcaOk(t, "frontend", "GetCertificateAuthorityCertificate",
                         {{"CertificateAuthorityArn", issuing}});
  CheckCaExtensions(ParsePem(ca_answer["Certificate"]), 0);
  CHECK(ca_answer.contains("CertificateChain"));

  Issued leaf = IssueAndGet(t, "frontend", issuing,
                            Request(NewCsrPem(pki::KeyAlgorithm::kRsa2048, "db.example.com"),
                                    "SHA384WITHECDSA", {{"Value", 90}, {"Type", "DAYS"}}));
  std::string root_pem = CaCertificate(t, "frontend", root);
  CHECK(OpensslVerifyFails(dir, root_pem, leaf.chain, leaf.certificate) == "");
  // The chain is the issuing CA, then its own chain up to the root.
  auto chain = pki::ParseCertificatesPem(leaf.chain);
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 3);
  CHECK((*chain)[0].subject().common_name == "issuing");
  CHECK((*chain)[1].subject().common_name == "middle");
  CHECK((*chain)[2].IsSelfSigned());
}

TEST_CASE("Templates the CA may not use fail with InvalidArgsException or InvalidStateException") {
  TestEmulator t;
  std::string root = CreateActiveRoot(t, "frontend", {});
  std::string leaf_only = CreateActiveSubordinate(t, "frontend", root, {}, 0);
  std::string pending_sub = CreateCa(t, "frontend", {.type = "SUBORDINATE"});
  std::string pending_root = CreateCa(t, "frontend", {});
  std::string foreign_csr = NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "someone else");
  std::string sub_csr = PcaOk(t, "frontend", "GetCertificateAuthorityCsr",
                              {{"CertificateAuthorityArn", pending_sub}})["Csr"];

  struct Case {
    std::string what, ca, csr, template_arn, code, message;
  };
  const std::vector<Case> cases = {
      {"a CA template from a path length 0 CA", leaf_only, foreign_csr, SubordinateTemplate(0),
       "InvalidArgsException", "path length 0"},
      {"RootCACertificate/V1 for a key that is not the CA's", root, foreign_csr, kRootTemplate,
       "InvalidArgsException", "not the CA's key"},
      {"RootCACertificate/V1 from a SUBORDINATE CA", pending_sub, sub_csr, kRootTemplate,
       "InvalidArgsException", "SUBORDINATE"},
      {"a template crossmesh does not know", root, foreign_csr,
       "arn:aws:acm-pca:::template/CodeSigningCertificate/V1", "InvalidArgsException",
       "CodeSigningCertificate"},
      {"an end-entity certificate from a PENDING_CERTIFICATE CA", pending_root, foreign_csr, "",
       "InvalidStateException", "PENDING_CERTIFICATE"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    json request = Request(c.csr, "SHA256WITHECDSA", kOneYear);
    request["CertificateAuthorityArn"] = c.ca;
    if (!c.template_arn.empty()) request["TemplateArn"] = c.template_arn;
    PcaAnswer answer = Pca(t, "frontend", "IssueCertificate", request);
    INFO(answer.body.dump());
    CHECK(answer.status == 400);
    CHECK(answer.code() == c.code);
    CHECK_THAT(answer.body.value("message", ""), Catch::Contains(c.message));
  }
}

TEST_CASE("Validity types and ValidityNotBefore set the certificate's window") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  std::string csr = NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "window");
  TimePoint now = t.emulator().clock().Now();
  int64_t now_seconds = std::chrono::duration_cast<seconds>(now.time_since_epoch()).count();

  struct Case {
    json validity;
    TimePoint expected_not_after;
  };
  const std::vector<Case> cases = {
      {{{"Value", 30}, {"Type", "DAYS"}}, now + std::chrono::days(30)},
      {{{"Value", 13}, {"Type", "MONTHS"}}, acmpca::AddMonths(now, 13)},
      {{{"Value", 2}, {"Type", "YEARS"}}, acmpca::AddMonths(now, 24)},
      {{{"Value", now_seconds + 1000000}, {"Type", "ABSOLUTE"}},
       TimePoint(seconds(now_seconds + 1000000))},
      {{{"Value", 20301231235959}, {"Type", "END_DATE"}},
       std::chrono::sys_days{std::chrono::year{2030} / 12 / 31} + std::chrono::hours(23) +
           std::chrono::minutes(59) + seconds(59)},
      {{{"Value", 301231235959}, {"Type", "END_DATE"}},
       std::chrono::sys_days{std::chrono::year{2030} / 12 / 31} + std::chrono::hours(23) +
           std::chrono::minutes(59) + seconds(59)},
  };
  for (const Case& c : cases) {
    INFO(c.validity.dump());
    Issued issued = IssueAndGet(t, "frontend", ca, Request(csr, "SHA256WITHECDSA", c.validity));
    pki::Certificate certificate = ParsePem(issued.certificate);
    CHECK(std::abs(SecondsBetween(certificate.not_after(), c.expected_not_after)) <= 2);
    // AWS Private CA backdates NotBefore by 60 minutes.
    CHECK(std::abs(SecondsBetween(certificate.not_before(), now - std::chrono::minutes(60))) <= 2);
  }

  json explicit_start = Request(csr, "SHA256WITHECDSA", kOneYear);
  explicit_start["ValidityNotBefore"] = {{"Value", now_seconds + 3600}, {"Type", "ABSOLUTE"}};
  pki::Certificate later = ParsePem(IssueAndGet(t, "frontend", ca, explicit_start).certificate);
  CHECK(later.not_before() == TimePoint(seconds(now_seconds + 3600)));
}

TEST_CASE("A validity the CA cannot give fails with the error AWS gives") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {}, 1);
  std::string csr = NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "too long");
  struct Case {
    std::string what;
    json validity, not_before;
    std::string code, message;
  };
  const std::vector<Case> cases = {
      {"past the CA's own notAfter",
       {{"Value", 2}, {"Type", "YEARS"}},
       nullptr,
       "ValidationException",
       "may not outlive its CA"},
      {"an END_DATE that is not a date",
       {{"Value", 20301332000000}, {"Type", "END_DATE"}},
       nullptr,
       "InvalidArgsException",
       "is not a date"},
      {"an ABSOLUTE end in the past",
       {{"Value", 1000000000}, {"Type", "ABSOLUTE"}},
       nullptr,
       "ValidationException",
       "not after the issuance time"},
      {"a relative ValidityNotBefore",
       kOneYear,
       {{"Value", 1}, {"Type", "DAYS"}},
       "InvalidArgsException",
       "explicit time"},
      {"a time past 2255",
       {{"Value", 300}, {"Type", "YEARS"}},
       nullptr,
       "InvalidArgsException",
       "ends after 2255-03-14, the latest time crossmesh can represent"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    json request = Request(csr, "SHA256WITHECDSA", c.validity);
    request["CertificateAuthorityArn"] = ca;
    if (!c.not_before.is_null()) request["ValidityNotBefore"] = c.not_before;
    PcaAnswer answer = Pca(t, "frontend", "IssueCertificate", request);
    INFO(answer.body.dump());
    CHECK(answer.code() == c.code);
    CHECK_THAT(answer.body.value("message", ""), Catch::Contains(c.message));
  }
}

TEST_CASE("The same IdempotencyToken and input return the same ARN within the token's window") {
  TestEmulator t;
  json create = {{"CertificateAuthorityConfiguration",
                  {{"KeyAlgorithm", "EC_prime256v1"},
                   {"SigningAlgorithm", "SHA256WITHECDSA"},
                   {"Subject", {{"CommonName", "idempotent"}}}}},
                 {"CertificateAuthorityType", "ROOT"},
                 {"IdempotencyToken", "98256344"}};
  std::string first =
      PcaOk(t, "frontend", "CreateCertificateAuthority", create)["CertificateAuthorityArn"];
  CHECK(PcaOk(t, "frontend", "CreateCertificateAuthority", create)["CertificateAuthorityArn"] ==
        first);
  json other = create;
  other["CertificateAuthorityConfiguration"]["Subject"]["CommonName"] = "another";
  CHECK(PcaOk(t, "frontend", "CreateCertificateAuthority", other)["CertificateAuthorityArn"] !=
        first);

  std::string ca = CreateActiveRoot(t, "frontend", {});
  json issue =
      Request(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, "once"), "SHA256WITHECDSA", kOneYear);
  issue["CertificateAuthorityArn"] = ca;
  issue["IdempotencyToken"] = "1234";
  std::string issued = PcaOk(t, "frontend", "IssueCertificate", issue)["CertificateArn"];
  CHECK(PcaOk(t, "frontend", "IssueCertificate", issue)["CertificateArn"] == issued);

  // IssueCertificate tokens last a minute, CreateCertificateAuthority tokens five.
  REQUIRE(t.emulator().AdvanceClock(std::chrono::minutes(2)).ok());
  CHECK(PcaOk(t, "frontend", "IssueCertificate", issue)["CertificateArn"] != issued);
  CHECK(PcaOk(t, "frontend", "CreateCertificateAuthority", create)["CertificateAuthorityArn"] ==
        first);
  REQUIRE(t.emulator().AdvanceClock(std::chrono::minutes(4)).ok());
  CHECK(PcaOk(t, "frontend", "CreateCertificateAuthority", create)["CertificateAuthorityArn"] !=
        first);
}
