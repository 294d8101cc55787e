#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "emulator/pki/algorithms.h"
#include "emulator/pki/certificate_template.h"
#include "emulator/pki/errors.h"

namespace crossmesh::pki {
namespace {

TEST_CASE("Every KeyAlgorithm and SigningAlgorithm name parses back to itself") {
  for (KeyAlgorithm algorithm : kAllKeyAlgorithms) {
    Result<KeyAlgorithm> parsed = ParseKeyAlgorithm(KeyAlgorithmName(algorithm));
    REQUIRE(parsed.ok());
    CHECK(*parsed == algorithm);
  }
  for (SigningAlgorithm algorithm : kAllSigningAlgorithms) {
    Result<SigningAlgorithm> parsed = ParseSigningAlgorithm(SigningAlgorithmName(algorithm));
    REQUIRE(parsed.ok());
    CHECK(*parsed == algorithm);
  }
}

TEST_CASE("Unknown algorithm names are InvalidArgsException listing the accepted names") {
  Result<KeyAlgorithm> key = ParseKeyAlgorithm("RSA_1024");
  REQUIRE_FALSE(key.ok());
  CHECK(key.status().code() == kInvalidArgs);
  CHECK_THAT(key.status().message(), Catch::Contains("RSA_1024") && Catch::Contains("RSA_2048"));

  Result<SigningAlgorithm> signing = ParseSigningAlgorithm("sha256WithRSA");
  REQUIRE_FALSE(signing.ok());
  CHECK(signing.status().code() == kInvalidArgs);
  CHECK_THAT(signing.status().message(), Catch::Contains("SHA256WITHRSA"));
}

TEST_CASE("A signing algorithm fits only keys of its own family") {
  struct Case {
    SigningAlgorithm signing;
    KeyAlgorithm key;
    bool fits;
  };
  const std::vector<Case> cases = {
      {SigningAlgorithm::kSha256WithRsa, KeyAlgorithm::kRsa2048, true},
      {SigningAlgorithm::kSha512WithRsaPss, KeyAlgorithm::kRsa4096, true},
      {SigningAlgorithm::kSha384WithEcdsa, KeyAlgorithm::kEcSecp384r1, true},
      {SigningAlgorithm::kSha256WithEcdsa, KeyAlgorithm::kRsa2048, false},
      {SigningAlgorithm::kSha256WithRsa, KeyAlgorithm::kEcPrime256v1, false},
      {SigningAlgorithm::kSha256WithRsaPss, KeyAlgorithm::kEcSecp521r1, false},
  };
  for (const Case& c : cases) {
    INFO(SigningAlgorithmName(c.signing) << " with " << KeyAlgorithmName(c.key));
    Status status = CheckSigningAlgorithmFitsKey(c.signing, c.key);
    CHECK(status.ok() == c.fits);
    if (!c.fits) {
      CHECK(status.code() == kInvalidArgs);
      CHECK_THAT(status.message(), Catch::Contains(std::string(SigningAlgorithmName(c.signing))));
    }
  }
}

TEST_CASE("Template ARNs parse to their template and unknown ones are InvalidArgsException") {
  for (CertificateTemplate kind : kAllCertificateTemplates) {
    Result<CertificateTemplate> parsed = ParseTemplateArn(TemplateArn(kind));
    REQUIRE(parsed.ok());
    CHECK(*parsed == kind);
  }
  CHECK(TemplateArn(CertificateTemplate::kEndEntityV1) ==
        "arn:aws:acm-pca:::template/EndEntityCertificate/V1");

  const std::vector<std::string> unknown = {
      "arn:aws:acm-pca:::template/EndEntityCertificate_CSRPassthrough/V1",
      "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen4/V1",
      "EndEntityCertificate/V1",
      "",
  };
  for (const std::string& arn : unknown) {
    INFO(arn);
    Result<CertificateTemplate> parsed = ParseTemplateArn(arn);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == kInvalidArgs);
  }
}

}  // namespace
}  // namespace crossmesh::pki
