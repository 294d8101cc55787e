#include "emulator/pki/signing.h"

#include <openssl/rsa.h>

#include "emulator/pki/errors.h"
#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {

Result<EvpMdCtxPtr> NewSigningContext(const PrivateKey& key, SigningAlgorithm algorithm) {
  CM_RETURN_IF_ERROR(CheckSigningAlgorithmFitsKey(algorithm, key.algorithm()));

  EvpMdCtxPtr context(EVP_MD_CTX_new());
  EVP_PKEY_CTX* key_context = nullptr;  // owned by `context`
  if (context == nullptr || EVP_DigestSignInit(context.get(), &key_context, DigestOf(algorithm),
                                               nullptr, key.get()) != 1) {
    return OpenSslFailure(
        kRequestFailed,
        "cannot start a " + std::string(SigningAlgorithmName(algorithm)) + " signature");
  }
  if (IsRsaPss(algorithm) &&
      (EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(key_context, RSA_PSS_SALTLEN_DIGEST) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(key_context, DigestOf(algorithm)) != 1)) {
    return OpenSslFailure(kRequestFailed, "cannot set up RSA-PSS padding");
  }
  return context;
}

}  // namespace crossmesh::pki
