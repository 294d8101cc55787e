// A named-curve EC public key, decoded and used to check ECDSA signatures without OpenSSL 3.0's
// provider layer.
//
// Checking a CSR is the one verification every IssueCertificate makes. Through EVP, the
// requester's key has to be built as a provider key first (a copy of the curve's parameters,
// then the point), which costs a tenth of the verification itself; the EC_KEY interface takes
// the point on a per-thread curve and verifies with the same arithmetic. That interface is
// deprecated in OpenSSL 3 but kept through the 3.x series, so its use stays in one file.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <span>
#include <utility>

#include "emulator/core/status.h"

namespace crossmesh::pki {

class EcPublicKey {
 public:
  // The point (SEC 1 encoding, as in a SubjectPublicKeyInfo) on `curve_nid`, one of prime256v1,
  // secp384r1 and secp521r1. Fails with `failure_code` when the point is not on the curve.
  static Result<EcPublicKey> Decode(int curve_nid, std::span<const uint8_t> point,
                                    const char* failure_code);

  int curve_nid() const { return curve_nid_; }

  // Whether `signature` (a DER ECDSA-Sig-Value) signs the `digest_nid` hash (SHA-256, -384 or
  // -512) of `message`. Any other digest is not handled here: false.
  bool Verifies(int digest_nid, std::span<const uint8_t> message,
                std::span<const uint8_t> signature) const;

 private:
  struct Free {
    void operator()(EC_KEY* key) const;
  };

  EcPublicKey(int curve_nid, std::shared_ptr<EC_KEY> key)
      : curve_nid_(curve_nid), key_(std::move(key)) {}

  int curve_nid_;
  std::shared_ptr<EC_KEY> key_;
};

}  // namespace crossmesh::pki
