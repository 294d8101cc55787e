#include <openssl/rsa.h>
#include <catch2/catch.hpp>

#include <string>

#include "emulator/pki/errors.h"
#include "emulator/pki/keys.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using testing::Unwrap;

TEST_CASE("Each key algorithm survives a PKCS#8 PEM round trip and reports its own name") {
  for (KeyAlgorithm algorithm : kAllKeyAlgorithms) {
    INFO(KeyAlgorithmName(algorithm));
    PrivateKey key = Unwrap(PrivateKey::Generate(algorithm));
    CHECK(key.algorithm() == algorithm);

    std::string pem = Unwrap(key.ToPem());
    CHECK_THAT(pem, Catch::StartsWith("-----BEGIN PRIVATE KEY-----"));
    PrivateKey loaded = Unwrap(PrivateKey::FromPem(pem));
    CHECK(loaded.algorithm() == algorithm);
    CHECK(loaded.Matches(key.public_key()));
    CHECK(Unwrap(loaded.ToPem()) == pem);

    PublicKey public_key = Unwrap(PublicKey::FromPem(Unwrap(key.public_key().ToPem())));
    CHECK(Unwrap(public_key.Algorithm()) == algorithm);
    CHECK(public_key.Equals(key.public_key()));
  }
}

TEST_CASE("Two generated keys of the same algorithm do not match each other") {
  PrivateKey first = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  PrivateKey second = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  CHECK_FALSE(first.Matches(second.public_key()));
  CHECK_FALSE(first.public_key().Equals(second.public_key()));
}

TEST_CASE("Private key PEM that is not a key is InvalidArgsException with OpenSSL's reason") {
  Result<PrivateKey> key = PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nnope\n");
  REQUIRE_FALSE(key.ok());
  CHECK(key.status().code() == kInvalidArgs);
  CHECK_THAT(key.status().message(), Catch::Contains("("));
}

TEST_CASE("Keys outside the supported algorithms are refused with a description of the key") {
  EvpPkeyPtr small(EVP_RSA_gen(1024));
  REQUIRE(small != nullptr);
  Result<PrivateKey> key = PrivateKey::Adopt(std::move(small));
  REQUIRE_FALSE(key.ok());
  CHECK(key.status().code() == kInvalidArgs);
  CHECK_THAT(key.status().message(), Catch::Contains("RSA 1024-bit"));
}

}  // namespace
}  // namespace crossmesh::pki
