#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "emulator/pki/chain.h"
#include "emulator/pki/csr.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/issuer.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using testing::IssueLeaf;
using testing::kDay;
using testing::kNow;
using testing::MakeRoot;
using testing::MakeSubordinate;
using testing::Named;
using testing::OpensslVerify;
using testing::RequireOk;
using testing::RunCommand;
using testing::TestCa;
using testing::Unwrap;

IssueOptions Window(CertificateTemplate kind, SigningAlgorithm signing) {
  IssueOptions options;
  options.certificate_template = kind;
  options.signing_algorithm = signing;
  options.not_before = kNow - kDay;
  options.not_after = kNow + 30 * kDay;
  return options;
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

void RequireOpensslVerifies(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                            const Certificate& root) {
  testing::CommandResult verified = OpensslVerify(leaf, intermediates, root, kNow);
  INFO(verified.output);
  REQUIRE(verified.exit_code == 0);
}

TEST_CASE("Each template sets the extensions of its AWS Private CA namesake") {
  struct Case {
    CertificateTemplate kind;
    bool ca;
    std::optional<int> path_length;
    std::vector<std::string> key_usage;
    std::vector<std::string> extended_key_usage;
  };
  const std::vector<std::string> ca_usage = {"digitalSignature", "keyCertSign", "cRLSign"};
  const std::vector<Case> cases = {
      {CertificateTemplate::kEndEntityV1,
       false,
       std::nullopt,
       {"digitalSignature", "keyEncipherment"},
       {"serverAuth", "clientAuth"}},
      {CertificateTemplate::kRootCaV1, true, std::nullopt, ca_usage, {}},
      {CertificateTemplate::kSubordinateCaPathLen0V1, true, 0, ca_usage, {}},
      {CertificateTemplate::kSubordinateCaPathLen1V1, true, 1, ca_usage, {}},
      {CertificateTemplate::kSubordinateCaPathLen2V1, true, 2, ca_usage, {}},
      {CertificateTemplate::kSubordinateCaPathLen3V1, true, 3, ca_usage, {}},
  };
  TestCa root = MakeRoot(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, "Root");

  for (const Case& c : cases) {
    INFO(TemplateName(c.kind));
    const bool self_signed = c.kind == CertificateTemplate::kRootCaV1;
    PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
    Csr csr = Unwrap(Csr::Create(key, Named("subject.example"), SigningAlgorithm::kSha256WithEcdsa,
                                 {"subject.example"}));
    SigningCa ca = self_signed ? SigningCa{&key, nullptr} : SigningCa{&root.key, &root.certificate};
    SigningAlgorithm signing =
        self_signed ? SigningAlgorithm::kSha256WithEcdsa : SigningAlgorithm::kSha256WithRsa;
    Certificate issued = Unwrap(IssueFromCsr(csr, ca, Window(c.kind, signing)));
    // Read everything back from the PEM, as a client would see it.
    Certificate parsed = Unwrap(Certificate::FromPem(Unwrap(issued.ToPem())));

    std::optional<BasicConstraints> constraints = parsed.basic_constraints();
    REQUIRE(constraints.has_value());
    CHECK(constraints->critical);
    CHECK(constraints->ca == c.ca);
    CHECK(parsed.is_ca() == c.ca);
    CHECK(constraints->path_length == c.path_length);
    CHECK(parsed.path_length() == c.path_length);

    std::optional<KeyUsage> usage = parsed.key_usage();
    REQUIRE(usage.has_value());
    CHECK(usage->critical);
    std::vector<std::string> expected_usage = c.key_usage;
    std::vector<std::string> actual_usage = usage->usages;
    std::sort(expected_usage.begin(), expected_usage.end());
    std::sort(actual_usage.begin(), actual_usage.end());
    CHECK(actual_usage == expected_usage);
    CHECK(parsed.extended_key_usages() == c.extended_key_usage);

    CHECK(parsed.subject_key_id().size() == 40);  // SHA-1 of the key, RFC 5280 4.2.1.2
    if (self_signed) {
      CHECK(parsed.authority_key_id().empty());
      CHECK(parsed.IsSelfSigned());
      CHECK(parsed.issuer_string() == parsed.subject_string());
      RequireOpensslVerifies(parsed, {}, parsed);
    } else {
      CHECK(parsed.authority_key_id() == root.certificate.subject_key_id());
      CHECK_FALSE(parsed.IsSelfSigned());
      CHECK(parsed.issuer_string() == root.certificate.subject_string());
      CHECK(parsed.issuer_common_name() == "Root");
      RequireOk(VerifyCertificateChain(parsed, {}, {root.certificate}, kNow));
      RequireOpensslVerifies(parsed, {}, root.certificate);
    }
    CHECK(parsed.dns_names() == std::vector<std::string>{"subject.example"});
    CHECK(parsed.subject().common_name == "subject.example");
  }
}

TEST_CASE("The issued certificate carries the requested signature algorithm for every CA key") {
  for (KeyAlgorithm ca_key : kAllKeyAlgorithms) {
    PrivateKey key = Unwrap(PrivateKey::Generate(ca_key));
    for (SigningAlgorithm signing : kAllSigningAlgorithms) {
      if (FamilyOf(signing) != FamilyOf(ca_key)) continue;
      INFO(KeyAlgorithmName(ca_key) << " signing " << SigningAlgorithmName(signing));

      Csr csr = Unwrap(Csr::Create(key, Named("Root"), signing));
      IssueOptions options = Window(CertificateTemplate::kRootCaV1, signing);
      options.not_after = kNow + 3650 * kDay;
      TestCa root{Unwrap(PrivateKey::FromPem(Unwrap(key.ToPem()))),
                  Unwrap(IssueFromCsr(csr, {&key, nullptr}, options))};
      CHECK(Unwrap(root.certificate.signing_algorithm()) == signing);
      CHECK(root.certificate.signature_algorithm_name() == SigningAlgorithmName(signing));
      CHECK(Unwrap(root.certificate.key_algorithm()) == ca_key);

      Certificate leaf = IssueLeaf(root, signing, "leaf.example");
      CHECK(Unwrap(leaf.signing_algorithm()) == signing);
      RequireOk(VerifyCertificateChain(leaf, {}, {root.certificate}, kNow));
      RequireOpensslVerifies(leaf, {}, root.certificate);
    }
  }
}

TEST_CASE("Issuing with a signing algorithm that does not fit the CA key is InvalidArgsException") {
  struct Case {
    KeyAlgorithm ca_key;
    SigningAlgorithm signing;
  };
  const std::vector<Case> cases = {
      {KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithRsa},
      {KeyAlgorithm::kEcSecp384r1, SigningAlgorithm::kSha384WithRsaPss},
      {KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithEcdsa},
  };
  for (const Case& c : cases) {
    INFO(KeyAlgorithmName(c.ca_key) << " signing " << SigningAlgorithmName(c.signing));
    PrivateKey key = Unwrap(PrivateKey::Generate(c.ca_key));
    Result<Certificate> issued =
        IssueForPublicKey(key.public_key(), Named("Root"), {&key, nullptr},
                          Window(CertificateTemplate::kRootCaV1, c.signing));
    REQUIRE_FALSE(issued.ok());
    CHECK(issued.status().code() == kInvalidArgs);
    CHECK_THAT(issued.status().message(),
               Catch::Contains(std::string(SigningAlgorithmName(c.signing))) &&
                   Catch::Contains(std::string(KeyAlgorithmName(c.ca_key))));
  }
}

TEST_CASE("A root CA signs its own CSR and then issues leaves that verify under it") {
  PrivateKey ca_key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcSecp384r1));
  Subject subject;
  subject.country = "US";
  subject.organization = "Example";
  subject.common_name = "Example Root";
  Csr csr = Unwrap(Csr::Create(ca_key, subject, SigningAlgorithm::kSha384WithEcdsa));

  // The PENDING_CERTIFICATE path: no CA certificate exists yet.
  IssueOptions options = Window(CertificateTemplate::kRootCaV1, SigningAlgorithm::kSha384WithEcdsa);
  options.not_after = kNow + 3650 * kDay;
  Certificate root_certificate = Unwrap(IssueFromCsr(csr, {&ca_key, nullptr}, options));
  CHECK(root_certificate.IsSelfSigned());
  CHECK(root_certificate.subject() == subject);
  CHECK(root_certificate.Matches(ca_key));
  RequireOk(CheckCertificateMatchesKey(root_certificate, ca_key));

  TestCa root{std::move(ca_key), root_certificate};
  Certificate leaf = IssueLeaf(root, SigningAlgorithm::kSha256WithEcdsa, "svc.example");
  RequireOk(VerifyCertificateChain(leaf, {}, {root.certificate}, kNow));
  RequireOpensslVerifies(leaf, {}, root.certificate);
}

