// Running one scenario step as an account: an API call (in-process through Emulator::Handle,
// or over HTTP with crossmesh's signing client), an AWS CLI command (/usr/bin/aws, always with
// --endpoint-url to the emulator), or a shell command line in which `aws` is that CLI. Steps
// come here with their ${variables} already substituted.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/scenario/scenario.h"

namespace crossmesh {
class Emulator;
}

namespace crossmesh::scenario {

// What came back: an answer (JSON; STS's XML is read into {"Account": ..., ...}; a CLI's text
// output that is not JSON is a JSON string), or an error code and message.
struct StepAnswer {
  bool ok = false;
  nlohmann::json answer;
  std::string error_code;  // the AWS error code ("ResourceNotFoundException")
  std::string message;
  std::string output;  // the text the step printed or received, for output_contains
};

// The environment a step runs in: where the emulator is, where the AWS CLI's files are.
struct StepContext {
  Emulator* emulator = nullptr;
  std::string endpoint_url;  // "http://127.0.0.1:PORT"
  std::string workspace;     // the scenario's throwaway folder
  std::string aws_cli = "/usr/bin/aws";
  std::chrono::milliseconds command_timeout{60000};
};

// Writes the CLI's config and credentials files (one profile per account), and bin/aws, the
// wrapper that shell steps find first on PATH: it always passes --endpoint-url.
Status PrepareCliFiles(const StepContext& ctx, const AccountRegistry& accounts);

// One attempt of `step` as its account; retries and waits are the caller's.
StepAnswer ExecuteStep(const StepContext& ctx, const AccountRegistry& accounts, const Step& step);

// An API call as `account` over HTTP with the signing client (what faults use).
StepAnswer CallApi(const StepContext& ctx, const AccountRegistry& accounts,
                   const std::string& account, const std::string& service,
                   const std::string& operation, const std::string& method, const std::string& path,
                   const std::string& query, const nlohmann::json& input);

}  // namespace crossmesh::scenario
