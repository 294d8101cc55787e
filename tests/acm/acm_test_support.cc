#include "tests/acm/acm_test_support.h"

#include <thread>

namespace crossmesh::testing {
namespace {

nlohmann::json Call(TestEmulator& t, const std::string& account, const std::string& service,
                    const std::string& target, const nlohmann::json& input) {
  auto response = t.JsonCall(account, service, target, input);
  INFO(target << " -> " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return BodyJson(response);
}

}  // namespace

nlohmann::json Acm(TestEmulator& t, const std::string& account, const std::string& operation,
                   const nlohmann::json& input) {
  return Call(t, account, "acm", "CertificateManager." + operation, input);
}

nlohmann::json AcmPca(TestEmulator& t, const std::string& account, const std::string& operation,
                      const nlohmann::json& input) {
  return Call(t, account, "acm-pca", "ACMPrivateCA." + operation, input);
}

AwsError AcmError(TestEmulator& t, const std::string& account, const std::string& operation,
                  const nlohmann::json& input) {
  auto response = t.JsonCall(account, "acm", "CertificateManager." + operation, input);
  auto body = BodyJson(response);
  INFO(operation << " -> " << response.status << " " << response.body);
  REQUIRE(response.status >= 400);
  return {response.status, body.value("__type", ""), body.value("message", "")};
}

EmulatorOptions FrozenWall() {
  EmulatorOptions options;
  TimePoint frozen = Clock::now();
  options.wall = [frozen] { return frozen; };
  return options;
}

RootCa CreateRootCa(TestEmulator& t, const std::string& account, const CaOptions& options) {
  nlohmann::json config = {
      {"KeyAlgorithm", options.key_algorithm},
      {"SigningAlgorithm", options.signing_algorithm},
      {"Subject", {{"CommonName", "crossmesh test root"}, {"Organization", "crossmesh"}}}};
  std::string arn = AcmPca(t, account, "CreateCertificateAuthority",
                           {{"CertificateAuthorityConfiguration", config},
                            {"CertificateAuthorityType", "ROOT"}})["CertificateAuthorityArn"];
  std::string csr =
      AcmPca(t, account, "GetCertificateAuthorityCsr", {{"CertificateAuthorityArn", arn}})["Csr"];
  std::string certificate_arn = AcmPca(
      t, account, "IssueCertificate",
      {{"CertificateAuthorityArn", arn},
       {"Csr", Base64(csr)},
       {"SigningAlgorithm", options.signing_algorithm},
       {"TemplateArn", "arn:aws:acm-pca:::template/RootCACertificate/V1"},
       {"Validity", {{"Value", options.validity_years}, {"Type", "YEARS"}}}})["CertificateArn"];

  // The CertificateIssued waiter's way: GetCertificate may answer RequestInProgress at first.
  WireResponse got;
  for (int attempt = 0; attempt < 50; ++attempt) {
    got = t.JsonCall(account, "acm-pca", "ACMPrivateCA.GetCertificate",
                     {{"CertificateAuthorityArn", arn}, {"CertificateArn", certificate_arn}});
    if (got.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  INFO(got.body);
  REQUIRE(got.status == 200);
  std::string certificate = BodyJson(got)["Certificate"];

  AcmPca(t, account, "ImportCertificateAuthorityCertificate",
         {{"CertificateAuthorityArn", arn}, {"Certificate", Base64(certificate)}});
  if (options.grant_acm) {
    AcmPca(t, account, "CreatePermission",
           {{"CertificateAuthorityArn", arn},
            {"Principal", "acm.amazonaws.com"},
            {"Actions", {"IssueCertificate", "GetCertificate", "ListPermissions"}}});
  }
  return {arn, certificate};
}

std::string RequestPrivate(TestEmulator& t, const std::string& account, const std::string& ca_arn,
                           const std::string& domain, const nlohmann::json& extra) {
  nlohmann::json input = {{"DomainName", domain}, {"CertificateAuthorityArn", ca_arn}};
  for (const auto& [key, value] : extra.items()) input[key] = value;
  return Acm(t, account, "RequestCertificate", input)["CertificateArn"];
}

void Advance(TestEmulator& t, std::chrono::seconds by) {
  Status advanced = t.emulator().AdvanceClock(by);
  INFO(advanced.ToString());
  REQUIRE(advanced.ok());
}

nlohmann::json Describe(TestEmulator& t, const std::string& account, const std::string& arn) {
  return Acm(t, account, "DescribeCertificate", {{"CertificateArn", arn}})["Certificate"];
}

nlohmann::json Settle(TestEmulator& t, const std::string& account, const std::string& arn) {
  Advance(t, std::chrono::seconds(1));
  return Describe(t, account, arn);
}

CommandResult OpensslVerify(TestEmulator& t, const std::string& ca_pem,
                            const std::string& chain_pem, const std::string& leaf_pem) {
  auto at = std::chrono::duration_cast<std::chrono::seconds>(
                t.emulator().clock().Now().time_since_epoch())
                .count();
  std::string ca = t.dir().Write("verify/ca.pem", ca_pem);
  std::string chain = t.dir().Write("verify/chain.pem", chain_pem);
  std::string leaf = t.dir().Write("verify/leaf.pem", leaf_pem);
  return RunCommand({"/usr/bin/openssl", "verify", "-attime", std::to_string(at), "-CAfile", ca,
                     "-untrusted", chain, "-purpose", "sslserver", leaf});
}

}  // namespace crossmesh::testing
