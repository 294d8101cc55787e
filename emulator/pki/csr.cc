#include "emulator/pki/csr.h"

#include <openssl/objects.h>
#include <openssl/pem.h>

#include <span>

#include "emulator/pki/bio.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/general_names.h"
#include "emulator/pki/openssl_error.h"
#include "emulator/pki/public_key_decoder.h"
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

  // Read back as parts, the one form a Csr has.
  unsigned char* data = nullptr;
  const int length = i2d_X509_REQ(request.get(), &data);
  OpenSslBufferPtr der(data);
  if (length <= 0) return OpenSslFailure(kRequestFailed, "cannot encode the CSR");
  return FromDer(der.get(), length);
}

Result<Csr> Csr::FromPem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  unsigned char* data = nullptr;
  long length = 0;
  char* name = nullptr;
  // Accepts "CERTIFICATE REQUEST" and the older "NEW CERTIFICATE REQUEST", as OpenSSL's reader.
  const bool read =
      bio != nullptr && PEM_bytes_read_bio(&data, &length, &name, PEM_STRING_X509_REQ, bio.get(),
                                           NoPassphraseCallback, nullptr) == 1;
  OpenSslBufferPtr der(data);
  OPENSSL_free(name);
  if (!read) {
    return OpenSslFailure(kMalformedCsr,
                          "the CSR is not a PEM \"CERTIFICATE REQUEST\" block; pass the PEM "
                          "text from openssl req or GetCertificateAuthorityCsr");
  }
  // A second request after the first would be signed never, silently: say so instead.
  unsigned char* more = nullptr;
  long more_length = 0;
  char* more_name = nullptr;
  const bool another = PEM_bytes_read_bio(&more, &more_length, &more_name, PEM_STRING_X509_REQ,
                                          bio.get(), NoPassphraseCallback, nullptr) == 1;
  OPENSSL_free(more);
  OPENSSL_free(more_name);
  DrainOpenSslErrors();  // the search for a second block ends in "no start line"
  if (another) {
    return Error(kMalformedCsr,
                 "the CSR holds more than one PEM \"CERTIFICATE REQUEST\" block; pass one "
                 "request per call");
  }
  return FromDer(der.get(), length);
}

Result<Csr> Csr::FromDer(const unsigned char* der, long length) {
  const unsigned char* cursor = der;
  CsrPartsPtr parts(
      reinterpret_cast<CsrParts*>(ASN1_item_d2i(nullptr, &cursor, length, CsrPartsItem())));
  if (parts == nullptr) {
    return OpenSslFailure(kMalformedCsr,
                          "the CSR is not a PEM \"CERTIFICATE REQUEST\" block of a PKCS#10 "
                          "request; pass the PEM text from openssl req or "
                          "GetCertificateAuthorityCsr");
  }

  const CsrKeyInfo* info = parts->info->key_info;
  if (const int curve = NamedCurveOf(info->algorithm); curve != NID_undef) {
    Result<EcPublicKey> point = EcPublicKey::Decode(
        curve,
        {ASN1_STRING_get0_data(info->key), static_cast<size_t>(ASN1_STRING_length(info->key))},
        kMalformedCsr);
    if (!point.ok()) {
      return Error(kMalformedCsr,
                   "the CSR's public key cannot be decoded: " + point.status().message());
    }
    return Csr(std::move(parts), std::move(*point), std::nullopt);
  }
  Csr csr(std::move(parts), std::nullopt, std::nullopt);
  Result<PublicKey> key = csr.DecodeKey();
  if (!key.ok()) return key.status();
  csr.key_ = std::move(*key);
  return csr;
}

Result<PublicKey> Csr::DecodeKey() const {
  if (key_) return *key_;
  const CsrKeyInfo* info = parts_->info->key_info;
  const std::string key_der = public_key_info_der();
  if (key_der.empty()) return OpenSslFailure(kMalformedCsr, "the CSR's public key is unreadable");
  Result<PublicKey> key = DecodeSubjectPublicKeyInfo(
      {reinterpret_cast<const uint8_t*>(key_der.data()), key_der.size()}, info->algorithm,
      {ASN1_STRING_get0_data(info->key), static_cast<size_t>(ASN1_STRING_length(info->key))},
      kMalformedCsr);
  if (!key.ok()) {
    return Error(kMalformedCsr,
                 "the CSR's public key cannot be decoded: " + key.status().message());
  }
  return key;
}

Result<PublicKey> Csr::public_key() const { return DecodeKey(); }

