// The certificates a proxy holds, as Envoy's admin /certs shows them (one entry per TLS
// context: cert_chain and ca_cert, each with serial, SANs, validity and days left), and the
// server.days_until_first_cert_expiring gauge. Days are counted on the proxy's clock, so a
// scenario that advances virtual time sees them fall.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

#include "harness/proxy/proxy_core.h"

namespace crossmesh::proxy {

nlohmann::json CertsJson(const ProxySnapshot& snapshot);

// Whole days until the soonest notAfter among every certificate in use (0 once one has
// expired); INT32_MAX when the proxy holds no certificate.
int64_t DaysUntilFirstCertExpiring(const ProxySnapshot& snapshot);

}  // namespace crossmesh::proxy
