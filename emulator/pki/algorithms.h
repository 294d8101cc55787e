// The ACM-PCA key and signing algorithm names (KeyAlgorithm, SigningAlgorithm in the
// CertificateAuthorityConfiguration shape) and what they mean to OpenSSL.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <string_view>

#include "emulator/core/status.h"

namespace crossmesh::pki {

enum class KeyAlgorithm {
  kRsa2048,
  kRsa3072,
  kRsa4096,
  kEcPrime256v1,
  kEcSecp384r1,
  kEcSecp521r1,
};

enum class KeyFamily { kRsa, kEc };

enum class SigningAlgorithm {
  kSha256WithRsa,
  kSha384WithRsa,
  kSha512WithRsa,
  kSha256WithEcdsa,
  kSha384WithEcdsa,
  kSha512WithEcdsa,
  kSha256WithRsaPss,
  kSha384WithRsaPss,
  kSha512WithRsaPss,
};

// Every supported value, in the order the ACM-PCA API reference lists them.
inline constexpr std::array kAllKeyAlgorithms = {
    KeyAlgorithm::kRsa2048,      KeyAlgorithm::kRsa3072,     KeyAlgorithm::kRsa4096,
    KeyAlgorithm::kEcPrime256v1, KeyAlgorithm::kEcSecp384r1, KeyAlgorithm::kEcSecp521r1,
};
inline constexpr std::array kAllSigningAlgorithms = {
    SigningAlgorithm::kSha256WithRsa,    SigningAlgorithm::kSha384WithRsa,
    SigningAlgorithm::kSha512WithRsa,    SigningAlgorithm::kSha256WithEcdsa,
    SigningAlgorithm::kSha384WithEcdsa,  SigningAlgorithm::kSha512WithEcdsa,
    SigningAlgorithm::kSha256WithRsaPss, SigningAlgorithm::kSha384WithRsaPss,
    SigningAlgorithm::kSha512WithRsaPss,
};

// "RSA_2048", "EC_prime256v1", ... exactly as on the wire.
std::string_view KeyAlgorithmName(KeyAlgorithm algorithm);
// The inverse of KeyAlgorithmName; anything else is InvalidArgsException listing the choices.
Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name);
KeyFamily FamilyOf(KeyAlgorithm algorithm);

// "SHA256WITHRSA", "SHA256WITHRSA_PSS", ... exactly as on the wire.
std::string_view SigningAlgorithmName(SigningAlgorithm algorithm);
// The inverse of SigningAlgorithmName; anything else is InvalidArgsException.
Result<SigningAlgorithm> ParseSigningAlgorithm(std::string_view name);
KeyFamily FamilyOf(SigningAlgorithm algorithm);
bool IsRsaPss(SigningAlgorithm algorithm);
// The message digest the algorithm signs with (SHA-256, -384 or -512).
const EVP_MD* DigestOf(SigningAlgorithm algorithm);

// OK when a key of `key` can produce `signing` signatures; otherwise InvalidArgsException
// naming both and the signing algorithms that would fit.
Status CheckSigningAlgorithmFitsKey(SigningAlgorithm signing, KeyAlgorithm key);

}  // namespace crossmesh::pki
