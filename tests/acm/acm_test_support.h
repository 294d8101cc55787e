// Shared steps of the ACM tests: an ACTIVE root CA made through the ACM-PCA API (the
// walkthrough's sequence), ACM calls that fail the test with the error they got, settling the
// asynchronous issuance on the virtual clock, and the real `openssl` for chain checks.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/pca_fixture.h"  // Base64
#include "tests/support/test_emulator.h"

namespace crossmesh::testing {

// Emulator options whose wall clock stands still at the moment of the call: virtual time then
// moves only through Advance / Settle, so a PENDING_VALIDATION certificate stays pending until
// the test settles it, however slowly the machine runs. (SigV4's 15-minute skew allowance
// covers a test's run time.)
EmulatorOptions FrozenWall();

struct RootCa {
  std::string arn;
  std::string certificate_pem;
};

struct CaOptions {
  std::string key_algorithm = "RSA_2048";
  std::string signing_algorithm = "SHA256WITHRSA";
  int validity_years = 10;
  bool grant_acm = true;  // CreatePermission for acm.amazonaws.com (managed renewal)
};

// A root CA of `account`: created, its CSR self-signed with RootCACertificate/V1, the
// certificate imported (ACTIVE) and, by default, acm.amazonaws.com granted renewal rights.
RootCa CreateRootCa(TestEmulator& t, const std::string& account, const CaOptions& options = {});

// A JSON 1.1 call whose answer the test needs: fails the test unless it is a 200.
nlohmann::json Acm(TestEmulator& t, const std::string& account, const std::string& operation,
                   const nlohmann::json& input);
nlohmann::json AcmPca(TestEmulator& t, const std::string& account, const std::string& operation,
                      const nlohmann::json& input);

// A call expected to fail: the error code (__type) and message.
struct AwsError {
  int status = 0;
  std::string code;
  std::string message;
};
AwsError AcmError(TestEmulator& t, const std::string& account, const std::string& operation,
                  const nlohmann::json& input);

// RequestCertificate for a private certificate; `extra` members are merged into the request.
std::string RequestPrivate(TestEmulator& t, const std::string& account, const std::string& ca_arn,
                           const std::string& domain, const nlohmann::json& extra = {});

// Moves virtual time one second on, so pending issuances complete, and describes `arn`.
nlohmann::json Settle(TestEmulator& t, const std::string& account, const std::string& arn);
nlohmann::json Describe(TestEmulator& t, const std::string& account, const std::string& arn);

void Advance(TestEmulator& t, std::chrono::seconds by);
inline constexpr std::chrono::hours kDays{24};

// `openssl verify` of `leaf_pem` against `ca_pem` (with `chain_pem` as untrusted helpers) at
// the emulator's virtual time. The tool's output on failure.
CommandResult OpensslVerify(TestEmulator& t, const std::string& ca_pem,
                            const std::string& chain_pem, const std::string& leaf_pem);

}  // namespace crossmesh::testing
