#include "emulator/pki/csr.h"

#include <openssl/pem.h>

#include "emulator/pki/bio.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/general_names.h"
#include "emulator/pki/openssl_error.h"
#include "emulator/pki/signing.h"

namespace crossmesh::pki {
namespace {

Status AddRequestedDnsNames(X509_REQ* request, const std::vector<std::string>& dns_names) {
  Result<GeneralNamesPtr> names = MakeDnsGeneralNames(dns_names);
  if (!names.ok()) return names.status();
  X509ExtensionStackPtr extensions(sk_X509_EXTENSION_new_null());
  X509ExtensionPtr san(X509V3_EXT_i2d(NID_subject_alt_name, 0, names->get()));
  if (extensions == nullptr || san == nullptr ||
      sk_X509_EXTENSION_push(extensions.get(), san.get()) <= 0) {
    return OpenSslFailure(kRequestFailed, "cannot encode the subjectAltName request");
  }
  static_cast<void>(san.release());  // extensions owns it now
  if (X509_REQ_add_extensions(request, extensions.get()) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot add the subjectAltName request to the CSR");
  }
  return Status::Ok();
}

}  // namespace

Result<Csr> Csr::Create(const PrivateKey& key, const Subject& subject, SigningAlgorithm signing,
                        const std::vector<std::string>& dns_names) {
  Result<EvpMdCtxPtr> signer = NewSigningContext(key, signing);
  if (!signer.ok()) return signer.status();
  Result<X509NamePtr> name = ToX509Name(subject);
  if (!name.ok()) return name.status();

  X509ReqPtr request(X509_REQ_new());
  if (request == nullptr || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(request.get(), name->get()) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot build the CSR");
  }
  if (!dns_names.empty()) CM_RETURN_IF_ERROR(AddRequestedDnsNames(request.get(), dns_names));

  if (X509_REQ_sign_ctx(request.get(), signer->get()) <= 0) {
    return OpenSslFailure(kRequestFailed, "cannot sign the CSR");
  }
  return Csr(std::move(request));
}

Result<Csr> Csr::FromPem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  X509ReqPtr request(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, NoPassphraseCallback, nullptr)
                         : nullptr);
  if (request == nullptr) {
    return OpenSslFailure(kMalformedCsr,
                          "the CSR is not a PEM \"CERTIFICATE REQUEST\" block; pass the PEM "
                          "text from openssl req or GetCertificateAuthorityCsr");
  }
  if (X509_REQ_get0_pubkey(request.get()) == nullptr) {
    return OpenSslFailure(kMalformedCsr, "the CSR's public key cannot be decoded");
  }
  return Csr(std::move(request));
}

Result<std::string> Csr::ToPem() const {
  BioPtr bio = WriteBio();
  if (bio == nullptr || PEM_write_bio_X509_REQ(bio.get(), request_.get()) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot write the CSR as PEM");
  }
  return BioContents(bio.get());
}

Status Csr::VerifySignature() const {
  EVP_PKEY* key = X509_REQ_get0_pubkey(request_.get());
  if (key == nullptr || X509_REQ_verify(request_.get(), key) != 1) {
    return OpenSslFailure(kMalformedCsr,
                          "the CSR signature does not verify with the CSR's own public key; "
                          "sign the CSR with the private key it names");
  }
  return Status::Ok();
}

Subject Csr::subject() const { return SubjectFromX509Name(X509_REQ_get_subject_name(get())); }

std::string Csr::subject_string() const {
  return X509NameToString(X509_REQ_get_subject_name(get()));
}

PublicKey Csr::public_key() const { return PublicKey::Share(X509_REQ_get0_pubkey(get())); }

std::vector<std::string> Csr::dns_names() const {
  X509ExtensionStackPtr extensions(X509_REQ_get_extensions(request_.get()));
  if (extensions == nullptr) return {};
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(extensions.get(), NID_subject_alt_name, nullptr, nullptr)));
  return DnsNamesOf(names.get());
}

}  // namespace crossmesh::pki
