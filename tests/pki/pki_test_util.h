// Shared fixtures for the pki tests: a fixed virtual clock, CA builders, a scratch directory and
// a runner for the real `openssl` command line tool.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/certificate.h"
#include "emulator/pki/issuer.h"
#include "emulator/pki/keys.h"

namespace crossmesh::pki::testing {

// The virtual "now" of every test: 2030-01-01T00:00:00Z, well away from the wall clock.
inline const TimePoint kNow = std::chrono::sys_days{std::chrono::year{2030} / 1 / 1};
inline constexpr std::chrono::hours kDay{24};

// The value of `result`, failing the test with its Status when it holds an error.
template <typename T>
T Unwrap(Result<T> result) {
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return std::move(result).value();
}

inline void RequireOk(const Status& status) {
  INFO(status.ToString());
  REQUIRE(status.ok());
}

// A subject with only a CommonName.
inline Subject Named(const std::string& common_name) {
  Subject subject;
  subject.common_name = common_name;
  return subject;
}

struct TestCa {
  PrivateKey key;
  Certificate certificate;
};

// A root CA signed through the real path: its own CSR issued with RootCACertificate/V1.
TestCa MakeRoot(KeyAlgorithm key_algorithm, SigningAlgorithm signing,
                const std::string& common_name, TimePoint not_before = kNow - kDay,
                TimePoint not_after = kNow + 3650 * kDay);

// A subordinate CA issued by `parent` with `kind` (a SubordinateCACertificate template).
TestCa MakeSubordinate(const TestCa& parent, KeyAlgorithm key_algorithm, SigningAlgorithm signing,
                       CertificateTemplate kind, const std::string& common_name,
                       TimePoint not_before = kNow - kDay,
                       TimePoint not_after = kNow + 1825 * kDay);

// An end-entity certificate for a fresh key, issued by `ca`.
// The DER inside one PEM block, and a PEM block of `label` around DER: for tests that change
// encoded bytes.
std::string PemToDer(const std::string& pem);
std::string DerToPem(const std::string& der, const std::string& label);

Certificate IssueLeaf(const TestCa& ca, SigningAlgorithm signing, const std::string& common_name,
                      TimePoint not_before = kNow - kDay, TimePoint not_after = kNow + 395 * kDay,
                      KeyAlgorithm key_algorithm = KeyAlgorithm::kEcPrime256v1);

// A fresh mkdtemp directory, removed with its contents on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir(ScratchDir&&) = delete;
  ScratchDir& operator=(ScratchDir&&) = delete;

  // Writes `contents` to `name` inside the directory and returns the full path.
  std::string Write(const std::string& name, const std::string& contents) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `command` through /bin/sh and waits for it.
CommandResult RunCommand(const std::string& command);

// `openssl verify -attime <at> -CAfile root -untrusted intermediates leaf` on the real tool.
CommandResult OpensslVerify(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                            const Certificate& root, TimePoint at);

}  // namespace crossmesh::pki::testing