TEST_CASE("RootCACertificate/V1 for a key other than the CA's own is InvalidArgsException") {
  PrivateKey ca_key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  PrivateKey other = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Result<Certificate> issued =
      IssueForPublicKey(other.public_key(), Named("Root"), {&ca_key, nullptr},
                        Window(CertificateTemplate::kRootCaV1, SigningAlgorithm::kSha256WithEcdsa));
  REQUIRE_FALSE(issued.ok());
  CHECK(issued.status().code() == kInvalidArgs);
  CHECK_THAT(issued.status().message(), Catch::Contains("GetCertificateAuthorityCsr"));
}

TEST_CASE("Non-root templates without a CA certificate are InvalidArgsException") {
  PrivateKey ca_key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  for (CertificateTemplate kind : kAllCertificateTemplates) {
    if (kind == CertificateTemplate::kRootCaV1) continue;
    INFO(TemplateName(kind));
    Result<Certificate> issued =
        IssueForPublicKey(ca_key.public_key(), Named("x"), {&ca_key, nullptr},
                          Window(kind, SigningAlgorithm::kSha256WithEcdsa));
    REQUIRE_FALSE(issued.ok());
    CHECK(issued.status().code() == kInvalidArgs);
  }
}

TEST_CASE("A CA certificate that does not carry the CA key is CertificateMismatchException") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root");
  PrivateKey wrong = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Result<Certificate> issued = IssueForPublicKey(
      wrong.public_key(), Named("leaf"), {&wrong, &root.certificate},
      Window(CertificateTemplate::kEndEntityV1, SigningAlgorithm::kSha256WithEcdsa));
  REQUIRE_FALSE(issued.ok());
  CHECK(issued.status().code() == kCertificateMismatch);
}

