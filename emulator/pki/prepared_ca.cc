#include "emulator/pki/prepared_ca.h"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/x509v3.h>

#include <array>

#include "emulator/pki/der_writer.h"
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
  std::unique_ptr<PreparedCa> prepared(new PreparedCa(
      key, CheckCertificateMatchesKey(*certificate, key), std::move(authority_key_id)));
  prepared->issuer_name_der_ = EncodeDer(X509_get_subject_name(certificate->get()), i2d_X509_NAME);
  prepared->authority_key_id_der_ =
      EncodeDer(prepared->authority_key_id_.get(), i2d_X509_EXTENSION);
  if (prepared->issuer_name_der_.empty() || prepared->authority_key_id_der_.empty()) {
    return OpenSslFailure(kRequestFailed, "cannot encode the CA's name and key identifier");
  }
  return prepared;
}

Result<EVP_MD_CTX*> PreparedCa::ModelLocked(SigningAlgorithm algorithm) const {
  EvpMdCtxPtr& model = contexts_.at(static_cast<size_t>(algorithm));
  if (model == nullptr) {
    Result<EvpMdCtxPtr> made = pki::NewSigningContext(key_, algorithm);
    if (!made.ok()) return made.status();
    model = std::move(*made);
  }
  return model.get();
}

Result<EvpMdCtxPtr> PreparedCa::NewSigningContext(SigningAlgorithm algorithm) const {
  std::lock_guard lock(mutex_);
  Result<EVP_MD_CTX*> model = ModelLocked(algorithm);
  if (!model.ok()) return model.status();
  EvpMdCtxPtr copy(EVP_MD_CTX_new());
  if (copy == nullptr || EVP_MD_CTX_copy_ex(copy.get(), *model) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot copy the CA's signing context");
  }
  return copy;
}

Result<std::string> PreparedCa::AlgorithmIdentifierDer(SigningAlgorithm algorithm) const {
  std::lock_guard lock(mutex_);
  std::string& known = algorithm_ids_.at(static_cast<size_t>(algorithm));
  if (!known.empty()) return known;

  Result<EVP_MD_CTX*> model = ModelLocked(algorithm);
  if (!model.ok()) return model.status();
  // What X509_sign_ctx writes into a certificate: the provider's own AlgorithmIdentifier, so a
  // certificate assembled as DER names the algorithm exactly as one OpenSSL builds.
  std::array<unsigned char, 128> buffer{};
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID,
                                                           buffer.data(), buffer.size()),
                         OSSL_PARAM_construct_end()};
  if (EVP_PKEY_CTX_get_params(EVP_MD_CTX_get_pkey_ctx(*model), params) != 1 ||
      !OSSL_PARAM_modified(&params[0]) || params[0].return_size == 0) {
    return OpenSslFailure(kRequestFailed, "the signing provider names no AlgorithmIdentifier");
  }
  known.assign(reinterpret_cast<const char*>(buffer.data()), params[0].return_size);
  return known;
}

}  // namespace crossmesh::pki
