#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "emulator/pki/chain.h"
#include "emulator/pki/errors.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using testing::IssueLeaf;
using testing::kDay;
using testing::kNow;
using testing::MakeRoot;
using testing::MakeSubordinate;
using testing::OpensslVerify;
using testing::RequireOk;
using testing::TestCa;

// root (RSA) -> subordinate PathLen0 (EC) -> leaf (EC), valid from kNow - 1 day.
struct ThreeTier {
  TestCa root = MakeRoot(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, "Root");
  TestCa sub = MakeSubordinate(root, KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithRsa,
                               CertificateTemplate::kSubordinateCaPathLen0V1, "Issuing");
  Certificate leaf = IssueLeaf(sub, SigningAlgorithm::kSha256WithEcdsa, "svc.example");
};

TEST_CASE("A leaf verifies through its intermediate at any time inside every validity window") {
  ThreeTier pki;
  for (TimePoint at : {kNow - kDay, kNow, kNow + 394 * kDay}) {
    INFO(FormatUtc(at));
    RequireOk(VerifyCertificateChain(pki.leaf, {pki.sub.certificate}, {pki.root.certificate}, at));
    testing::CommandResult cli =
        OpensslVerify(pki.leaf, {pki.sub.certificate}, pki.root.certificate, at);
    INFO(cli.output);
    CHECK(cli.exit_code == 0);
  }
}

TEST_CASE("Chain verification reports OpenSSL's reason, as the openssl tool does") {
  ThreeTier pki;
  TestCa stranger = MakeRoot(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, "Stranger");
  struct Case {
    std::string name;
    std::vector<Certificate> intermediates;
    Certificate trusted;
    TimePoint at;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"after the leaf's notAfter",
       {pki.sub.certificate},
       pki.root.certificate,
       kNow + 396 * kDay,
       "certificate has expired"},
      {"before the leaf's notBefore",
       {pki.sub.certificate},
       pki.root.certificate,
       kNow - 2 * kDay,
       "certificate is not yet valid"},
      {"against a different root",
       {pki.sub.certificate},
       stranger.certificate,
       kNow,
       "unable to get local issuer certificate"},
      {"without the intermediate",
       {},
       pki.root.certificate,
       kNow,
       "unable to get local issuer certificate"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Status status = VerifyCertificateChain(pki.leaf, c.intermediates, {c.trusted}, c.at);
    REQUIRE_FALSE(status.ok());
    CHECK(status.code() == kCertificateMismatch);
    CHECK_THAT(status.message(), Catch::Contains(c.reason) && Catch::Contains(FormatUtc(c.at)));

    testing::CommandResult cli = OpensslVerify(pki.leaf, c.intermediates, c.trusted, c.at);
    INFO(cli.output);
    CHECK(cli.exit_code != 0);
    CHECK_THAT(cli.output, Catch::Contains(c.reason));
  }
}

TEST_CASE("A subordinate CA chain verifies when ordered from its issuer up to the root") {
  TestCa root = MakeRoot(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, "Root");
  TestCa middle = MakeSubordinate(root, KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa,
                                  CertificateTemplate::kSubordinateCaPathLen1V1, "Middle");
  TestCa issuing =
      MakeSubordinate(middle, KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithRsa,
                      CertificateTemplate::kSubordinateCaPathLen0V1, "Issuing");

  RequireOk(
      VerifySubordinateCaChain(issuing.certificate, {middle.certificate, root.certificate}, kNow));
  RequireOk(VerifySubordinateCaChain(middle.certificate, {root.certificate}, kNow));
  testing::CommandResult cli =
      OpensslVerify(issuing.certificate, {middle.certificate}, root.certificate, kNow);
  INFO(cli.output);
  CHECK(cli.exit_code == 0);

  Certificate leaf = IssueLeaf(issuing, SigningAlgorithm::kSha256WithEcdsa, "deep.example");
  struct Case {
    std::string name;
    Certificate certificate;
    std::vector<Certificate> chain;
    TimePoint at;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"no chain", issuing.certificate, {}, kNow, "CertificateChain"},
      {"root first",
       issuing.certificate,
       {root.certificate, middle.certificate},
       kNow,
       "did not issue"},
      {"no root", issuing.certificate, {middle.certificate}, kNow, "self-signed root"},
      {"an end-entity certificate",
       leaf,
       {issuing.certificate, middle.certificate, root.certificate},
       kNow,
       "not a CA certificate"},
      {"after the root expired",
       issuing.certificate,
       {middle.certificate, root.certificate},
       kNow + 3651 * kDay,
       "certificate has expired"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Status status = VerifySubordinateCaChain(c.certificate, c.chain, c.at);
    REQUIRE_FALSE(status.ok());
    CHECK(status.code() == kCertificateMismatch);
    CHECK_THAT(status.message(), Catch::Contains(c.says));
  }
}

}  // namespace
}  // namespace crossmesh::pki
