// A CA prepared for signing many certificates: the work that depends only on its key and
// certificate, done once instead of per certificate. Holds the key/certificate match, the
// encoded authorityKeyIdentifier its certificates carry, and one signing context per algorithm
// that each certificate copies (setting one up costs as much as encoding the certificate).
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/certificate.h"
#include "emulator/pki/keys.h"
#include "emulator/pki/openssl_handles.h"

namespace crossmesh::pki {

class PreparedCa {
 public:
  // `key` and `certificate` (null before a root has one) are borrowed and must outlive the
  // result; it is valid for that pair only, so a caller caching it must drop it whenever the
  // CA's certificate changes.
  static Result<std::unique_ptr<PreparedCa>> Create(const PrivateKey& key,
                                                    const Certificate* certificate);

  // Whether the certificate carries the key (CheckCertificateMatchesKey), checked once.
  const Status& key_match() const { return key_match_; }

  // The authorityKeyIdentifier ("keyid,issuer") of certificates this CA signs; null when the
  // CA has no certificate yet.
  X509_EXTENSION* authority_key_id() const { return authority_key_id_.get(); }

  // A context for X509_sign_ctx, copied from one made by NewSigningContext on first use.
  Result<EvpMdCtxPtr> NewSigningContext(SigningAlgorithm algorithm) const;

  // For certificates assembled as DER (leaf_encoder.h): the CA certificate's subject, the
  // authorityKeyIdentifier extension, and the AlgorithmIdentifier a signature with `algorithm`
  // carries, as the signing provider states it. Empty names and extension before the CA has a
  // certificate.
  const std::string& issuer_name_der() const { return issuer_name_der_; }
  const std::string& authority_key_id_der() const { return authority_key_id_der_; }
  Result<std::string> AlgorithmIdentifierDer(SigningAlgorithm algorithm) const;

 private:
  PreparedCa(const PrivateKey& key, Status key_match, X509ExtensionPtr authority_key_id)
      : key_(key),
        key_match_(std::move(key_match)),
        authority_key_id_(std::move(authority_key_id)) {}
  // The model context for `algorithm`, made on first use; called with mutex_ held.
  Result<EVP_MD_CTX*> ModelLocked(SigningAlgorithm algorithm) const;

  const PrivateKey& key_;
  Status key_match_;
  X509ExtensionPtr authority_key_id_;
  std::string issuer_name_der_;
  std::string authority_key_id_der_;
  mutable std::mutex mutex_;
  mutable std::array<EvpMdCtxPtr, kAllSigningAlgorithms.size()> contexts_;
  mutable std::array<std::string, kAllSigningAlgorithms.size()> algorithm_ids_;
};

}  // namespace crossmesh::pki
