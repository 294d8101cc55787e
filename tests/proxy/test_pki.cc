#include "tests/proxy/test_pki.h"

#include <catch2/catch.hpp>

#include "emulator/pki/csr.h"
#include "emulator/pki/issuer.h"

namespace crossmesh::proxy::testing {
namespace {

template <typename T>
T Unwrap(Result<T> result) {
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return std::move(result).value();
}

}  // namespace

TestCa MakeCa(const std::string& common_name, TimePoint now) {
  pki::PrivateKey key = Unwrap(pki::PrivateKey::Generate(pki::KeyAlgorithm::kEcPrime256v1));
  pki::Subject subject;
  subject.organization = "Crossmesh Proxy Test";
  subject.common_name = common_name;
  pki::IssueOptions options;
  options.certificate_template = pki::CertificateTemplate::kRootCaV1;
  options.signing_algorithm = pki::SigningAlgorithm::kSha256WithEcdsa;
  options.not_before = now - kDay;
  options.not_after = now + 3650 * kDay;
  pki::Certificate certificate =
      Unwrap(pki::IssueForPublicKey(key.public_key(), subject, {&key, nullptr}, options));
  return {std::make_shared<const pki::PrivateKey>(std::move(key)), std::move(certificate)};
}

TlsCertificate IssueCertificate(const TestCa& ca, const std::vector<std::string>& dns_names,
                                TimePoint not_before, TimePoint not_after) {
  pki::PrivateKey key = Unwrap(pki::PrivateKey::Generate(pki::KeyAlgorithm::kEcPrime256v1));
  pki::Subject subject;
  subject.common_name = dns_names.empty() ? "no-san" : dns_names.front();
  pki::IssueOptions options;
  options.signing_algorithm = pki::SigningAlgorithm::kSha256WithEcdsa;
  options.not_before = not_before;
  options.not_after = not_after;
  options.dns_names = dns_names;
  pki::Certificate leaf = Unwrap(
      pki::IssueForPublicKey(key.public_key(), subject, {ca.key.get(), &ca.certificate}, options));
  TlsCertificate certificate;
  certificate.chain = {leaf};
  certificate.key = std::make_shared<const pki::PrivateKey>(std::move(key));
  return certificate;
}

TlsCertificate IssueCertificate(const TestCa& ca, const std::vector<std::string>& dns_names,
                                TimePoint now) {
  return IssueCertificate(ca, dns_names, now - std::chrono::hours(1), now + 395 * kDay);
}

ValidationContext TrustOf(const TestCa& ca) { return ValidationContext{{ca.certificate}, {}}; }

}  // namespace crossmesh::proxy::testing
