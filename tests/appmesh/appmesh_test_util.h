// Shared steps of the App Mesh tests: REST calls that fail the test unless they answer as
// expected, small spec builders, issued ACM certificates, RAM shares of a mesh, and the real CLI
// running many commands in one process (a process per call costs about a second and a half).
#pragma once

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/ram/ram_test_util.h"
#include "tests/support/test_emulator.h"

namespace crossmesh::testing {

inline constexpr char kFrontendId[] = "111111111111";
inline constexpr char kBackendId[] = "222222222222";

struct ApiError {
  int status = 0;
  std::string code;
  std::string message;
};

// An App Mesh REST call that must answer 200; the body.
nlohmann::json MeshOk(TestEmulator& t, const std::string& account, const std::string& method,
                      const std::string& path, const nlohmann::json& body = nullptr,
                      const std::string& query = "");
// An App Mesh REST call that must fail; its status, code and message.
ApiError MeshFails(TestEmulator& t, const std::string& account, const std::string& method,
                   const std::string& path, const nlohmann::json& body = nullptr,
                   const std::string& query = "");

std::string MeshPath(const std::string& mesh, const std::string& rest = "");

// Specs as the walkthrough writes them.
nlohmann::json HttpNodeSpec(int port, const std::string& hostname);
nlohmann::json TcpNodeSpec(int port, const std::string& hostname);
nlohmann::json RouterSpec(int port, const std::string& protocol);
nlohmann::json HttpRouteSpec(const std::string& node, int weight = 1);

// Creates a mesh owned by `account`; its ARN.
std::string CreateMesh(TestEmulator& t, const std::string& account, const std::string& name);
// Creates a virtual node (in another account's mesh when `mesh_owner` is given).
nlohmann::json CreateNode(TestEmulator& t, const std::string& account, const std::string& mesh,
                          const std::string& name, const nlohmann::json& spec,
                          const std::string& mesh_owner = "");

// Shares `mesh_arn` with the backend through RAM; the share's ARN. Accepts when asked.
std::string ShareMeshWithBackend(TestEmulator& t, const std::string& mesh_arn, bool accept);

// A private certificate of `account` signed by `ca_arn`, ISSUED (the issuance is settled by
// moving the virtual clock a second on).
std::string IssuedCertificate(TestEmulator& t, const std::string& account,
                              const std::string& ca_arn,
                              const std::string& domain = "*.example.com");
nlohmann::json DescribeCertificate(TestEmulator& t, const std::string& account,
                                   const std::string& arn);

// One call of a batch: `aws --profile PROFILE ARGS...`.
struct AwsCall {
  std::string profile;
  std::vector<std::string> args;
};
// Runs the calls one after another in ONE process of Debian's CLI (/usr/bin/aws's own entry
// point, awscli.clidriver, under /usr/bin/python3: aws_batch.py), and answers their results in
// order. The CLI parses, validates, signs and renders each call as /usr/bin/aws does; only the
// second of interpreter start per call is saved.
std::vector<CommandResult> AwsBatch(TestEmulator& t, const std::vector<AwsCall>& calls);

}  // namespace crossmesh::testing
