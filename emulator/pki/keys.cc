#include "emulator/pki/keys.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>

#include "emulator/pki/bio.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {
namespace {

// The curve name as OpenSSL's provider reports it ("prime256v1"), or "" for non-EC keys.
std::string CurveName(const EVP_PKEY* key) {
  std::array<char, 80> name{};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name.data(), name.size(),
                                     &length) != 1) {
    return {};
  }
  return {name.data(), length};
}

int CurveNid(const std::string& curve) {
  int nid = OBJ_txt2nid(curve.c_str());
  return nid != NID_undef ? nid : EC_curve_nist2nid(curve.c_str());
}

}  // namespace

std::optional<KeyAlgorithm> KeyAlgorithmOfCurve(int curve_nid) {
  switch (curve_nid) {
    case NID_X9_62_prime256v1:
      return KeyAlgorithm::kEcPrime256v1;
    case NID_secp384r1:
      return KeyAlgorithm::kEcSecp384r1;
    case NID_secp521r1:
      return KeyAlgorithm::kEcSecp521r1;
  }
  return std::nullopt;
}

Result<KeyAlgorithm> KeyAlgorithmOf(const EVP_PKEY* key) {
  if (key == nullptr) return Error(kInvalidArgs, "no key given");
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      switch (EVP_PKEY_get_bits(key)) {
        case 2048:
          return KeyAlgorithm::kRsa2048;
        case 3072:
          return KeyAlgorithm::kRsa3072;
        case 4096:
          return KeyAlgorithm::kRsa4096;
      }
      break;
    case EVP_PKEY_EC:
      if (auto algorithm = KeyAlgorithmOfCurve(CurveNid(CurveName(key)))) return *algorithm;
      break;
  }
  return Error(kInvalidArgs, "a " + DescribeKey(key) +
                                 " key is not supported; use RSA 2048/3072/4096 or EC "
                                 "prime256v1/secp384r1/secp521r1");
}

std::string DescribeKey(const EVP_PKEY* key) {
  if (key == nullptr) return "missing";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return "RSA " + std::to_string(EVP_PKEY_get_bits(key)) + "-bit";
    case EVP_PKEY_RSA_PSS:
      return "RSA-PSS " + std::to_string(EVP_PKEY_get_bits(key)) + "-bit";
    case EVP_PKEY_EC:
      return "EC " + CurveName(key);
  }
  const char* type = EVP_PKEY_get0_type_name(key);
  return type != nullptr ? type : "unknown";
}

PublicKey PublicKey::Share(EVP_PKEY* key) {
  if (key != nullptr) EVP_PKEY_up_ref(key);
  return PublicKey(EvpPkeyPtr(key));
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  EvpPkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphraseCallback, nullptr)
                     : nullptr);
  if (key == nullptr) {
    return OpenSslFailure(kInvalidArgs, "the public key is not a PEM \"PUBLIC KEY\" block");
  }
  return PublicKey(std::move(key));
}

PublicKey::PublicKey(const PublicKey& other) : PublicKey(Share(other.get())) {}

PublicKey& PublicKey::operator=(const PublicKey& other) {
  if (this != &other) key_ = Share(other.get()).key_;
  return *this;
}

Result<std::string> PublicKey::ToPem() const {
  BioPtr bio = WriteBio();
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot write the public key as PEM");
  }
  return BioContents(bio.get());
}

bool PublicKey::Equals(const PublicKey& other) const {
  if (key_ == nullptr || other.key_ == nullptr) return false;
  return EVP_PKEY_eq(key_.get(), other.key_.get()) == 1;
}

Result<PrivateKey> PrivateKey::Generate(KeyAlgorithm algorithm) {
  EvpPkeyPtr key;
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      key.reset(EVP_RSA_gen(2048));
      break;
    case KeyAlgorithm::kRsa3072:
      key.reset(EVP_RSA_gen(3072));
      break;
    case KeyAlgorithm::kRsa4096:
      key.reset(EVP_RSA_gen(4096));
      break;
    case KeyAlgorithm::kEcPrime256v1:
      key.reset(EVP_EC_gen("prime256v1"));
      break;
    case KeyAlgorithm::kEcSecp384r1:
      key.reset(EVP_EC_gen("secp384r1"));
      break;
    case KeyAlgorithm::kEcSecp521r1:
      key.reset(EVP_EC_gen("secp521r1"));
      break;
  }
  if (key == nullptr) {
    return OpenSslFailure(kRequestFailed,
                          "cannot generate a " + std::string(KeyAlgorithmName(algorithm)) + " key");
  }
  return PrivateKey(std::move(key), algorithm);
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphraseCallback, nullptr)
                     : nullptr);
  if (key == nullptr) {
    return OpenSslFailure(kInvalidArgs,
                          "the private key is not an unencrypted PEM private key (PKCS#8 "
                          "\"PRIVATE KEY\" or \"RSA/EC PRIVATE KEY\")");
  }
  return Adopt(std::move(key));
}

Result<PrivateKey> PrivateKey::Adopt(EvpPkeyPtr key) {
  Result<KeyAlgorithm> algorithm = KeyAlgorithmOf(key.get());
  if (!algorithm.ok()) return algorithm.status();
  return PrivateKey(std::move(key), *algorithm);
}

Result<std::string> PrivateKey::ToPem() const {
  BioPtr bio = WriteBio();
  if (bio == nullptr || PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0,
                                                      nullptr, nullptr) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot write the private key as PKCS#8 PEM");
  }
  return BioContents(bio.get());
}

bool PrivateKey::Matches(const PublicKey& key) const {
  if (key.get() == nullptr) return false;
  return EVP_PKEY_eq(key_.get(), key.get()) == 1;
}

}  // namespace crossmesh::pki
