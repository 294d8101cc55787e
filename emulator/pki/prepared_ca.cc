#include "emulator/pki/prepared_ca.h"

#include <openssl/x509v3.h>

#include "emulator/pki/errors.h"
#include "emulator/pki/openssl_error.h"
#include "emulator/pki/signing.h"

namespace crossmesh::pki {

Result<std::unique_ptr<PreparedCa>> PreparedCa::Create(const PrivateKey& key,
                                                       const Certificate* certificate) {
  if (certificate == nullptr) {
    return std::unique_ptr<PreparedCa>(new PreparedCa(key, Status::Ok(), nullptr));
  }

  // What issuer.cc would add per certificate: the value depends on the issuer alone (its
  // subjectKeyIdentifier, else its name and serial; RFC 5280 4.2.1.1).
  X509V3_CTX context;
  X509V3_set_ctx(&context, certificate->get(), nullptr, nullptr, nullptr, 0);
  X509ExtensionPtr authority_key_id(
      X509V3_EXT_nconf_nid(nullptr, &context, NID_authority_key_identifier, "keyid,issuer"));
  if (authority_key_id == nullptr) {
    return OpenSslFailure(kRequestFailed, "cannot encode the CA's authorityKeyIdentifier");
  }
  return std::unique_ptr<PreparedCa>(new PreparedCa(
      key, CheckCertificateMatchesKey(*certificate, key), std::move(authority_key_id)));
}

Result<EvpMdCtxPtr> PreparedCa::NewSigningContext(SigningAlgorithm algorithm) const {
  std::lock_guard lock(mutex_);
  EvpMdCtxPtr& model = contexts_.at(static_cast<size_t>(algorithm));
  if (model == nullptr) {
    Result<EvpMdCtxPtr> made = pki::NewSigningContext(key_, algorithm);
    if (!made.ok()) return made.status();
    model = std::move(*made);
  }
  EvpMdCtxPtr copy(EVP_MD_CTX_new());
  if (copy == nullptr || EVP_MD_CTX_copy_ex(copy.get(), model.get()) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot copy the CA's signing context");
  }
  return copy;
}

}  // namespace crossmesh::pki