TEST_CASE("Serials are 16 random positive bytes shown as plain and colon-separated hex") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root");
  const std::regex colon_form("^[0-9a-f]{2}(:[0-9a-f]{2}){15}$");
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    Certificate leaf = IssueLeaf(root, SigningAlgorithm::kSha256WithEcdsa, "leaf.example");
    std::vector<uint8_t> bytes = leaf.serial_bytes();
    REQUIRE(bytes.size() == 16);
    CHECK((bytes[0] & 0x80) == 0);
    CHECK(std::regex_match(leaf.serial_colon_hex(), colon_form));
    std::string plain = leaf.serial_colon_hex();
    plain.erase(std::remove(plain.begin(), plain.end(), ':'), plain.end());
    CHECK(leaf.serial_hex() == plain);
    seen.insert(leaf.serial_hex());
  }
  CHECK(seen.size() == 20);
}

TEST_CASE("Serial and fingerprint agree with the openssl command line tool") {
  TestCa root = MakeRoot(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, "Root");
  Certificate leaf = IssueLeaf(root, SigningAlgorithm::kSha256WithRsa, "leaf.example");
  testing::ScratchDir dir;
  std::string path = dir.Write("leaf.pem", Unwrap(leaf.ToPem()));

  testing::CommandResult serial = RunCommand("openssl x509 -noout -serial -in " + path);
  REQUIRE(serial.exit_code == 0);
  CHECK(serial.output == "serial=" + Upper(leaf.serial_hex()) + "\n");

  testing::CommandResult fingerprint =
      RunCommand("openssl x509 -noout -fingerprint -sha256 -in " + path);
  REQUIRE(fingerprint.exit_code == 0);
  std::string expected = fingerprint.output.substr(fingerprint.output.find('=') + 1);
  expected.erase(std::remove(expected.begin(), expected.end(), ':'), expected.end());
  expected.erase(std::remove(expected.begin(), expected.end(), '\n'), expected.end());
  CHECK(Upper(leaf.sha256_fingerprint()) == expected);
}

TEST_CASE("Validity is exactly the given window in whole seconds, also past 2049") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root",
                         kNow - kDay, kNow + 40 * 365 * kDay);
  const TimePoint start = kNow + std::chrono::milliseconds(1500);
  struct Case {
    TimePoint not_after;
  };
  const std::vector<Case> cases = {{kNow + 395 * kDay}, {kNow + 30 * 365 * kDay}};
  for (const Case& c : cases) {
    INFO(FormatUtc(c.not_after));
    Certificate leaf =
        IssueLeaf(root, SigningAlgorithm::kSha256WithEcdsa, "leaf.example", start, c.not_after);
    Certificate parsed = Unwrap(Certificate::FromPem(Unwrap(leaf.ToPem())));
    CHECK(parsed.not_before() == kNow + std::chrono::seconds(1));
    CHECK(parsed.not_after() == c.not_after);
  }
}

TEST_CASE("Validity windows that are empty or outlive the CA are InvalidArgsException") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root",
                         kNow - kDay, kNow + 365 * kDay);
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  struct Case {
    TimePoint not_before;
    TimePoint not_after;
    std::string says;
  };
  const std::vector<Case> cases = {
      {kNow, kNow, "not after its start"},
      {kNow, kNow - kDay, "not after its start"},
      {kNow, kNow + 366 * kDay, "after the CA certificate expires"},
  };
  for (const Case& c : cases) {
    INFO(c.says);
    IssueOptions options =
        Window(CertificateTemplate::kEndEntityV1, SigningAlgorithm::kSha256WithEcdsa);
    options.not_before = c.not_before;
    options.not_after = c.not_after;
    Result<Certificate> issued =
        IssueForPublicKey(key.public_key(), Named("leaf"), {&root.key, &root.certificate}, options);
    REQUIRE_FALSE(issued.ok());
    CHECK(issued.status().code() == kInvalidArgs);
    CHECK_THAT(issued.status().message(), Catch::Contains(c.says));
  }
}

