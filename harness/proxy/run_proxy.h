// Running a proxy alone, from a JSON file (the future `crossmesh proxy --node NAME --config
// FILE`, and the benches). The file holds the ProxyConfig (config_json.h) and the secrets to
// push before starting, since a standalone proxy has no control plane:
//
//   {
//     "proxy": { ...ProxyConfig, see README.md... },
//     "secrets": [
//       {"name": "ui-cert", "certificate_chain_pem": "-----BEGIN...", "private_key_pem": "..."},
//       {"name": "mesh-ca", "trusted_ca_pem": "-----BEGIN..."},
//       {"name": "ui-cert-2", "certificate_chain_file": "/path/chain.pem",
//        "private_key_file": "/path/key.pem"},
//       {"name": "mesh-ca-2", "trusted_ca_file": "/path/ca.pem"}
//     ],
//     "threads": 1,
//     "clock_offset_seconds": 0
//   }
//
// "*_file" secrets are read once here; for Envoy's reload-on-atomic-replacement behaviour use
// "file_secrets" inside "proxy" instead. clock_offset_seconds shifts the verification clock.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/core/status.h"
#include "harness/proxy/config.h"
#include "harness/proxy/proxy_runtime.h"

namespace crossmesh::proxy {

struct InlineSecret {
  std::string name;
  std::string certificate_chain_pem;
  std::string private_key_pem;
  std::string trusted_ca_pem;
};

struct ProxyFile {
  ProxyConfig config;
  std::vector<InlineSecret> secrets;
  int threads = 1;
};

// Parses the document (file contents already read; "*_file" secrets are read from disk).
Result<ProxyFile> ParseProxyFile(const nlohmann::json& document);
Result<ProxyFile> LoadProxyFile(const std::string& path);

// Pushes the file's secrets into `runtime` and starts its proxy.
Result<std::shared_ptr<Proxy>> StartProxyFile(ProxyRuntime& runtime, const ProxyFile& file);

// Loads `path`, starts the proxy, prints one line with its ports to stdout, and serves until
// SIGINT or SIGTERM. Returns the process exit code (0, or 1 with the reason on stderr).
int RunProxyFromConfigFile(const std::string& path);

}  // namespace crossmesh::proxy
