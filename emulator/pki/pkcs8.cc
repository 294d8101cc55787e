#include "emulator/pki/pkcs8.h"

#include <openssl/pem.h>

#include <cstring>

#include "emulator/pki/bio.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {
namespace {

// pem_password_cb handing OpenSSL the passphrase the caller gave (a std::string_view*).
int GivenPassphrase(char* buffer, int size, int /*rwflag*/, void* userdata) {
  const auto* passphrase = static_cast<const std::string_view*>(userdata);
  if (passphrase->size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buffer, passphrase->data(), passphrase->size());
  return static_cast<int>(passphrase->size());
}

}  // namespace

Result<std::string> ExportEncryptedPkcs8Pem(const PrivateKey& key, std::string_view passphrase) {
  if (passphrase.empty()) {
    return Error(kInvalidArgs, "the passphrase is empty; give one to encrypt the private key");
  }
  BioPtr bio = WriteBio();
  // OpenSSL 3 defaults PKCS#8 encryption to PBES2 + PBKDF2-HMAC-SHA256 for this cipher.
  if (bio == nullptr ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), passphrase.data(),
                                    static_cast<int>(passphrase.size()), nullptr, nullptr) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot encrypt the private key as PKCS#8");
  }
  return BioContents(bio.get());
}

Result<PrivateKey> ImportEncryptedPkcs8Pem(std::string_view pem, std::string_view passphrase) {
  BioPtr bio = ReadBio(pem);
  EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, GivenPassphrase, &passphrase)
                     : nullptr);
  if (key == nullptr) {
    return OpenSslFailure(kInvalidArgs,
                          "cannot decrypt the private key: the PEM is not an encrypted private "
                          "key or the passphrase is wrong");
  }
  return PrivateKey::Adopt(std::move(key));
}

}  // namespace crossmesh::pki
