// Key pairs for the ACM-PCA key algorithms: generation, PEM storage form (unencrypted PKCS#8
// for private keys, SubjectPublicKeyInfo for public keys) and comparison.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/openssl_handles.h"

namespace crossmesh::pki {

// The KeyAlgorithm of `key`; InvalidArgsException for keys outside the supported list
// (RSA-1024, secp256k1, Ed25519, ...), with a message that describes the key.
// The EC KeyAlgorithm on the curve `curve_nid`; nullopt for curves not supported.
std::optional<KeyAlgorithm> KeyAlgorithmOfCurve(int curve_nid);
Result<KeyAlgorithm> KeyAlgorithmOf(const EVP_PKEY* key);

// A short human description of any key, for messages: "RSA 1024-bit", "EC secp256k1".
std::string DescribeKey(const EVP_PKEY* key);

// A public key of any algorithm (a CSR may carry one this emulator does not issue for).
// Immutable; copies share the underlying EVP_PKEY.
class PublicKey {
 public:
  // Takes a reference on `key` (which may also hold private parts; they are never written out).
  // A null `key` (a certificate whose key OpenSSL cannot decode) equals nothing.
  static PublicKey Share(EVP_PKEY* key);
  // A "PUBLIC KEY" PEM block; InvalidArgsException when it does not parse.
  static Result<PublicKey> FromPem(std::string_view pem);

  PublicKey(const PublicKey& other);
  PublicKey& operator=(const PublicKey& other);
  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;
  ~PublicKey() = default;

  Result<std::string> ToPem() const;
  Result<KeyAlgorithm> Algorithm() const { return KeyAlgorithmOf(key_.get()); }
  std::string Describe() const { return DescribeKey(key_.get()); }
  bool Equals(const PublicKey& other) const;
  EVP_PKEY* get() const { return key_.get(); }

 private:
  explicit PublicKey(EvpPkeyPtr key) : key_(std::move(key)) {}

  EvpPkeyPtr key_;
};

// A private key of one of the supported KeyAlgorithms. Move-only: a key has one owner.
class PrivateKey {
 public:
  // A fresh key from OpenSSL's default (CSPRNG-seeded) generator. RSA-4096 takes ~1 s.
  static Result<PrivateKey> Generate(KeyAlgorithm algorithm);
  // Unencrypted PEM: PKCS#8 "PRIVATE KEY" or traditional "RSA/EC PRIVATE KEY".
  // InvalidArgsException when it does not parse, is encrypted, or is an unsupported algorithm.
  static Result<PrivateKey> FromPem(std::string_view pem);
  // Takes ownership of a key built elsewhere (a TLS layer, a test); unsupported -> InvalidArgs.
  static Result<PrivateKey> Adopt(EvpPkeyPtr key);

  // Unencrypted PKCS#8 "PRIVATE KEY" PEM, the storage form. Never log it.
  Result<std::string> ToPem() const;
  KeyAlgorithm algorithm() const { return algorithm_; }
  PublicKey public_key() const { return PublicKey::Share(key_.get()); }
  // True when `key` is this key's public half.
  bool Matches(const PublicKey& key) const;
  EVP_PKEY* get() const { return key_.get(); }

 private:
  PrivateKey(EvpPkeyPtr key, KeyAlgorithm algorithm)
      : key_(std::move(key)), algorithm_(algorithm) {}

  EvpPkeyPtr key_;
  KeyAlgorithm algorithm_;
};

}  // namespace crossmesh::pki
