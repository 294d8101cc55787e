#include <catch2/catch.hpp>

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
    CHECK(key.Matches(parsed.public_key()));
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

}  // namespace
}  // namespace crossmesh::pki
