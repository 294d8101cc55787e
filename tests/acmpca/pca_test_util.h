// Helpers for the ACM Private CA tests: calls over the real HTTP endpoint, CA set-up through the
// API (never by writing rows), CSRs from fresh keys, and the real `openssl verify`.
#pragma once

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "emulator/pki/algorithms.h"
#include "emulator/pki/certificate.h"
#include "tests/support/pca_fixture.h"
#include "tests/support/test_emulator.h"

namespace crossmesh::testing {

inline constexpr char kRootTemplate[] = "arn:aws:acm-pca:::template/RootCACertificate/V1";
inline constexpr char kEndEntityTemplate[] = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
std::string SubordinateTemplate(int path_length);

// An ACM-PCA call as `account`: the HTTP status and the parsed body.
struct PcaAnswer {
  int status = 0;
  nlohmann::json body;
  std::string code() const;  // "__type", "" on success
};
PcaAnswer Pca(TestEmulator& t, const std::string& account, const std::string& operation,
              const nlohmann::json& input);
// The same, failing the test unless it succeeds.
nlohmann::json PcaOk(TestEmulator& t, const std::string& account, const std::string& operation,
                     const nlohmann::json& input);

struct CaSpec {
  std::string key_algorithm = "EC_prime256v1";
  std::string signing_algorithm = "SHA256WITHECDSA";
  std::string type = "ROOT";
  std::string common_name = "crossmesh test CA";
};

// A CA in PENDING_CERTIFICATE.
std::string CreateCa(TestEmulator& t, const std::string& account, const CaSpec& spec);
// A root CA made ACTIVE the walkthrough's way, with a self-signed certificate valid `years`.
std::string CreateActiveRoot(TestEmulator& t, const std::string& account, const CaSpec& spec,
                             int years = 10);
// A SUBORDINATE CA signed by `parent` with `path_length`'s template, imported with its chain.
std::string CreateActiveSubordinate(TestEmulator& t, const std::string& account,
                                    const std::string& parent, const CaSpec& spec, int path_length,
                                    int years = 5);

// A CSR for a fresh key; DNS names become a requested subjectAltName.
std::string NewCsrPem(pki::KeyAlgorithm key, const std::string& common_name,
                      const std::vector<std::string>& dns_names = {});

struct Issued {
  std::string arn;
  std::string certificate;  // PEM
  std::string chain;        // PEM, may be empty
};
// IssueCertificate then GetCertificate; fails the test unless both succeed.
Issued IssueAndGet(TestEmulator& t, const std::string& account, const std::string& ca,
                   nlohmann::json request);

std::string CaCertificate(TestEmulator& t, const std::string& account, const std::string& ca);
std::string CaStatusOf(TestEmulator& t, const std::string& account, const std::string& ca);

pki::Certificate ParsePem(const std::string& pem);

// `openssl verify -CAfile root [-untrusted chain] leaf` with the real tool; the output when it
// fails, "" when the chain verifies.
std::string OpensslVerifyFails(const TempDir& dir, const std::string& root_pem,
                               const std::string& chain_pem, const std::string& leaf_pem);

}  // namespace crossmesh::testing
