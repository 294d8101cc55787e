#include "tests/support/pca_fixture.h"

#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <thread>

namespace crossmesh::testing {
namespace {

// GetCertificate may answer RequestInProgressException right after issuance, as AWS does.
nlohmann::json Poll(TestEmulator& t, const std::string& account, const std::string& target,
                    const nlohmann::json& input) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    WireResponse r = t.JsonCall(account, "acm-pca", target, input);
    if (r.status == 200) return BodyJson(r);
    INFO(r.body);
    REQUIRE(BodyJson(r)["__type"] == "RequestInProgressException");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("still in progress after 50 polls: " << target);
  return {};
}

}  // namespace

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string CreateActiveRootCa(TestEmulator& t, const std::string& account,
                               const std::string& key_algorithm) {
  bool rsa = key_algorithm.rfind("RSA", 0) == 0;
  std::string signing = rsa ? "SHA256WITHRSA" : "SHA256WITHECDSA";
  WireResponse created = t.JsonCall(
      account, "acm-pca", "ACMPrivateCA.CreateCertificateAuthority",
      {{"CertificateAuthorityConfiguration",
        {{"KeyAlgorithm", key_algorithm},
         {"SigningAlgorithm", signing},
         {"Subject", {{"CommonName", "Test Root CA"}, {"Organization", "crossmesh tests"}}}}},
       {"CertificateAuthorityType", "ROOT"}});
  INFO(created.body);
  REQUIRE(created.status == 200);
  std::string ca = BodyJson(created)["CertificateAuthorityArn"];

  nlohmann::json csr = Poll(t, account, "ACMPrivateCA.GetCertificateAuthorityCsr",
                            {{"CertificateAuthorityArn", ca}});
  WireResponse issued =
      t.JsonCall(account, "acm-pca", "ACMPrivateCA.IssueCertificate",
                 {{"CertificateAuthorityArn", ca},
                  {"Csr", Base64(csr["Csr"].get<std::string>())},
                  {"SigningAlgorithm", signing},
                  {"TemplateArn", "arn:aws:acm-pca:::template/RootCACertificate/V1"},
                  {"Validity", {{"Value", 10}, {"Type", "YEARS"}}}});
  INFO(issued.body);
  REQUIRE(issued.status == 200);
  nlohmann::json cert = Poll(
      t, account, "ACMPrivateCA.GetCertificate",
      {{"CertificateAuthorityArn", ca}, {"CertificateArn", BodyJson(issued)["CertificateArn"]}});

  WireResponse imported =
      t.JsonCall(account, "acm-pca", "ACMPrivateCA.ImportCertificateAuthorityCertificate",
                 {{"CertificateAuthorityArn", ca}, {"Certificate", Base64(cert["Certificate"])}});
  INFO(imported.body);
  REQUIRE(imported.status == 200);
  return ca;
}

void AllowAcmRenewals(TestEmulator& t, const std::string& account, const std::string& ca_arn) {
  WireResponse r =
      t.JsonCall(account, "acm-pca", "ACMPrivateCA.CreatePermission",
                 {{"CertificateAuthorityArn", ca_arn},
                  {"Principal", "acm.amazonaws.com"},
                  {"Actions", {"IssueCertificate", "GetCertificate", "ListPermissions"}}});
  INFO(r.body);
  REQUIRE(r.status == 200);
}

}  // namespace crossmesh::testing
