// TestEmulator: a real emulator on a loopback port for tests, with the AWS CLI's profile files
// written to a temporary folder, a signing client for in-test calls, and a runner for the real
// Debian CLI (/usr/bin/aws). Everything it starts and writes is gone when it is destroyed.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "emulator/emulator.h"
#include "emulator/server/http_server.h"

namespace crossmesh::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json Json() const;  // stdout parsed; discarded value when it is not JSON
};

// Runs argv (no shell) with extra environment variables, capturing stdout and stderr.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {},
                         const std::string& stdin_text = "");

// A fresh folder under /tmp, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

class TestEmulator {
 public:
  // The server listens on a free loopback port whatever server_options.port says.
  explicit TestEmulator(EmulatorOptions options = {}, ServerOptions server_options = {});
  ~TestEmulator();

  Emulator& emulator() { return *emulator_; }
  const std::string& url() const { return url_; }
  const std::string& profile_dir() const { return dir_.path(); }
  TempDir& dir() { return dir_; }

  // /usr/bin/aws --profile PROFILE --endpoint-url URL ARGS..., with retries off and no pager.
  CommandResult Aws(const std::string& profile, const std::vector<std::string>& args);
  // The same, and the test stops (with the CLI's output) unless it exits 0.
  CommandResult AwsOk(const std::string& profile, const std::vector<std::string>& args);

  // A SigV4-signed call through HTTP as `account` (botocore's header shape).
  WireResponse Send(const std::string& account, WireRequest request, const std::string& service,
                    const std::string& region = "us-west-2");
  // JSON 1.1 call: X-Amz-Target TARGET_PREFIX.Operation, e.g. ("frontend", "acm-pca",
  // "ACMPrivateCA.CreateCertificateAuthority", {...}).
  WireResponse JsonCall(const std::string& account, const std::string& service,
                        const std::string& target, const nlohmann::json& input);
  // REST-JSON call.
  WireResponse RestCall(const std::string& account, const std::string& service,
                        const std::string& method, const std::string& path,
                        const nlohmann::json& body = nullptr, const std::string& query = "");

 private:
  TempDir dir_;
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<HttpServer> server_;
  std::string url_;
};

nlohmann::json BodyJson(const WireResponse& response);

// Where the upstream walkthrough's files are: ../shared/fixtures/upstream-walkthrough.
std::string UpstreamFixture(const std::string& relative);

}  // namespace crossmesh::testing