TEST_CASE("DNS names come from the CSR unless given explicitly") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root");
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Csr csr = Unwrap(Csr::Create(key, Named("a.example"), SigningAlgorithm::kSha256WithEcdsa,
                               {"a.example", "b.example"}));
  IssueOptions options =
      Window(CertificateTemplate::kEndEntityV1, SigningAlgorithm::kSha256WithEcdsa);

  Certificate copied = Unwrap(IssueFromCsr(csr, {&root.key, &root.certificate}, options));
  CHECK(copied.dns_names() == std::vector<std::string>{"a.example", "b.example"});

  options.dns_names = std::vector<std::string>{"c.example"};
  Certificate replaced = Unwrap(IssueFromCsr(csr, {&root.key, &root.certificate}, options));
  CHECK(replaced.dns_names() == std::vector<std::string>{"c.example"});

  options.dns_names = std::vector<std::string>{};
  Certificate none = Unwrap(IssueFromCsr(csr, {&root.key, &root.certificate}, options));
  CHECK(none.dns_names().empty());
}

TEST_CASE("With an empty subject the subjectAltName is critical, and with neither it is refused") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root");
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  IssueOptions options =
      Window(CertificateTemplate::kEndEntityV1, SigningAlgorithm::kSha256WithEcdsa);
  options.dns_names = std::vector<std::string>{"only-san.example"};
  Certificate leaf = Unwrap(
      IssueForPublicKey(key.public_key(), Subject{}, {&root.key, &root.certificate}, options));
  int critical = -1;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(leaf.get(), NID_subject_alt_name, &critical, nullptr)));
  CHECK(critical == 1);
  RequireOpensslVerifies(leaf, {}, root.certificate);

  options.dns_names = std::vector<std::string>{};
  Result<Certificate> nobody =
      IssueForPublicKey(key.public_key(), Subject{}, {&root.key, &root.certificate}, options);
  REQUIRE_FALSE(nobody.ok());
  CHECK(nobody.status().code() == kInvalidArgs);
}

TEST_CASE("A CA's path length bounds the subordinate templates it may issue") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root");
  TestCa sub1 =
      MakeSubordinate(root, KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa,
                      CertificateTemplate::kSubordinateCaPathLen1V1, "Sub1");
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  struct Case {
    CertificateTemplate kind;
    bool allowed;
  };
  const std::vector<Case> cases = {
      {CertificateTemplate::kEndEntityV1, true},
      {CertificateTemplate::kSubordinateCaPathLen0V1, true},
      {CertificateTemplate::kSubordinateCaPathLen1V1, false},
      {CertificateTemplate::kSubordinateCaPathLen3V1, false},
  };
  for (const Case& c : cases) {
    INFO(TemplateName(c.kind));
    IssueOptions options = Window(c.kind, SigningAlgorithm::kSha256WithEcdsa);
    Result<Certificate> issued =
        IssueForPublicKey(key.public_key(), Named("x"), {&sub1.key, &sub1.certificate}, options);
    CHECK(issued.ok() == c.allowed);
    if (!c.allowed) {
      CHECK(issued.status().code() == kInvalidArgs);
      CHECK_THAT(issued.status().message(), Catch::Contains("PathLen0"));
    }
  }
}

TEST_CASE("An end-entity certificate from a CSR carries the CSR's key as requested") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "Root");
  PrivateKey key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  Csr csr = Unwrap(Csr::FromPem(
      Unwrap(Unwrap(Csr::Create(key, Named("leaf"), SigningAlgorithm::kSha256WithEcdsa)).ToPem())));

  Certificate issued = Unwrap(
      IssueFromCsr(csr, {&root.key, &root.certificate},
                   Window(CertificateTemplate::kEndEntityV1, SigningAlgorithm::kSha256WithEcdsa)));
  // The in-memory certificate decodes its key on demand; the PEM form parses as usual.
  CHECK(issued.Matches(key));
  Certificate parsed = Unwrap(Certificate::FromPem(Unwrap(issued.ToPem())));
  CHECK(parsed.Matches(key));
  CHECK(parsed.subject_key_id() == issued.subject_key_id());
  RequireOk(VerifyCertificateChain(parsed, {}, {root.certificate}, kNow));
}

}  // namespace
}  // namespace crossmesh::pki
