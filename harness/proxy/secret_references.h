// Every secret name a ProxyConfig refers to, with the JSON path of the field that names it, so
// that a standalone proxy can refuse a name that nothing will ever supply (run_proxy.h). The
// runtime itself does not check this: under a control plane an SDS secret may arrive after the
// proxy starts, and until then handshakes fail with "Secret is not supplied by SDS".
#pragma once

#include <string>
#include <vector>

#include "harness/proxy/config.h"

namespace crossmesh::proxy {

struct SecretReference {
  std::string path;  // "listeners[1].tls.certificate_secret"
  std::string name;
  bool trust = false;  // a trust secret (CAs); else a certificate and its key
};

// In config order. Empty names are left out, and so is the certificate of a DISABLED listener
// (App Mesh requires one, but it is never used).
std::vector<SecretReference> SecretReferences(const ProxyConfig& config);

}  // namespace crossmesh::proxy
