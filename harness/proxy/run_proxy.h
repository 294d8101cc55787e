// Running a proxy alone, from a JSON file (`crossmesh proxy --node NAME --config
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
//     "sds_secrets": ["gateway-client"],
//     "threads": 1,
//     "clock_offset_seconds": 0
//   }
//
// "*_file" secrets are read once here; for Envoy's reload-on-atomic-replacement behaviour use
// "file_secrets" inside "proxy" instead. clock_offset_seconds shifts the verification clock.
// "sds_secrets" declares names an SDS server pushes after the start: until one arrives, the
// handshakes that need it fail with "Secret is not supplied by SDS" (nothing pushes to a
// standalone proxy today, so they keep failing). Every secret the config names must be in
// "secrets", "proxy.file_secrets" or "sds_secrets"; any other name is refused before start.
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
  // The files the PEM above was read from (`*_file`; empty when given inline), for messages.
  std::string certificate_chain_file;
  std::string private_key_file;
  std::string trusted_ca_file;
};

struct ProxyFile {
  ProxyConfig config;
  std::vector<InlineSecret> secrets;
  std::vector<std::string> sds_secrets;  // names the proxy waits for; see above
  int threads = 1;
};

// Parses the document (file contents already read; "*_file" secrets are read from disk) and
// checks it as ProxyRuntime::Start would, plus the secret names. InvalidConfiguration whose
// message starts with the JSON path ("proxy.listeners[1].tls.certificate_secret: ...").
Result<ProxyFile> ParseProxyFile(const nlohmann::json& document);
// As ParseProxyFile, the message prefixed with `path`; a syntax error gives nlohmann's line and
// column ("ui.json: not valid JSON: parse error at line 3, column 5: ...").
Result<ProxyFile> LoadProxyFile(const std::string& path);

// Pushes the file's secrets into `runtime` and starts its proxy.
Result<std::shared_ptr<Proxy>> StartProxyFile(ProxyRuntime& runtime, const ProxyFile& file);

// Loads `path`, starts the proxy, prints one line with its ports to stdout, and serves until
// SIGINT or SIGTERM. Returns the process exit code: 0; 2 when the file is refused, 1 when the
// proxy fails to start (a port taken); the reason on stderr.
int RunProxyFromConfigFile(const std::string& path);

}  // namespace crossmesh::proxy
