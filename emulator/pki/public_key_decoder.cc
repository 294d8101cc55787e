#include "emulator/pki/public_key_decoder.h"

#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include <map>
#include <memory>

#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {
namespace {

// A decoder context writes each key it decodes into the slot it was made with, so the two live
// together and the slot is emptied after every decode.
struct CachedDecoder {
  EVP_PKEY* slot = nullptr;
  OSSL_DECODER_CTX* context = nullptr;

  CachedDecoder() = default;
  CachedDecoder(const CachedDecoder&) = delete;
  CachedDecoder& operator=(const CachedDecoder&) = delete;
  ~CachedDecoder() {
    OSSL_DECODER_CTX_free(context);
    EVP_PKEY_free(slot);
  }
};

// Keyed by the algorithm's NID; a handful of key types at most, so never trimmed.
CachedDecoder* DecoderFor(const ASN1_OBJECT* algorithm) {
  thread_local std::map<int, std::unique_ptr<CachedDecoder>> decoders;
  const int nid = OBJ_obj2nid(algorithm);
  auto found = decoders.find(nid);
  if (found != decoders.end()) return found->second.get();

  const char* key_type = nid == NID_undef ? nullptr : OBJ_nid2sn(nid);
  auto decoder = std::make_unique<CachedDecoder>();
  decoder->context = OSSL_DECODER_CTX_new_for_pkey(&decoder->slot, "DER", "SubjectPublicKeyInfo",
                                                   key_type, EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
  if (decoder->context == nullptr) return nullptr;
  // An unknown OID gets a decoder of its own each time rather than a cache entry per OID seen.
  if (nid == NID_undef) {
    thread_local std::unique_ptr<CachedDecoder> unknown;
    unknown = std::move(decoder);
    return unknown.get();
  }
  return decoders.emplace(nid, std::move(decoder)).first->second.get();
}

// A parameters-only key for `curve`, made once per thread.
const EVP_PKEY* CurveParameters(int curve) {
  thread_local std::map<int, EvpPkeyPtr> parameters;
  auto found = parameters.find(curve);
  if (found != parameters.end()) return found->second.get();

  OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free> context(
      EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* made = nullptr;
  if (context == nullptr || EVP_PKEY_paramgen_init(context.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(context.get(), OBJ_nid2sn(curve)) != 1 ||
      EVP_PKEY_paramgen(context.get(), &made) != 1) {
    return nullptr;
  }
  return parameters.emplace(curve, EvpPkeyPtr(made)).first->second.get();
}

Result<PublicKey> DecodeNamedCurveKey(int curve, std::span<const uint8_t> point,
                                      const char* failure_code) {
  const EVP_PKEY* parameters = CurveParameters(curve);
  EvpPkeyPtr key(EVP_PKEY_new());
  if (parameters == nullptr || key == nullptr ||
      EVP_PKEY_copy_parameters(key.get(), parameters) != 1 ||
      EVP_PKEY_set1_encoded_public_key(key.get(), point.data(), point.size()) != 1) {
    return OpenSslFailure(failure_code, "the EC public key is not a point on its curve");
  }
  return PublicKey::Share(key.get());
}

}  // namespace

int NamedCurveOf(const X509_ALGOR* algorithm) {
  const ASN1_OBJECT* oid = nullptr;
  int parameter_type = V_ASN1_UNDEF;
  const void* parameter = nullptr;
  X509_ALGOR_get0(&oid, &parameter_type, &parameter, algorithm);
  if (OBJ_obj2nid(oid) != NID_X9_62_id_ecPublicKey || parameter_type != V_ASN1_OBJECT) {
    return NID_undef;
  }
  const int curve = OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(parameter));
  const bool kept =
      curve == NID_X9_62_prime256v1 || curve == NID_secp384r1 || curve == NID_secp521r1;
  return kept ? curve : NID_undef;
}

Result<PublicKey> DecodeSubjectPublicKeyInfo(std::span<const uint8_t> der,
                                             const X509_ALGOR* algorithm,
                                             std::span<const uint8_t> key_bits,
                                             const char* failure_code) {
  if (const int curve = NamedCurveOf(algorithm); curve != NID_undef) {
    return DecodeNamedCurveKey(curve, key_bits, failure_code);
  }

  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
  CachedDecoder* decoder = DecoderFor(oid);
  if (decoder == nullptr) return OpenSslFailure(failure_code, "no decoder for the public key");

  const unsigned char* cursor = der.data();
  size_t left = der.size();
  const bool decoded = OSSL_DECODER_from_data(decoder->context, &cursor, &left) == 1;
  EvpPkeyPtr key(decoder->slot);
  decoder->slot = nullptr;
  if (!decoded || key == nullptr) {
    return OpenSslFailure(failure_code, "the public key cannot be decoded");
  }
  return PublicKey::Share(key.get());
}

}  // namespace crossmesh::pki
