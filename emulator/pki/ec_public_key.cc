#include "emulator/pki/ec_public_key.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <array>
#include <map>

#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {
namespace {

// A curve is built once per thread: building one costs more than decoding a point on it.
const EC_GROUP* Curve(int nid) {
  struct FreeGroup {
    void operator()(EC_GROUP* group) const { EC_GROUP_free(group); }
  };
  thread_local std::map<int, std::unique_ptr<EC_GROUP, FreeGroup>> curves;
  auto found = curves.find(nid);
  if (found != curves.end()) return found->second.get();
  EC_GROUP* made = EC_GROUP_new_by_curve_name(nid);
  if (made == nullptr) return nullptr;
  return curves.emplace(nid, made).first->second.get();
}

// Digests fetched once: an implicit fetch per call costs as much as hashing a CSR.
const EVP_MD* Digest(int nid) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  switch (nid) {
    case NID_sha256:
      return sha256;
    case NID_sha384:
      return sha384;
    case NID_sha512:
      return sha512;
  }
  return nullptr;
}

}  // namespace

void EcPublicKey::Free::operator()(EC_KEY* key) const { EC_KEY_free(key); }

Result<EcPublicKey> EcPublicKey::Decode(int curve_nid, std::span<const uint8_t> point,
                                        const char* failure_code) {
  const EC_GROUP* curve = Curve(curve_nid);
  EC_KEY* key = EC_KEY_new();
  std::shared_ptr<EC_KEY> owner(key, Free());
  // oct2key checks that the point is on the curve, as OpenSSL's decoder does.
  if (curve == nullptr || key == nullptr || EC_KEY_set_group(key, curve) != 1 ||
      EC_KEY_oct2key(key, point.data(), point.size(), nullptr) != 1) {
    return OpenSslFailure(failure_code, "the EC public key is not a point on its curve");
  }
  return EcPublicKey(curve_nid, std::move(owner));
}

bool EcPublicKey::Verifies(int digest_nid, std::span<const uint8_t> message,
                           std::span<const uint8_t> signature) const {
  const EVP_MD* digest = Digest(digest_nid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
  unsigned int hash_length = 0;
  if (digest == nullptr ||
      EVP_Digest(message.data(), message.size(), hash.data(), &hash_length, digest, nullptr) != 1) {
    return false;
  }
  const bool verified =
      ECDSA_verify(0, hash.data(), static_cast<int>(hash_length), signature.data(),
                   static_cast<int>(signature.size()), key_.get()) == 1;
  // A refusal is an answer, not an error: nothing may stay queued for the next caller to read.
  if (!verified) ERR_clear_error();
  return verified;
}

}  // namespace crossmesh::pki
