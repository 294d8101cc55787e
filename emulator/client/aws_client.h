// AwsClient: crossmesh's own signing client for the emulator's AWS APIs, used by the commands
// that drive a running emulator (walkthrough, apply) so that they take the real wire path:
// HTTP, SigV4 with the account's keys, the service's protocol, its error shapes.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "emulator/auth/signer.h"
#include "emulator/client/http_client.h"
#include "emulator/core/status.h"

namespace crossmesh {

// The form of a query-protocol call (STS, IAM): Action, the service's Version, `params`.
std::string QueryBody(const std::string& service, const std::string& action,
                      const std::map<std::string, std::string>& params);

class AwsClient {
 public:
  AwsClient(Endpoint endpoint, auth::SigningCredentials credentials, std::string region)
      : endpoint_(std::move(endpoint)),
        credentials_(std::move(credentials)),
        region_(std::move(region)) {}

  // JSON 1.1: ("acm-pca", "ACMPrivateCA.CreateCertificateAuthority", {...}).
  Result<nlohmann::json> Json(const std::string& service, const std::string& target,
                              const nlohmann::json& input) const;
  // REST-JSON: ("appmesh", "PUT", "/v20190125/meshes", body, "meshOwner=...").
  Result<nlohmann::json> Rest(const std::string& service, const std::string& method,
                              const std::string& path, const nlohmann::json& body = nullptr,
                              const std::string& query = "") const;
  // Query protocol (STS, IAM): ("iam", "GetRole", {{"RoleName", "r"}}) -> the raw XML answer.
  Result<std::string> Query(const std::string& service, const std::string& action,
                            const std::map<std::string, std::string>& params = {}) const;

  const std::string& region() const { return region_; }

 private:
  Result<WireResponse> Send(WireRequest request, const std::string& service) const;

  Endpoint endpoint_;
  auth::SigningCredentials credentials_;
  std::string region_;
};

}  // namespace crossmesh
