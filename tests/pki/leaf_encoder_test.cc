// Leaves assembled as DER (leaf_encoder.h) are the certificates OpenSSL's X509 builder makes:
// the same TBSCertificate byte for byte, a signature that verifies under the CA, and the same
// refusals.
#include <catch2/catch.hpp>

#include <openssl/x509.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "emulator/pki/csr.h"
#include "emulator/pki/der_writer.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/issuer.h"
#include "emulator/pki/prepared_ca.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using testing::kDay;
using testing::kNow;
using testing::MakeRoot;
using testing::Named;
using testing::TestCa;
using testing::Unwrap;

struct TwoWays {
  std::string built;      // through the X509 builder
  std::string assembled;  // through leaf_encoder
};

TwoWays IssueBothWays(const TestCa& ca, const Csr& csr, IssueOptions options) {
  options.serial = {0x40, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  std::unique_ptr<PreparedCa> prepared = Unwrap(PreparedCa::Create(ca.key, &ca.certificate));
  return {Unwrap(IssueDerFromCsr(csr, {&ca.key, &ca.certificate}, options)),
          Unwrap(IssueDerFromCsr(csr, {&ca.key, &ca.certificate, prepared.get()}, options))};
}

// The header length and content length of the DER TLV at `at`.
std::pair<size_t, size_t> TlvAt(const std::string& der, size_t at) {
  REQUIRE(at + 2 <= der.size());
  const auto first = static_cast<uint8_t>(der[at + 1]);
  if (first < 0x80) return {2, first};
  const size_t bytes = first & 0x7f;
  size_t length = 0;
  for (size_t i = 0; i < bytes; ++i) length = length << 8 | static_cast<uint8_t>(der[at + 2 + i]);
  return {2 + bytes, length};
}

// The TBSCertificate exactly as it was signed: the first field of the Certificate SEQUENCE.
std::string TbsOf(const std::string& der) {
  const auto [outer_header, outer_length] = TlvAt(der, 0);
  REQUIRE(outer_header + outer_length == der.size());
  const auto [tbs_header, tbs_length] = TlvAt(der, outer_header);
  return der.substr(outer_header, tbs_header + tbs_length);
}

IssueOptions LeafOptions(SigningAlgorithm signing) {
  IssueOptions options;
  options.signing_algorithm = signing;
  options.not_before = kNow - kDay;
  options.not_after = kNow + 30 * kDay;
  return options;
}

Csr NewCsr(KeyAlgorithm key_algorithm, SigningAlgorithm signing, const Subject& subject,
           const std::vector<std::string>& dns_names) {
  PrivateKey key = Unwrap(PrivateKey::Generate(key_algorithm));
  return Unwrap(
      Csr::FromPem(Unwrap(Unwrap(Csr::Create(key, subject, signing, dns_names)).ToPem())));
}

}  // namespace

