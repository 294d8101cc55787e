#include <catch2/catch.hpp>

#include <string>

#include "emulator/pki/errors.h"
#include "emulator/pki/pkcs8.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using testing::RunCommand;
using testing::ScratchDir;
using testing::Unwrap;

TEST_CASE("An encrypted PKCS#8 export opens with openssl pkey and the same passphrase") {
  const std::string passphrase = "correct-horse_battery.staple";
  for (KeyAlgorithm algorithm :
       {KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcPrime256v1, KeyAlgorithm::kEcSecp384r1}) {
    INFO(KeyAlgorithmName(algorithm));
    PrivateKey key = Unwrap(PrivateKey::Generate(algorithm));
    std::string encrypted = Unwrap(ExportEncryptedPkcs8Pem(key, passphrase));
    CHECK_THAT(encrypted, Catch::StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

    ScratchDir dir;
    std::string path = dir.Write("key.pem", encrypted);
    const std::string pkey = "openssl pkey -in " + path;
    const std::string right_passin = " -passin pass:" + passphrase;
    testing::CommandResult opened = RunCommand(pkey + right_passin);
    INFO(opened.output);
    REQUIRE(opened.exit_code == 0);
    CHECK(opened.output == Unwrap(key.ToPem()));

    testing::CommandResult wrong = RunCommand(pkey + " -passin pass:nope");
    CHECK(wrong.exit_code != 0);

    // PBES2 with AES-256-CBC, as ACM's ExportCertificate.
    testing::CommandResult parsed = RunCommand("openssl asn1parse -in " + path);
    CHECK_THAT(parsed.output, Catch::Contains("PBES2") && Catch::Contains("aes-256-cbc"));
  }
}

TEST_CASE("An encrypted PKCS#8 export imports back only with the right passphrase") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  std::string encrypted = Unwrap(ExportEncryptedPkcs8Pem(key, "s3cret"));

  PrivateKey back = Unwrap(ImportEncryptedPkcs8Pem(encrypted, "s3cret"));
  CHECK(back.Matches(key.public_key()));

  Result<PrivateKey> wrong = ImportEncryptedPkcs8Pem(encrypted, "guess");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == kInvalidArgs);
  CHECK_THAT(wrong.status().message(), Catch::Contains("passphrase"));

  // The storage form never loads as if it were unencrypted.
  CHECK_FALSE(PrivateKey::FromPem(encrypted).ok());
}

TEST_CASE("Exporting with an empty passphrase is InvalidArgsException") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Result<std::string> encrypted = ExportEncryptedPkcs8Pem(key, "");
  REQUIRE_FALSE(encrypted.ok());
  CHECK(encrypted.status().code() == kInvalidArgs);
}

}  // namespace
}  // namespace crossmesh::pki
