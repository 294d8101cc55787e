#include <catch2/catch.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>

#include <string>
#include <vector>

#include "emulator/pki/bio.h"
#include "emulator/pki/csr.h"
#include "emulator/pki/errors.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using testing::kDay;
using testing::kNow;
using testing::RequireOk;
using testing::Unwrap;

// A PEM CSR that names `named`'s public key but is signed by `signer`.
std::string CsrSignedByAnotherKey(const PrivateKey& named, const PrivateKey& signer) {
  X509ReqPtr request(X509_REQ_new());
  REQUIRE(request != nullptr);
  REQUIRE(X509_REQ_set_pubkey(request.get(), named.get()) == 1);
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  const auto* cn = reinterpret_cast<const unsigned char*>("forged.example");
  REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1);
  REQUIRE(X509_REQ_sign(request.get(), signer.get(), EVP_sha256()) > 0);
  BioPtr bio = WriteBio();
  REQUIRE(PEM_write_bio_X509_REQ(bio.get(), request.get()) == 1);
  return BioContents(bio.get());
}

TEST_CASE("A created CSR parses back with its subject, key, algorithm and DNS names") {
  struct Case {
    KeyAlgorithm key;
    SigningAlgorithm signing;
  };
  const std::vector<Case> cases = {
      {KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa},
      {KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha384WithRsaPss},
      {KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa},
      {KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha512WithEcdsa},
      {KeyAlgorithm::kEcSecp384r1, SigningAlgorithm::kSha384WithEcdsa},
      {KeyAlgorithm::kEcSecp521r1, SigningAlgorithm::kSha512WithEcdsa},
  };
  for (const Case& c : cases) {
    INFO(KeyAlgorithmName(c.key) << " / " << SigningAlgorithmName(c.signing));
    PrivateKey key = Unwrap(PrivateKey::Generate(c.key));
    Subject subject;
    subject.organization = "Example";
    subject.common_name = "svc.example.internal";
    const std::vector<std::string> names = {"svc.example.internal", "*.svc.example.internal"};

    Csr created = Unwrap(Csr::Create(key, subject, c.signing, names));
    Csr parsed = Unwrap(Csr::FromPem(Unwrap(created.ToPem())));
    RequireOk(parsed.VerifySignature());
    CHECK(parsed.subject() == subject);
    CHECK(parsed.subject_string() == "CN=svc.example.internal,O=Example");
    CHECK(key.Matches(Unwrap(parsed.public_key())));
    CHECK(Unwrap(parsed.key_algorithm()) == c.key);
    CHECK(parsed.dns_names() == names);
  }
}

TEST_CASE("A CSR without DNS names requests none") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Subject subject;
  subject.common_name = "plain";
  Csr csr = Unwrap(Csr::Create(key, subject, SigningAlgorithm::kSha256WithEcdsa));
  CHECK(csr.dns_names().empty());
}

TEST_CASE("Creating a CSR with a signing algorithm of the wrong family is InvalidArgsException") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Result<Csr> csr = Csr::Create(key, Subject{}, SigningAlgorithm::kSha256WithRsa);
  REQUIRE_FALSE(csr.ok());
  CHECK(csr.status().code() == kInvalidArgs);
  CHECK_THAT(csr.status().message(), Catch::Contains("EC_prime256v1"));
}

TEST_CASE("Creating a CSR with a bad DNS name is InvalidArgsException naming it") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  for (std::string bad : {"", "a..b", "bad name", "a.*.example", "trailing."}) {
    INFO(bad);
    Result<Csr> csr = Csr::Create(key, Subject{}, SigningAlgorithm::kSha256WithEcdsa, {bad});
    REQUIRE_FALSE(csr.ok());
    CHECK(csr.status().code() == kInvalidArgs);
  }
}

TEST_CASE("Text that is not a PEM CSR is MalformedCSRException with OpenSSL's reason") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Csr csr = Unwrap(Csr::Create(key, testing::Named("cn"), SigningAlgorithm::kSha256WithEcdsa));
  std::string pem = Unwrap(csr.ToPem());
  std::string truncated = pem.substr(0, pem.size() / 2) + "\n-----END CERTIFICATE REQUEST-----\n";

  for (const std::string& bad : {std::string(), std::string("hello"), truncated}) {
    Result<Csr> parsed = Csr::FromPem(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == kMalformedCsr);
    CHECK_THAT(parsed.status().message(), Catch::Contains("CERTIFICATE REQUEST"));
  }
}