TEST_CASE("An assembled leaf is signed over the TBSCertificate the X509 builder writes") {
  TestCa ec_root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "EC");
  TestCa rsa_root = MakeRoot(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, "RSA");
  Subject full = Named("svc.example.com");
  full.organization = "Example";
  full.country = "US";
  struct Case {
    std::string says;
    const TestCa* ca;
    SigningAlgorithm signing;
    KeyAlgorithm key;
    Subject subject;
    std::vector<std::string> dns_names;
  };
  const std::vector<Case> cases = {
      {"EC leaf, names",
       &ec_root,
       SigningAlgorithm::kSha256WithEcdsa,
       KeyAlgorithm::kEcPrime256v1,
       full,
       {"svc.example.com", "*.svc.example.com"}},
      {"P-384 leaf, SHA-384",
       &ec_root,
       SigningAlgorithm::kSha384WithEcdsa,
       KeyAlgorithm::kEcSecp384r1,
       Named("p384"),
       {"p384.example.com"}},
      {"no DNS names",
       &ec_root,
       SigningAlgorithm::kSha256WithEcdsa,
       KeyAlgorithm::kEcPrime256v1,
       Named("only-a-name"),
       {}},
      {"empty subject: critical names",
       &ec_root,
       SigningAlgorithm::kSha256WithEcdsa,
       KeyAlgorithm::kEcPrime256v1,
       Subject{},
       {"nameless.example.com"}},
      {"RSA-PSS under an RSA CA",
       &rsa_root,
       SigningAlgorithm::kSha384WithRsaPss,
       KeyAlgorithm::kRsa2048,
       full,
       {"pss.example.com"}},
  };
  for (const Case& c : cases) {
    INFO(c.says);
    Csr csr = NewCsr(c.key,
                     c.key == KeyAlgorithm::kRsa2048       ? SigningAlgorithm::kSha256WithRsa
                     : c.key == KeyAlgorithm::kEcSecp384r1 ? SigningAlgorithm::kSha384WithEcdsa
                                                           : SigningAlgorithm::kSha256WithEcdsa,
                     c.subject, c.dns_names);
    TwoWays issued = IssueBothWays(*c.ca, csr, LeafOptions(c.signing));
    CHECK(TbsOf(issued.assembled) == TbsOf(issued.built));

    Certificate parsed =
        Unwrap(Certificate::FromPem(testing::DerToPem(issued.assembled, "CERTIFICATE")));
    testing::CommandResult verified = testing::OpensslVerify(parsed, {}, c.ca->certificate, kNow);
    INFO(verified.output);
    CHECK(verified.exit_code == 0);
  }
}

TEST_CASE("An assembled RSA PKCS#1 leaf is the X509 builder's certificate byte for byte") {
  // PKCS#1 v1.5 signatures are deterministic, so the whole certificate must match.
  TestCa root = MakeRoot(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, "RSA");
  Csr csr = NewCsr(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, Named("rsa"),
                   {"rsa.example.com"});
  TwoWays issued = IssueBothWays(root, csr, LeafOptions(SigningAlgorithm::kSha256WithRsa));
  CHECK(issued.assembled == issued.built);
}

TEST_CASE("An assembled leaf valid past 2049 carries GeneralizedTime as the builder's does") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "EC",
                         kNow - kDay, kNow + 40 * 365 * kDay);
  Csr csr = NewCsr(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, Named("far"),
                   {"far.example.com"});
  IssueOptions options = LeafOptions(SigningAlgorithm::kSha256WithEcdsa);
  options.not_after = kNow + 30 * 365 * kDay;
  TwoWays issued = IssueBothWays(root, csr, options);
  CHECK(TbsOf(issued.assembled) == TbsOf(issued.built));
}

TEST_CASE("Assembling a leaf refuses what the X509 builder refuses, with the same codes") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "EC");
  std::unique_ptr<PreparedCa> prepared = Unwrap(PreparedCa::Create(root.key, &root.certificate));
  const SigningCa ca{&root.key, &root.certificate, prepared.get()};
  Csr csr = NewCsr(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, Named("x"),
                   {"x.example.com"});

  IssueOptions outlives = LeafOptions(SigningAlgorithm::kSha256WithEcdsa);
  outlives.not_after = kNow + 20 * 365 * kDay;
  IssueOptions wrong_family = LeafOptions(SigningAlgorithm::kSha256WithRsa);
  Csr nameless =
      NewCsr(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, Subject{}, {});
  for (const auto& [says, result] : std::vector<std::pair<std::string, Result<std::string>>>{
           {"outlives the CA", IssueDerFromCsr(csr, ca, outlives)},
           {"algorithm of the wrong family", IssueDerFromCsr(csr, ca, wrong_family)},
           {"names nobody",
            IssueDerFromCsr(nameless, ca, LeafOptions(SigningAlgorithm::kSha256WithEcdsa))}}) {
    INFO(says);
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == kInvalidArgs);
  }
}

}  // namespace crossmesh::pki
