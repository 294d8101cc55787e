#include "harness/walkthrough/seed.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace crossmesh::walkthrough {
namespace {

using nlohmann::json;

Result<json> ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error("InvalidConfiguration", fmt::format("cannot read '{}'", path));
  std::stringstream text;
  text << in.rdbuf();
  json parsed = json::parse(text.str(), nullptr, false);
  if (parsed.is_discarded()) {
    return Error("InvalidConfiguration", fmt::format("'{}' is not valid JSON", path));
  }
  return parsed;
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string AccountFromXml(const std::string& xml) {
  size_t open = xml.find("<Account>");
  size_t close = xml.find("</Account>");
  if (open == std::string::npos || close == std::string::npos) return "";
  return xml.substr(open + 9, close - open - 9);
}

}  // namespace

Result<json> PollWhileInProgress(const std::function<Result<json>()>& call) {
  for (int attempt = 0;; ++attempt) {
    auto result = call();
    if (result.ok() || result.status().code() != "RequestInProgressException" || attempt >= 250) {
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Seed::Run(StepRunner& runner) {
  runner.BeginPhase("seed: accounts");
  runner.Run("sts get-caller-identity (frontend, backend)", [&] { return Identify(); });

  runner.BeginPhase("seed: certificate authority");
  runner.Run("acm-pca create-certificate-authority (frontend)", [&] { return CreateCa(); });
  runner.Run("self-sign the root with RootCACertificate/V1 and import it",
             [&] { return SelfSignAndImport(); });
  runner.Run("acm-pca create-permission for acm.amazonaws.com", [&] { return AllowAcmRenewals(); });

  runner.BeginPhase("seed: share the CA through RAM");
  runner.Run("ram create-resource-share with the backend account", [&] { return ShareCa(); });
  runner.Run("backend accepts the invitation", [&] { return AcceptCaShare(); });

  runner.BeginPhase("seed: certificates");
  runner.Run("acm request-certificate in the frontend account",
             [&] { return RequestCertificate("frontend"); });
  runner.Run("acm request-certificate in the backend account (shared CA)",
             [&] { return RequestCertificate("backend"); });
}

Result<std::string> Seed::Identify() {
  auto frontend = frontend_.Query("sts", "GetCallerIdentity");
  if (!frontend.ok()) return frontend.status();
  auto backend = backend_.Query("sts", "GetCallerIdentity");
  if (!backend.ok()) return backend.status();
  state_.frontend_account = AccountFromXml(*frontend);
  state_.backend_account = AccountFromXml(*backend);
  if (state_.frontend_account.empty() || state_.frontend_account == state_.backend_account) {
    return Error("WalkthroughFailed", "the two profiles must name two different accounts");
  }
  return fmt::format("frontend {}, backend {}", state_.frontend_account, state_.backend_account);
}

Result<std::string> Seed::CreateCa() {
  auto config = ReadJsonFile(inputs_.ca_config_path);
  if (!config.ok()) return config.status();
  auto revocation = ReadJsonFile(inputs_.revoke_config_path);
  if (!revocation.ok()) return revocation.status();

  auto created = frontend_.Json("acm-pca", "ACMPrivateCA.CreateCertificateAuthority",
                                {{"CertificateAuthorityConfiguration", *config},
                                 {"RevocationConfiguration", *revocation},
                                 {"CertificateAuthorityType", "ROOT"},
                                 {"IdempotencyToken", "98256344"},
                                 {"Tags", {{{"Key", "Name"}, {"Value", "MyAppMeshPCA"}}}}});
  if (!created.ok()) return created.status();
  state_.ca_arn = (*created)["CertificateAuthorityArn"];
  return state_.ca_arn;
}

Result<std::string> Seed::SelfSignAndImport() {
  json ca = {{"CertificateAuthorityArn", state_.ca_arn}};
  auto csr = PollWhileInProgress(
      [&] { return frontend_.Json("acm-pca", "ACMPrivateCA.GetCertificateAuthorityCsr", ca); });
  if (!csr.ok()) return csr.status();

  auto issued = frontend_.Json("acm-pca", "ACMPrivateCA.IssueCertificate",
                               {{"CertificateAuthorityArn", state_.ca_arn},
                                {"Csr", Base64((*csr)["Csr"].get<std::string>())},
                                {"SigningAlgorithm", "SHA256WITHRSA"},
                                {"TemplateArn", "arn:aws:acm-pca:::template/RootCACertificate/V1"},
                                {"Validity", {{"Value", 10}, {"Type", "YEARS"}}},
                                {"IdempotencyToken", "1234"}});
  if (!issued.ok()) return issued.status();
  auto certificate = PollWhileInProgress([&] {
    return frontend_.Json("acm-pca", "ACMPrivateCA.GetCertificate",
                          {{"CertificateAuthorityArn", state_.ca_arn},
                           {"CertificateArn", (*issued)["CertificateArn"]}});
  });
  if (!certificate.ok()) return certificate.status();

  auto imported =
      frontend_.Json("acm-pca", "ACMPrivateCA.ImportCertificateAuthorityCertificate",
                     {{"CertificateAuthorityArn", state_.ca_arn},
                      {"Certificate", Base64((*certificate)["Certificate"].get<std::string>())}});
  if (!imported.ok()) return imported.status();
  auto described = frontend_.Json("acm-pca", "ACMPrivateCA.DescribeCertificateAuthority", ca);
  if (!described.ok()) return described.status();
  std::string status = (*described)["CertificateAuthority"]["Status"];
  if (status != "ACTIVE") {
    return Error("WalkthroughFailed", "the CA is " + status + " after import, not ACTIVE");
  }
  return std::string("CA is ACTIVE");
}

Result<std::string> Seed::AllowAcmRenewals() {
  auto granted =
      frontend_.Json("acm-pca", "ACMPrivateCA.CreatePermission",
                     {{"CertificateAuthorityArn", state_.ca_arn},
                      {"Principal", "acm.amazonaws.com"},
                      {"Actions", {"IssueCertificate", "GetCertificate", "ListPermissions"}}});
  if (!granted.ok()) return granted.status();
  return std::string("ACM may renew certificates from this CA");
}

Result<std::string> Seed::ShareCa() {
  auto shared = frontend_.Rest("ram", "POST", "/createresourceshare",
                               {{"name", "Shared_Private_CA_MESH"},
                                {"resourceArns", {state_.ca_arn}},
                                {"principals", {state_.backend_account}}});
  if (!shared.ok()) return shared.status();
  state_.ca_share_arn = (*shared)["resourceShare"]["resourceShareArn"];
  return state_.ca_share_arn;
}

Result<std::string> Seed::AcceptCaShare() {
  auto invitations = backend_.Rest("ram", "POST", "/getresourceshareinvitations", json::object());
  if (!invitations.ok()) return invitations.status();
  std::string invitation;
  for (const auto& i : (*invitations)["resourceShareInvitations"]) {
    if (i["resourceShareArn"] == state_.ca_share_arn) invitation = i["resourceShareInvitationArn"];
  }
  if (invitation.empty()) {
    return Error("WalkthroughFailed", "the backend has no invitation for the CA share");
  }
  auto accepted = backend_.Rest("ram", "POST", "/acceptresourceshareinvitation",
                                {{"resourceShareInvitationArn", invitation}});
  if (!accepted.ok()) return accepted.status();
  return "invitation " + std::string((*accepted)["resourceShareInvitation"]["status"]);
}

Result<std::string> Seed::RequestCertificate(const std::string& account) {
  const AwsClient& client = account == "frontend" ? frontend_ : backend_;
  const auto& names = inputs_.certificate_names.at(account);
  json request = {{"DomainName", names.front()}, {"CertificateAuthorityArn", state_.ca_arn}};
  if (names.size() > 1) request["SubjectAlternativeNames"] = names;
  auto requested = client.Json("acm", "CertificateManager.RequestCertificate", request);
  if (!requested.ok()) return requested.status();
  std::string arn = (*requested)["CertificateArn"];

  // Issuance is asynchronous, as in AWS: poll DescribeCertificate as the CLI's waiter does.
  for (int attempt = 0; attempt < 250; ++attempt) {
    auto described =
        client.Json("acm", "CertificateManager.DescribeCertificate", {{"CertificateArn", arn}});
    if (!described.ok()) return described.status();
    std::string status = (*described)["Certificate"]["Status"];
    if (status == "ISSUED") {
      state_.certificates[account] = arn;
      return fmt::format("{} ISSUED for {}", arn, fmt::join(names, ", "));
    }
    if (status != "PENDING_VALIDATION") {
      return Error("WalkthroughFailed",
                   fmt::format("certificate {} is {} ({})", arn, status,
                               (*described)["Certificate"].value("FailureReason", "")));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Error("WalkthroughFailed", "certificate " + arn + " was not issued within 5 seconds");
}

}  // namespace crossmesh::walkthrough
