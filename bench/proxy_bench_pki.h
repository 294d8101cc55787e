// The proxy bench's certificates: one ECDSA P-256 root, a server certificate for the backend's
// service name and a client certificate, as PEM, so that our sidecars and HAProxy load the
// very same material.
#pragma once

#include <string>

namespace crossmesh::bench {

constexpr const char* kBenchService = "backend.bench.local";

struct BenchPki {
  std::string ca_pem;
  std::string server_chain_pem;
  std::string server_key_pem;
  std::string client_chain_pem;
  std::string client_key_pem;
};

// Exits the bench with the reason on stderr if OpenSSL fails.
BenchPki MakeBenchPki();

// Writes ca.pem, server.pem and client.pem (certificate then key, as HAProxy's `crt` wants)
// into `dir`, readable by the owner only.
void WriteHaproxyPem(const BenchPki& pki, const std::string& dir);

}  // namespace crossmesh::bench
