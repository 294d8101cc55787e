#include "harness/proxy/secret_references.h"

#include <fmt/format.h>

namespace crossmesh::proxy {
namespace {

void Add(std::vector<SecretReference>& out, std::string path, const std::string& name,
         bool trust = false) {
  if (!name.empty()) out.push_back({std::move(path), name, trust});
}

void AddValidation(std::vector<SecretReference>& out, const std::string& where,
                   const std::optional<PeerValidation>& validation) {
  if (validation) Add(out, where + ".trust_secret", validation->trust_secret, true);
}

}  // namespace

std::vector<SecretReference> SecretReferences(const ProxyConfig& config) {
  std::vector<SecretReference> out;
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const std::optional<ListenerTls>& tls = config.listeners[i].tls;
    if (!tls) continue;
    const std::string where = fmt::format("listeners[{}].tls", i);
    if (tls->mode != TlsMode::kDisabled) {
      Add(out, where + ".certificate_secret", tls->certificate_secret);
    }
    if (tls->validation) {
      Add(out, where + ".validation.trust_secret", tls->validation->trust_secret, true);
    }
  }
  for (size_t i = 0; i < config.clusters.size(); ++i) {
    const Cluster& cluster = config.clusters[i];
    const std::string where = fmt::format("clusters[{}]", i);
    if (cluster.tls_policy) {
      AddValidation(out, where + ".tls_policy.validation", cluster.tls_policy->validation);
      Add(out, where + ".tls_policy.client_certificate_secret",
          cluster.tls_policy->client_certificate_secret);
    }
    AddValidation(out, where + ".target_tls.auto_validation", cluster.target_tls.auto_validation);
  }
  return out;
}

}  // namespace crossmesh::proxy
