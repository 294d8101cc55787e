// SecretStore: named TLS secrets for the proxies (the SDS role). The control plane pushes ACM
// and SDS material here; FileWatcher pushes file certificates. Each Push gives the secret a new
// version; TLS contexts that name it rebuild on their next new connection (open connections
// keep the context they started with), so a push is a hot rotation.
//
// A name that was never pushed (or was removed) makes the connections that need it fail with
// Envoy's "Secret is not supplied by SDS". Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/certificate.h"
#include "emulator/pki/keys.h"

namespace crossmesh::proxy {

// A certificate chain (leaf first) and its private key: a listener certificate or an mTLS
// client certificate.
struct TlsCertificate {
  std::vector<pki::Certificate> chain;
  std::shared_ptr<const pki::PrivateKey> key;
  std::string path;  // the chain's file (a file secret); empty when given inline or pushed
};

// CA certificates to trust (ListenerTlsValidationContextTrust / client policy trust).
struct ValidationContext {
  std::vector<pki::Certificate> trusted_cas;
  std::string path;  // the bundle's file (a file secret); empty when given inline or pushed
};

struct Secret {
  std::string name;
  uint64_t version = 0;  // strictly increasing across the store; 0 is never used
  std::optional<TlsCertificate> certificate;
  std::optional<ValidationContext> validation;
};

using SecretPtr = std::shared_ptr<const Secret>;

class SecretStore {
 public:
  // Parses and stores a certificate: `chain_pem` holds the leaf first, then any intermediates;
  // the key must match the leaf. InvalidConfiguration (naming the secret) otherwise.
  // `path`: the file the chain was read from, shown by /certs.
  Status PushCertificate(const std::string& name, std::string_view chain_pem,
                         std::string_view private_key_pem, std::string path = {});
  // Parses and stores a CA bundle (one or more CERTIFICATE blocks).
  Status PushValidationContext(const std::string& name, std::string_view ca_pem,
                               std::string path = {});
  // Already-parsed forms (tests, the control plane holding pki objects).
  Status PushCertificate(const std::string& name, TlsCertificate certificate);
  void PushValidationContext(const std::string& name, ValidationContext context);

  // Later connections needing `name` fail with "Secret is not supplied by SDS".
  void Remove(const std::string& name);

  // The current secret, or null when none was supplied.
  SecretPtr Get(const std::string& name) const;
  // Versions of `names` in order; 0 for each missing one. Cheap: one lock, no copies.
  std::vector<uint64_t> Versions(const std::vector<std::string>& names) const;
  std::vector<std::string> Names() const;

 private:
  void Store(Secret secret);

  mutable std::mutex mutex_;
  uint64_t next_version_ = 1;
  std::map<std::string, SecretPtr> secrets_;
};

}  // namespace crossmesh::proxy