TEST_CASE("Two CSRs in one PEM text are MalformedCSRException, not the first signed silently") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  const std::string first = Unwrap(
      Unwrap(Csr::Create(key, testing::Named("a"), SigningAlgorithm::kSha256WithEcdsa)).ToPem());
  const std::string second = Unwrap(
      Unwrap(Csr::Create(key, testing::Named("b"), SigningAlgorithm::kSha256WithEcdsa)).ToPem());

  Result<Csr> both = Csr::FromPem(first + second);
  Result<Csr> one = Csr::FromPem(first + "trailing text\n");

  REQUIRE_FALSE(both.ok());
  CHECK(both.status().code() == kMalformedCsr);
  CHECK_THAT(both.status().message(), Catch::Contains("more than one"));
  CHECK(one.ok());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("A CSR signed by a key other than the one it names is MalformedCSRException") {
  PrivateKey named = Unwrap(PrivateKey::Generate(KeyAlgorithm::kRsa2048));
  PrivateKey signer = Unwrap(PrivateKey::Generate(KeyAlgorithm::kRsa2048));
  Csr csr = Unwrap(Csr::FromPem(CsrSignedByAnotherKey(named, signer)));

  Status verified = csr.VerifySignature();
  CHECK(verified.code() == kMalformedCsr);

  // Issuing refuses it too, before any CA check.
  testing::TestCa ca =
      testing::MakeRoot(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, "Root");
  IssueOptions options;
  options.not_before = kNow;
  options.not_after = kNow + kDay;
  Result<Certificate> issued = IssueFromCsr(csr, {&ca.key, &ca.certificate}, options);
  REQUIRE_FALSE(issued.ok());
  CHECK(issued.status().code() == kMalformedCsr);
  CHECK_THAT(issued.status().message(), Catch::Contains("signature"));
}

TEST_CASE("An EC CSR signed by another key is refused and leaves no OpenSSL error queued") {
  for (KeyAlgorithm algorithm :
       {KeyAlgorithm::kEcPrime256v1, KeyAlgorithm::kEcSecp384r1, KeyAlgorithm::kEcSecp521r1}) {
    INFO(KeyAlgorithmName(algorithm));
    PrivateKey named = Unwrap(PrivateKey::Generate(algorithm));
    PrivateKey signer = Unwrap(PrivateKey::Generate(algorithm));
    Csr csr = Unwrap(Csr::FromPem(CsrSignedByAnotherKey(named, signer)));

    ERR_clear_error();
    CHECK(csr.VerifySignature().code() == kMalformedCsr);
    CHECK(ERR_peek_error() == 0);
  }
}

TEST_CASE("An EC CSR whose signature is not DER is refused and leaves no OpenSSL error queued") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Csr csr = Unwrap(Csr::Create(key, testing::Named("cn"), SigningAlgorithm::kSha256WithEcdsa));
  std::string der = testing::PemToDer(Unwrap(csr.ToPem()));
  // The signature is the request's last field: BIT STRING, length, no unused bits, SEQUENCE.
  size_t at = std::string::npos;
  for (size_t k = der.size() - 4; k > 0 && at == std::string::npos; --k) {
    const bool last_field =
        static_cast<uint8_t>(der[k]) == 0x03 &&
        static_cast<size_t>(static_cast<uint8_t>(der[k + 1])) == der.size() - k - 2 &&
        der[k + 2] == 0x00 && der[k + 3] == 0x30;
    if (last_field) at = k + 3;
  }
  REQUIRE(at != std::string::npos);
  der[at] = 0x04;  // an OCTET STRING where ECDSA-Sig-Value's SEQUENCE belongs

  Csr parsed = Unwrap(Csr::FromPem(testing::DerToPem(der, "CERTIFICATE REQUEST")));
  ERR_clear_error();
  CHECK(parsed.VerifySignature().code() == kMalformedCsr);
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("An EC CSR signed with an RSA algorithm is MalformedCSRException") {
  PrivateKey named = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  PrivateKey signer = Unwrap(PrivateKey::Generate(KeyAlgorithm::kRsa2048));
  Csr csr = Unwrap(Csr::FromPem(CsrSignedByAnotherKey(named, signer)));

  Status verified = csr.VerifySignature();
  CHECK(verified.code() == kMalformedCsr);
  CHECK_THAT(verified.message(), Catch::Contains("signature"));
}

TEST_CASE("An EC CSR changed after signing is MalformedCSRException") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Csr csr = Unwrap(
      Csr::Create(key, testing::Named("signed.example"), SigningAlgorithm::kSha256WithEcdsa));
  std::string changed = Unwrap(csr.ToPem());
  // The subject travels base64-encoded; rewrite the CSR in DER instead.
  std::string der = testing::PemToDer(changed);
  size_t at = der.find("signed.example");
  REQUIRE(at != std::string::npos);
  der[at] = 'S';

  Csr parsed = Unwrap(Csr::FromPem(testing::DerToPem(der, "CERTIFICATE REQUEST")));
  CHECK(parsed.VerifySignature().code() == kMalformedCsr);
}

TEST_CASE("An EC CSR whose public key is not on its curve is MalformedCSRException") {
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Csr csr = Unwrap(Csr::Create(key, testing::Named("cn"), SigningAlgorithm::kSha256WithEcdsa));
  std::string der = testing::PemToDer(Unwrap(csr.ToPem()));
  const ASN1_BIT_STRING* bits = csr.key_bits();
  std::string point(reinterpret_cast<const char*>(ASN1_STRING_get0_data(bits)),
                    static_cast<size_t>(ASN1_STRING_length(bits)));
  size_t at = der.find(point);
  REQUIRE(at != std::string::npos);
  der[at + point.size() - 1] ^= 0x01;  // the last byte of Y: the point leaves the curve

  Result<Csr> parsed = Csr::FromPem(testing::DerToPem(der, "CERTIFICATE REQUEST"));
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == kMalformedCsr);
  CHECK_THAT(parsed.status().message(), Catch::Contains("public key"));
}

}  // namespace
}  // namespace crossmesh::pki
