// The walkthrough's seed setup, done the way its commands did it, over HTTP with SigV4 through
// crossmesh's own signing client: the root CA (created, self-signed, imported, ACM permission),
// the CA shared with the backend through RAM and accepted, and private certificates requested in
// both accounts with names that match the virtual nodes' service-discovery names.
#pragma once

#include <map>
#include <string>

#include "emulator/client/aws_client.h"
#include "harness/walkthrough/step_runner.h"

namespace crossmesh::walkthrough {

struct SeedState {
  std::string frontend_account;
  std::string backend_account;
  std::string ca_arn;
  std::string ca_share_arn;
  std::map<std::string, std::string> certificates;  // "frontend" / "backend" -> ACM ARN
};

struct SeedInputs {
  std::string ca_config_path;      // CertificateAuthorityConfiguration JSON
  std::string revoke_config_path;  // RevocationConfiguration JSON
  // Names each account's certificate must carry (the first is the DomainName).
  std::map<std::string, std::vector<std::string>> certificate_names;
};

class Seed {
 public:
  Seed(const AwsClient& frontend, const AwsClient& backend, SeedInputs inputs)
      : frontend_(frontend), backend_(backend), inputs_(std::move(inputs)) {}

  // Adds every seed step to `runner`, in the walkthrough's order.
  void Run(StepRunner& runner);
  const SeedState& state() const { return state_; }

 private:
  Result<std::string> Identify();
  Result<std::string> CreateCa();
  Result<std::string> SelfSignAndImport();
  Result<std::string> AllowAcmRenewals();
  Result<std::string> ShareCa();
  Result<std::string> AcceptCaShare();
  Result<std::string> RequestCertificate(const std::string& account);

  const AwsClient& frontend_;
  const AwsClient& backend_;
  SeedInputs inputs_;
  SeedState state_;
};

// Retries `call` while it answers RequestInProgressException (AWS's asynchronous steps), up to
// about five seconds.
Result<nlohmann::json> PollWhileInProgress(const std::function<Result<nlohmann::json>()>& call);

}  // namespace crossmesh::walkthrough
