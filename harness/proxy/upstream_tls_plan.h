// PlanUpstreamTls: the behaviour matrix of appmesh-tls-semantics.md 1.5 for one cluster. It
// decides whether the proxy originates TLS to the target, what it verifies, and which client
// certificate it offers. Pure logic, so each row is a unit test.
#pragma once

#include <optional>
#include <string>

#include "harness/proxy/config.h"

namespace crossmesh::proxy {

struct UpstreamTlsPlan {
  bool tls = false;
  std::optional<PeerValidation> validation;  // nullopt: the server certificate is not checked
  std::string client_certificate_secret;     // empty: no client certificate
  std::string why;                           // for /config_dump and logs
};

// True when the client policy covers `mesh_port`: enforce is on and `ports` is empty or lists
// the port. A policy that does not apply is treated as absent.
bool ClientPolicyApplies(const ClientTlsPolicy& policy, uint16_t mesh_port);

UpstreamTlsPlan PlanUpstreamTls(const Cluster& cluster);

// The SAN names a validation checks: the explicit list when set, else the discovery name,
// else none.
std::vector<std::string> SanNames(const PeerValidation& validation);

}  // namespace crossmesh::proxy
