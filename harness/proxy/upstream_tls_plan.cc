#include "harness/proxy/upstream_tls_plan.h"

#include <algorithm>

namespace crossmesh::proxy {

bool ClientPolicyApplies(const ClientTlsPolicy& policy, uint16_t mesh_port) {
  if (!policy.enforce) return false;
  return policy.ports.empty() ||
         std::find(policy.ports.begin(), policy.ports.end(), mesh_port) != policy.ports.end();
}

UpstreamTlsPlan PlanUpstreamTls(const Cluster& cluster) {
  UpstreamTlsPlan plan;
  if (cluster.tls_policy && ClientPolicyApplies(*cluster.tls_policy, cluster.mesh_port)) {
    // The policy wins whatever the target does: a plaintext target then fails the handshake
    // with WRONG_VERSION_NUMBER, as App Mesh's Envoy does.
    plan.tls = true;
    plan.validation = cluster.tls_policy->validation;
    plan.client_certificate_secret = cluster.tls_policy->client_certificate_secret;
    plan.why = "client policy";
    return plan;
  }
  if (cluster.target_tls.mode == TlsMode::kStrict ||
      cluster.target_tls.mode == TlsMode::kPermissive) {
    plan.tls = true;
    plan.validation = cluster.target_tls.auto_validation;
    plan.why = std::string("target listener ") + std::string(TlsModeName(cluster.target_tls.mode)) +
               " without a client policy";
    return plan;
  }
  plan.why = "plaintext: no client policy applies and the target listener has no TLS";
  return plan;
}

std::vector<std::string> SanNames(const PeerValidation& validation) {
  if (!validation.san_exact.empty()) return validation.san_exact;
  if (!validation.discovery_name.empty()) return {validation.discovery_name};
  return {};
}

}  // namespace crossmesh::proxy
