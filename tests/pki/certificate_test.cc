#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "emulator/pki/certificate.h"
#include "emulator/pki/errors.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using testing::IssueLeaf;
using testing::kNow;
using testing::MakeRoot;
using testing::RequireOk;
using testing::TestCa;
using testing::Unwrap;

TEST_CASE("Text that is not a PEM certificate is MalformedCertificateException") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root");
  std::string pem = Unwrap(root.certificate.ToPem());
  std::string corrupted = pem;
  corrupted[pem.size() / 2] = corrupted[pem.size() / 2] == 'A' ? 'B' : 'A';
  const std::vector<std::string> cases = {
      "",
      "not a certificate",
      pem.substr(0, pem.size() / 2),
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      corrupted,
  };
  for (const std::string& bad : cases) {
    INFO(bad);
    Result<Certificate> parsed = Certificate::FromPem(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == kMalformedCertificate);
    CHECK_THAT(parsed.status().message(), Catch::Contains("certificate", Catch::CaseSensitive::No));
  }
}

TEST_CASE("A certificate matches its own key and no other") {
  TestCa root = MakeRoot(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, "Root");
  PrivateKey other = Unwrap(PrivateKey::Generate(KeyAlgorithm::kRsa2048));

  CHECK(root.certificate.Matches(root.key));
  RequireOk(CheckCertificateMatchesKey(root.certificate, root.key));

  CHECK_FALSE(root.certificate.Matches(other));
  Status mismatch = CheckCertificateMatchesKey(root.certificate, other);
  CHECK(mismatch.code() == kCertificateMismatch);
  CHECK_THAT(mismatch.message(), Catch::Contains("RSA 2048-bit"));
}

TEST_CASE("A PEM bundle parses into its certificates in order and renders back the same") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root");
  Certificate leaf = IssueLeaf(root, SigningAlgorithm::kSha256WithEcdsa, "leaf.example");
  std::string bundle = Unwrap(CertificatesToPem({leaf, root.certificate}));

  std::vector<Certificate> parsed = Unwrap(ParseCertificatesPem(bundle));
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[0].sha256_fingerprint() == leaf.sha256_fingerprint());
  CHECK(parsed[1].sha256_fingerprint() == root.certificate.sha256_fingerprint());
  CHECK(Unwrap(CertificatesToPem(parsed)) == bundle);
  // FromPem takes the first block.
  CHECK(Unwrap(Certificate::FromPem(bundle)).subject_string() == "CN=leaf.example");
}

TEST_CASE("A PEM bundle with a broken block or no block is MalformedCertificateException") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root");
  std::string good = Unwrap(root.certificate.ToPem());
  const std::vector<std::string> cases = {
      "",
      good + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
  };
  for (const std::string& bad : cases) {
    Result<std::vector<Certificate>> parsed = ParseCertificatesPem(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == kMalformedCertificate);
  }
}

TEST_CASE("A certificate read from DER equals the one read from PEM") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcSecp521r1, SigningAlgorithm::kSha512WithEcdsa, "Root");
  unsigned char* raw = nullptr;
  int length = i2d_X509(root.certificate.get(), &raw);
  OpenSslBufferPtr der(raw);
  REQUIRE(length > 0);
  Certificate parsed = Unwrap(Certificate::FromDer({raw, static_cast<size_t>(length)}));
  CHECK(parsed.sha256_fingerprint() == root.certificate.sha256_fingerprint());
  CHECK(parsed.not_after() == root.certificate.not_after());
  CHECK(Unwrap(parsed.key_algorithm()) == KeyAlgorithm::kEcSecp521r1);

  const std::vector<uint8_t> garbage = {0x30, 0x03, 0x02, 0x01};
  CHECK(Certificate::FromDer(garbage).status().code() == kMalformedCertificate);
}

TEST_CASE("Copies of a certificate share it and stay valid after the original goes") {
  std::optional<Certificate> copy;
  std::string fingerprint;
  {
    TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "R");
    fingerprint = root.certificate.sha256_fingerprint();
    copy = root.certificate;
  }
  CHECK(copy->sha256_fingerprint() == fingerprint);
  CHECK(copy->not_before() == kNow - testing::kDay);
}

TEST_CASE("Alternative names list DNS, URI, email and IP entries in order") {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  for (const auto& [type, text] :
       std::vector<std::pair<int, const char*>>{{GEN_DNS, "a.example"},
                                                {GEN_URI, "spiffe://mesh/yelb-ui"},
                                                {GEN_IPADD, "127.0.0.1"},
                                                {GEN_EMAIL, "ops@example.com"},
                                                {GEN_IPADD, "::1"}}) {
    GENERAL_NAME* name = a2i_GENERAL_NAME(nullptr, nullptr, nullptr, type, text, 0);
    REQUIRE(name != nullptr);
    sk_GENERAL_NAME_push(names.get(), name);
  }

  const std::vector<AltName> alt = AltNamesOf(names.get());

  REQUIRE(alt.size() == 5);
  CHECK((alt[0].kind == "dns" && alt[0].value == "a.example"));
  CHECK((alt[1].kind == "uri" && alt[1].value == "spiffe://mesh/yelb-ui"));
  CHECK((alt[2].kind == "ip_address" && alt[2].value == "127.0.0.1"));
  CHECK((alt[3].kind == "email" && alt[3].value == "ops@example.com"));
  CHECK((alt[4].kind == "ip_address" && alt[4].value == "::1"));
}

}  // namespace
}  // namespace crossmesh::pki
