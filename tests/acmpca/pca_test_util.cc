#include "tests/acmpca/pca_test_util.h"

#include "emulator/pki/csr.h"
#include "emulator/pki/keys.h"

namespace crossmesh::testing {

std::string SubordinateTemplate(int path_length) {
  return "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen" +
         std::to_string(path_length) + "/V1";
}

std::string PcaAnswer::code() const {
  return body.is_object() && body.contains("__type") ? body["__type"].get<std::string>() : "";
}

PcaAnswer Pca(TestEmulator& t, const std::string& account, const std::string& operation,
              const nlohmann::json& input) {
  WireResponse response = t.JsonCall(account, "acm-pca", "ACMPrivateCA." + operation, input);
  return {response.status, BodyJson(response)};
}

nlohmann::json PcaOk(TestEmulator& t, const std::string& account, const std::string& operation,
                     const nlohmann::json& input) {
  PcaAnswer answer = Pca(t, account, operation, input);
  INFO(operation << " -> " << answer.body.dump());
  REQUIRE(answer.status == 200);
  return answer.body;
}

std::string CreateCa(TestEmulator& t, const std::string& account, const CaSpec& spec) {
  nlohmann::json body =
      PcaOk(t, account, "CreateCertificateAuthority",
            {{"CertificateAuthorityConfiguration",
              {{"KeyAlgorithm", spec.key_algorithm},
               {"SigningAlgorithm", spec.signing_algorithm},
               {"Subject", {{"CommonName", spec.common_name}, {"Organization", "crossmesh"}}}}},
             {"CertificateAuthorityType", spec.type}});
  return body["CertificateAuthorityArn"];
}

Issued IssueAndGet(TestEmulator& t, const std::string& account, const std::string& ca,
                   nlohmann::json request) {
  request["CertificateAuthorityArn"] = ca;
  nlohmann::json issued = PcaOk(t, account, "IssueCertificate", request);
  nlohmann::json got =
      PcaOk(t, account, "GetCertificate",
            {{"CertificateAuthorityArn", ca}, {"CertificateArn", issued["CertificateArn"]}});
  return {issued["CertificateArn"], got["Certificate"], got.value("CertificateChain", "")};
}

std::string CreateActiveRoot(TestEmulator& t, const std::string& account, const CaSpec& spec,
                             int years) {
  std::string ca = CreateCa(t, account, spec);
  nlohmann::json csr =
      PcaOk(t, account, "GetCertificateAuthorityCsr", {{"CertificateAuthorityArn", ca}});
  Issued root = IssueAndGet(t, account, ca,
                            {{"Csr", Base64(csr["Csr"])},
                             {"SigningAlgorithm", spec.signing_algorithm},
                             {"TemplateArn", kRootTemplate},
                             {"Validity", {{"Value", years}, {"Type", "YEARS"}}}});
  PcaOk(t, account, "ImportCertificateAuthorityCertificate",
        {{"CertificateAuthorityArn", ca}, {"Certificate", Base64(root.certificate)}});
  return ca;
}

std::string CreateActiveSubordinate(TestEmulator& t, const std::string& account,
                                    const std::string& parent, const CaSpec& spec, int path_length,
                                    int years) {
  CaSpec sub = spec;
  sub.type = "SUBORDINATE";
  std::string ca = CreateCa(t, account, sub);
  nlohmann::json csr =
      PcaOk(t, account, "GetCertificateAuthorityCsr", {{"CertificateAuthorityArn", ca}});
  nlohmann::json parent_key =
      PcaOk(t, account, "DescribeCertificateAuthority", {{"CertificateAuthorityArn", parent}});
  std::string parent_signing =
      parent_key["CertificateAuthority"]["CertificateAuthorityConfiguration"]["SigningAlgorithm"];
  Issued certificate = IssueAndGet(t, account, parent,
                                   {{"Csr", Base64(csr["Csr"])},
                                    {"SigningAlgorithm", parent_signing},
                                    {"TemplateArn", SubordinateTemplate(path_length)},
                                    {"Validity", {{"Value", years}, {"Type", "YEARS"}}}});
  PcaOk(t, account, "ImportCertificateAuthorityCertificate",
        {{"CertificateAuthorityArn", ca},
         {"Certificate", Base64(certificate.certificate)},
         {"CertificateChain", Base64(certificate.chain)}});
  return ca;
}

std::string NewCsrPem(pki::KeyAlgorithm key_algorithm, const std::string& common_name,
                      const std::vector<std::string>& dns_names) {
  auto key = pki::PrivateKey::Generate(key_algorithm);
  REQUIRE(key.ok());
  pki::Subject subject;
  subject.common_name = common_name;
  pki::SigningAlgorithm signing = pki::FamilyOf(key_algorithm) == pki::KeyFamily::kRsa
                                      ? pki::SigningAlgorithm::kSha256WithRsa
                                      : pki::SigningAlgorithm::kSha256WithEcdsa;
  auto csr = pki::Csr::Create(*key, subject, signing, dns_names);
  REQUIRE(csr.ok());
  auto pem = csr->ToPem();
  REQUIRE(pem.ok());
  return *pem;
}

std::string CaCertificate(TestEmulator& t, const std::string& account, const std::string& ca) {
  return PcaOk(t, account, "GetCertificateAuthorityCertificate",
               {{"CertificateAuthorityArn", ca}})["Certificate"];
}

std::string CaStatusOf(TestEmulator& t, const std::string& account, const std::string& ca) {
  return PcaOk(t, account, "DescribeCertificateAuthority",
               {{"CertificateAuthorityArn", ca}})["CertificateAuthority"]["Status"];
}

pki::Certificate ParsePem(const std::string& pem) {
  auto certificate = pki::Certificate::FromPem(pem);
  INFO(certificate.status().ToString());
  REQUIRE(certificate.ok());
  return *certificate;
}

std::string OpensslVerifyFails(const TempDir& dir, const std::string& root_pem,
                               const std::string& chain_pem, const std::string& leaf_pem) {
  std::vector<std::string> argv = {"/usr/bin/openssl", "verify", "-CAfile",
                                   dir.Write("root.pem", root_pem)};
  if (!chain_pem.empty()) {
    argv.push_back("-untrusted");
    argv.push_back(dir.Write("chain.pem", chain_pem));
  }
  argv.push_back(dir.Write("leaf.pem", leaf_pem));
  CommandResult result = RunCommand(argv);
  if (result.exit_code == 0) return "";
  return result.out + result.err + " (exit " + std::to_string(result.exit_code) + ")";
}

}  // namespace crossmesh::testing
