// SecretDelivery: the SDS side of the control plane. It fetches what rendered configurations
// name (ACM certificates exported as the node's own account, ACM-PCA trust bundles fetched as
// the node's account through ACM-PCA's authorization seam, the root CA behind an ACM target)
// and pushes it into the proxies' SecretStore when it is due on the virtual clock.
//
// A certificate is pushed once per serial: the first time a proxy needs it (after the delay
// when delay_first_delivery is set), and again after each renewal at change time + delay. A
// trust bundle is re-evaluated on every Deliver and pushed when its content changes; once
// delivered it is kept even if access is lost later (Envoy keeps a secret it holds), until
// Forget() makes the next Deliver fetch it afresh.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulator/acm/model/certificate_usage.h"
#include "emulator/core/clock.h"
#include "emulator/core/status.h"
#include "harness/control/data_plane.h"
#include "harness/control/node_renderer.h"
#include "harness/proxy/secret_store.h"

namespace crossmesh::control {

class SecretDelivery {
 public:
  SecretDelivery(Emulator& emulator, proxy::SecretStore& store, std::chrono::seconds delay,
                 bool delay_first_delivery);

  // The checks App Mesh makes before it serves a node: every ACM listener certificate exists,
  // belongs to the node's account and has (or is getting) a certificate.
  // ResourceNotFoundException / AccessDeniedException / InvalidStateException naming the node
  // and the ARN.
  Status CheckNode(const RenderedNode& node);

  // Schedules renewals (and late issuances) of certificates already in use.
  void OnCertificateChange(const acm::CertificateChange& change);

  // Fetches and pushes every secret in `needs` that is due at `now`. Pushed and pending names
  // and per-node problems go to `report`.
  void Deliver(const std::vector<SecretNeed>& needs, TimePoint now, SyncReport& report);

  // The next Deliver fetches these secrets afresh (a restarted proxy asks again).
  void Forget(const std::vector<SecretNeed>& needs);

  // The serial last pushed under a certificate secret name; empty when none.
  std::string DeliveredSerial(const std::string& name) const;

 private:
  struct CertificateState {
    std::string delivered_serial;
    std::optional<TimePoint> due;  // pending first delivery or renewal
  };

  void DeliverCertificate(const SecretNeed& need, TimePoint now, SyncReport& report);
  void DeliverTrust(const SecretNeed& need, SyncReport& report);
  void DeliverRoot(const SecretNeed& need, SyncReport& report);
  Result<acm::CertificateMaterial> FetchMaterial(const SecretNeed& need);

  Emulator& emulator_;
  proxy::SecretStore& store_;
  std::chrono::seconds delay_;
  bool delay_first_;
  std::map<std::string, CertificateState> certificates_;
  std::map<std::string, std::string> bundles_;  // trust and root secrets: the PEM pushed
  std::set<std::string> stale_roots_;
  std::set<std::string> refetch_;  // trust bundles a restarted proxy asks for again
};

}  // namespace crossmesh::control