std::string Csr::public_key_info_der() const {
  unsigned char* data = nullptr;
  const int length = ASN1_item_i2d(reinterpret_cast<const ASN1_VALUE*>(parts_->info->key_info),
                                   &data, CsrKeyInfoItem());
  OpenSslBufferPtr der(data);
  if (length <= 0) return {};
  return {reinterpret_cast<const char*>(der.get()), static_cast<size_t>(length)};
}

Result<KeyAlgorithm> Csr::key_algorithm() const {
  if (ec_key_) {
    if (auto algorithm = KeyAlgorithmOfCurve(ec_key_->curve_nid())) return *algorithm;
  }
  Result<PublicKey> key = DecodeKey();
  if (!key.ok()) return key.status();
  return key->Algorithm();
}

Result<std::string> Csr::ToPem() const {
  unsigned char* data = nullptr;
  const int length =
      ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(parts_.get()), &data, CsrPartsItem());
  OpenSslBufferPtr der(data);
  BioPtr bio = WriteBio();
  if (length <= 0 || bio == nullptr ||
      PEM_write_bio(bio.get(), PEM_STRING_X509_REQ, "", der.get(), length) <= 0) {
    return OpenSslFailure(kRequestFailed, "cannot write the CSR as PEM");
  }
  return BioContents(bio.get());
}

std::optional<bool> Csr::VerifiesAsEcdsa() const {
  const CsrInfo* info = parts_->info;
  int digest = NID_undef;
  int key_type = NID_undef;
  const bool ecdsa = OBJ_find_sigid_algs(OBJ_obj2nid(parts_->signature_algorithm->algorithm),
                                         &digest, &key_type) == 1 &&
                     key_type == NID_X9_62_id_ecPublicKey;
  // The signature covers the request info exactly as received; a signature BIT STRING with
  // unused bits is malformed (OpenSSL's own check refuses it too).
  if (!ec_key_ || !ecdsa || info->encoding.enc == nullptr || info->encoding.modified != 0 ||
      (parts_->signature->flags & 0x7) != 0) {
    return std::nullopt;
  }
  const std::span<const uint8_t> message(info->encoding.enc,
                                         static_cast<size_t>(info->encoding.len));
  const std::span<const uint8_t> signature(
      ASN1_STRING_get0_data(parts_->signature),
      static_cast<size_t>(ASN1_STRING_length(parts_->signature)));
  if (digest != NID_sha256 && digest != NID_sha384 && digest != NID_sha512) return std::nullopt;
  return ec_key_->Verifies(digest, message, signature);
}

Status Csr::VerifySignature() const {
  const Status refused =
      Error(kMalformedCsr,
            "the CSR signature does not verify with the CSR's own public key; sign the CSR with "
            "the private key it names");
  // RFC 2986 knows version 0 (v1) only.
  const CsrInfo* info = parts_->info;
  if (ASN1_INTEGER_get(info->version) != 0) return refused;
  if (std::optional<bool> verified = VerifiesAsEcdsa()) {
    return *verified ? Status::Ok() : refused;
  }

  Result<PublicKey> key = DecodeKey();
  if (!key.ok()) return key.status();
  if (ASN1_item_verify_ex(CsrInfoItem(), parts_->signature_algorithm, parts_->signature,
                          parts_->info, nullptr, key->get(), nullptr, nullptr) != 1) {
    return OpenSslFailure(kMalformedCsr, refused.message());
  }
  return Status::Ok();
}

Subject Csr::subject() const { return SubjectFromX509Name(parts_->info->subject); }

std::string Csr::subject_string() const { return X509NameToString(parts_->info->subject); }

const X509_ALGOR* Csr::key_algorithm_identifier() const {
  return parts_->info->key_info->algorithm;
}

const ASN1_BIT_STRING* Csr::key_bits() const { return parts_->info->key_info->key; }

std::vector<std::string> Csr::dns_names() const {
  // The extensionRequest attribute (RFC 2986 section 5.4.2), or Microsoft's older OID for it.
  const STACK_OF(X509_ATTRIBUTE)* attributes = parts_->info->attributes;
  for (int nid : {NID_ext_req, NID_ms_ext_req}) {
    const int index = X509at_get_attr_by_NID(attributes, nid, -1);
    if (index < 0) continue;
    const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(X509at_get_attr(attributes, index), 0);
    if (value == nullptr || value->type != V_ASN1_SEQUENCE) return {};
    X509ExtensionStackPtr extensions(static_cast<STACK_OF(X509_EXTENSION)*>(
        ASN1_item_unpack(value->value.sequence, ASN1_ITEM_rptr(X509_EXTENSIONS))));
    if (extensions == nullptr) return {};
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509V3_get_d2i(extensions.get(), NID_subject_alt_name, nullptr, nullptr)));
    return DnsNamesOf(names.get());
  }
  return {};
}

}  // namespace crossmesh::pki
