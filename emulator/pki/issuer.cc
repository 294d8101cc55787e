#include "emulator/pki/issuer.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "emulator/pki/der_writer.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/general_names.h"
#include "emulator/pki/leaf_encoder.h"
#include "emulator/pki/openssl_error.h"
#include "emulator/pki/signing.h"

namespace crossmesh::pki {
namespace {

// The checks that depend on the CA: who may sign what, and for how long.
Status CheckCa(const PublicKey* subject_key, const SigningCa& ca, const IssueOptions& options) {
  const std::string template_name(TemplateName(options.certificate_template));
  if (options.certificate_template == CertificateTemplate::kRootCaV1) {
    if (subject_key != nullptr && ca.key->Matches(*subject_key)) return Status::Ok();
    return Error(kInvalidArgs,
                 "RootCACertificate/V1 issues the CA's own self-signed certificate, but the "
                 "request's public key is not the CA's key; sign the CSR from "
                 "GetCertificateAuthorityCsr, or pick an end-entity or subordinate template");
  }
  if (ca.certificate == nullptr) {
    return Error(kInvalidArgs, template_name +
                                   " needs the CA's certificate as issuer; only "
                                   "RootCACertificate/V1 can be issued before the CA has one");
  }

  const Certificate& ca_certificate = *ca.certificate;
  CM_RETURN_IF_ERROR(ca.prepared != nullptr ? ca.prepared->key_match()
                                            : CheckCertificateMatchesKey(ca_certificate, *ca.key));
  if (!ca_certificate.is_ca()) {
    return Error(kInvalidArgs, "the issuing certificate " + ca_certificate.subject_string() +
                                   " is not a CA certificate (no basicConstraints CA:TRUE)");
  }
  if (options.not_after > ca_certificate.not_after()) {
    return Error(kInvalidArgs, "the requested validity ends " + FormatUtc(options.not_after) +
                                   ", after the CA certificate expires " +
                                   FormatUtc(ca_certificate.not_after()) +
                                   "; choose an end no later than the CA's");
  }

  std::optional<int> ca_path_length = ca_certificate.path_length();
  if (!IsCaTemplate(options.certificate_template) || !ca_path_length.has_value()) {
    return Status::Ok();
  }
  if (*ca_path_length == 0) {
    return Error(kInvalidArgs,
                 "the CA certificate has path length 0, so it can issue only "
                 "end-entity certificates; use EndEntityCertificate/V1");
  }
  if (TemplatePathLength(options.certificate_template) >= *ca_path_length) {
    return Error(kInvalidArgs, template_name + " exceeds the CA certificate's path length " +
                                   std::to_string(*ca_path_length) +
                                   "; use SubordinateCACertificate_PathLen" +
                                   std::to_string(*ca_path_length - 1) + "/V1 or lower");
  }
  return Status::Ok();
}

Status CheckRequest(const PublicKey* subject_key, const Subject& subject, const SigningCa& ca,
                    const IssueOptions& options, const std::vector<std::string>& dns_names) {
  if (ca.key == nullptr) return Error(kInvalidArgs, "no CA private key was given to sign with");
  CM_RETURN_IF_ERROR(CheckSigningAlgorithmFitsKey(options.signing_algorithm, ca.key->algorithm()));
  if (options.not_after <= options.not_before) {
    return Error(kInvalidArgs, "the validity ends " + FormatUtc(options.not_after) +
                                   ", which is not after its start " +
                                   FormatUtc(options.not_before) + "; give a later end");
  }
  if (subject.empty() && dns_names.empty()) {
    return Error(kInvalidArgs,
                 "the certificate would name nobody: give the CSR a subject "
                 "(CommonName) or DNS names");
  }
  return CheckCa(subject_key, ca, options);
}

// The caller's serial, or a random one; refused unless positive and at most 20 bytes.
Result<std::vector<uint8_t>> SerialFor(const std::vector<uint8_t>& chosen) {
  Result<std::vector<uint8_t>> bytes = chosen.empty() ? RandomSerial() : chosen;
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() > 20 ||
      std::all_of(bytes->begin(), bytes->end(), [](uint8_t b) { return b == 0; })) {
    return Error(kInvalidArgs, "a certificate serial must be positive and at most 20 bytes");
  }
  return bytes;
}

Status SetSerial(X509* certificate, const std::vector<uint8_t>& chosen) {
  Result<std::vector<uint8_t>> bytes = SerialFor(chosen);
  if (!bytes.ok()) return bytes.status();
  BignumPtr number(BN_bin2bn(bytes->data(), static_cast<int>(bytes->size()), nullptr));
  Asn1IntegerPtr serial(number ? BN_to_ASN1_INTEGER(number.get(), nullptr) : nullptr);
  if (serial == nullptr || X509_set_serialNumber(certificate, serial.get()) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot set the certificate serial");
  }
  return Status::Ok();
}

Status AddExtension(X509* certificate, X509V3_CTX* context, int nid, const char* value) {
  X509ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, context, nid, value));
  if (extension == nullptr || X509_add_ext(certificate, extension.get(), -1) != 1) {
    return OpenSslFailure(kRequestFailed, std::string("cannot add the ") + OBJ_nid2sn(nid) +
                                              " extension \"" + value + "\"");
  }
  return Status::Ok();
}

// RFC 5280 extension values a template fixes whatever the subject and issuer, in order, in
// OpenSSL's x509v3_config syntax.
std::vector<std::pair<int, std::string>> FixedExtensionValues(CertificateTemplate kind) {
  std::string basic_constraints = "critical,CA:FALSE";
  if (IsCaTemplate(kind)) {
    basic_constraints = "critical,CA:TRUE";
    int path_length = TemplatePathLength(kind);
    if (path_length >= 0) basic_constraints += ",pathlen:" + std::to_string(path_length);
  }
  std::vector<std::pair<int, std::string>> values = {
      {NID_basic_constraints, basic_constraints},
      {NID_key_usage, IsCaTemplate(kind) ? "critical,digitalSignature,keyCertSign,cRLSign"
                                         : "critical,digitalSignature,keyEncipherment"},
  };
  if (!IsCaTemplate(kind)) values.emplace_back(NID_ext_key_usage, "serverAuth,clientAuth");
  return values;
}

// The fixed extensions, encoded once per template: parsing their text costs more than the rest
// of building a certificate. Entries are never changed once made, so they are read unlocked.
Result<const std::vector<X509ExtensionPtr>*> FixedExtensions(CertificateTemplate kind) {
  static std::mutex mutex;
  static std::map<CertificateTemplate, std::vector<X509ExtensionPtr>> encoded;
  std::lock_guard lock(mutex);
  auto found = encoded.find(kind);
  if (found != encoded.end()) return &found->second;

  std::vector<X509ExtensionPtr> made;
  for (const auto& [nid, value] : FixedExtensionValues(kind)) {
    made.emplace_back(X509V3_EXT_nconf_nid(nullptr, nullptr, nid, value.c_str()));
    if (made.back() == nullptr) {
      return OpenSslFailure(kRequestFailed, std::string("cannot encode the ") + OBJ_nid2sn(nid) +
                                                " extension \"" + value + "\"");
    }
  }
  return &encoded.emplace(kind, std::move(made)).first->second;
}

// The same extensions encoded, one after another, for certificates assembled as DER.
Result<std::string> FixedExtensionsDer(CertificateTemplate kind) {
  static std::mutex mutex;
  static std::map<CertificateTemplate, std::string> encoded;
  Result<const std::vector<X509ExtensionPtr>*> fixed = FixedExtensions(kind);
  if (!fixed.ok()) return fixed.status();
  std::lock_guard lock(mutex);
  auto found = encoded.find(kind);
  if (found != encoded.end()) return found->second;
  std::string joined;
  for (const X509ExtensionPtr& extension : **fixed) {
    std::string one = EncodeDer(extension.get(), i2d_X509_EXTENSION);
    if (one.empty()) return OpenSslFailure(kRequestFailed, "cannot encode a template extension");
    joined += one;
  }
  return encoded.emplace(kind, std::move(joined)).first->second;
}

// RFC 5280 4.2.1.2 method (1), what x509v3_config's "hash" computes: the SHA-1 of the
// subjectPublicKey bits. SHA-1 is fetched once; fetching it per call costs more than the hash.
Status AddSubjectKeyId(X509* certificate) {
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  const unsigned char* bits = nullptr;
  int bits_length = 0;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  OpenSslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> key_id(ASN1_OCTET_STRING_new());
  if (sha1 == nullptr || key_id == nullptr ||
      X509_PUBKEY_get0_param(nullptr, &bits, &bits_length, nullptr,
                             X509_get_X509_PUBKEY(certificate)) != 1 ||
      EVP_Digest(bits, static_cast<size_t>(bits_length), digest.data(), &digest_length, sha1,
                 nullptr) != 1 ||
      ASN1_OCTET_STRING_set(key_id.get(), digest.data(), static_cast<int>(digest_length)) != 1 ||
      X509_add1_ext_i2d(certificate, NID_subject_key_identifier, key_id.get(), 0,
                        X509V3_ADD_DEFAULT) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot add the subjectKeyIdentifier extension");
  }
  return Status::Ok();
}

Status AddTemplateExtensions(X509* certificate, X509* issuer, CertificateTemplate kind,
                             const PreparedCa* prepared) {
  Result<const std::vector<X509ExtensionPtr>*> fixed = FixedExtensions(kind);
  if (!fixed.ok()) return fixed.status();
  for (const X509ExtensionPtr& extension : **fixed) {
    if (X509_add_ext(certificate, extension.get(), -1) != 1) {
      return OpenSslFailure(kRequestFailed, "cannot add the template's extensions");
    }
  }

  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  CM_RETURN_IF_ERROR(AddSubjectKeyId(certificate));
  if (kind != CertificateTemplate::kRootCaV1 && prepared != nullptr &&
      prepared->authority_key_id() != nullptr) {
    if (X509_add_ext(certificate, prepared->authority_key_id(), -1) != 1) {
      return OpenSslFailure(kRequestFailed, "cannot add the authorityKeyIdentifier extension");
    }
  } else if (kind != CertificateTemplate::kRootCaV1) {
    // The issuer's key id when it has one, else its name and serial (RFC 5280 4.2.1.1).
    CM_RETURN_IF_ERROR(
        AddExtension(certificate, &context, NID_authority_key_identifier, "keyid,issuer"));
  }
  return Status::Ok();
}

// The subject's key: decoded (always for a CA template), and, from a CSR, also as the requester
// encoded it.
struct SubjectKey {
  const PublicKey* key = nullptr;  // may be null only with `bits`, for an end-entity template
  const X509_ALGOR* algorithm = nullptr;
  const ASN1_BIT_STRING* bits = nullptr;
};

// An end-entity certificate takes the CSR's SubjectPublicKeyInfo as sent: X509_set_pubkey would
// encode the decoded key and decode it again through OpenSSL 3.0's encoder and decoder chains,
// three times the cost of the signature. The in-memory certificate then holds the key encoded
// only (Certificate::public_key() decodes it on demand); a CA certificate keeps it decoded,
// since it goes on to verify what it signs.
Status SetSubjectKey(X509* certificate, const SubjectKey& subject_key, CertificateTemplate kind) {
  if (subject_key.bits == nullptr || IsCaTemplate(kind)) {
    if (X509_set_pubkey(certificate, subject_key.key->get()) != 1) {
      return OpenSslFailure(kRequestFailed, "cannot set the certificate's public key");
    }
    return Status::Ok();
  }

  X509_PUBKEY* target = X509_get_X509_PUBKEY(certificate);
  X509_ALGOR* target_algorithm = nullptr;
  const int length = ASN1_STRING_length(subject_key.bits);
  auto* bits = static_cast<unsigned char*>(
      OPENSSL_memdup(ASN1_STRING_get0_data(subject_key.bits), static_cast<size_t>(length)));
  // set0_param takes the bits; the algorithm is then overwritten with an exact copy.
  if (target == nullptr || bits == nullptr ||
      X509_PUBKEY_set0_param(target, OBJ_nid2obj(NID_undef), V_ASN1_UNDEF, nullptr, bits, length) !=
          1) {
    OPENSSL_free(bits);
    return OpenSslFailure(kRequestFailed, "cannot set the certificate's public key");
  }
  if (X509_PUBKEY_get0_param(nullptr, nullptr, nullptr, &target_algorithm, target) != 1 ||
      X509_ALGOR_copy(target_algorithm, subject_key.algorithm) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot copy the requested key's algorithm");
  }
  return Status::Ok();
}

Status AddDnsNames(X509* certificate, const std::vector<std::string>& dns_names, bool critical) {
  Result<GeneralNamesPtr> names = MakeDnsGeneralNames(dns_names);
  if (!names.ok()) return names.status();
  if (X509_add1_ext_i2d(certificate, NID_subject_alt_name, names->get(), critical ? 1 : 0,
                        X509V3_ADD_REPLACE) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot add the subjectAltName extension");
  }
  return Status::Ok();
}

Result<Certificate> Issue(const SubjectKey& subject_key, const Subject& subject,
                          const SigningCa& ca, const IssueOptions& options) {
  const std::vector<std::string> dns_names = options.dns_names.value_or(std::vector<std::string>{});
  CM_RETURN_IF_ERROR(CheckRequest(subject_key.key, subject, ca, options, dns_names));
  Result<EvpMdCtxPtr> signer = ca.prepared != nullptr
                                   ? ca.prepared->NewSigningContext(options.signing_algorithm)
                                   : NewSigningContext(*ca.key, options.signing_algorithm);
  if (!signer.ok()) return signer.status();

  const bool self_signed = options.certificate_template == CertificateTemplate::kRootCaV1;
  X509Ptr certificate(X509_new());
  if (certificate == nullptr) return OpenSslFailure(kRequestFailed, "cannot allocate an X509");
  X509_NAME* subject_name = X509_get_subject_name(certificate.get());
  CM_RETURN_IF_ERROR(AppendToX509Name(subject, subject_name));
  const X509_NAME* issuer_name =
      self_signed ? subject_name : X509_get_subject_name(ca.certificate->get());
  if (X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
      X509_set_issuer_name(certificate.get(), issuer_name) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot fill in the certificate");
  }
  CM_RETURN_IF_ERROR(SetSubjectKey(certificate.get(), subject_key, options.certificate_template));
  CM_RETURN_IF_ERROR(SetSerial(certificate.get(), options.serial));
  CM_RETURN_IF_ERROR(SetAsn1Time(X509_getm_notBefore(certificate.get()), options.not_before));
  CM_RETURN_IF_ERROR(SetAsn1Time(X509_getm_notAfter(certificate.get()), options.not_after));

  X509* issuer = self_signed ? certificate.get() : ca.certificate->get();
  CM_RETURN_IF_ERROR(
      AddTemplateExtensions(certificate.get(), issuer, options.certificate_template, ca.prepared));
  if (!dns_names.empty()) {
    // RFC 5280 4.2.1.6: with an empty subject the names are the identity, so critical.
    CM_RETURN_IF_ERROR(AddDnsNames(certificate.get(), dns_names, subject.empty()));
  }

  if (X509_sign_ctx(certificate.get(), signer->get()) <= 0) {
    return OpenSslFailure(kRequestFailed, "cannot sign the certificate");
  }
  return Certificate::Share(certificate.get());
}

// What a leaf takes from its CSR and options, but for the serial and DNS names.
Result<LeafParts> LeafPartsFromCsr(const Csr& csr, const Subject& subject,
                                   const IssueOptions& options) {
  X509NamePtr subject_name(X509_NAME_new());
  if (subject_name == nullptr) return OpenSslFailure(kRequestFailed, "cannot allocate a name");
  CM_RETURN_IF_ERROR(AppendToX509Name(subject, subject_name.get()));
  Result<std::string> fixed = FixedExtensionsDer(options.certificate_template);
  if (!fixed.ok()) return fixed.status();

  LeafParts parts;
  parts.not_before = options.not_before;
  parts.not_after = options.not_after;
  parts.subject_name_der = EncodeDer(subject_name.get(), i2d_X509_NAME);
  parts.public_key_info_der = csr.public_key_info_der();
  parts.key_bits = {ASN1_STRING_get0_data(csr.key_bits()),
                    static_cast<size_t>(ASN1_STRING_length(csr.key_bits()))};
  parts.fixed_extensions_der = std::move(*fixed);
  // RFC 5280 4.2.1.6: with an empty subject the names are the identity, so critical.
  parts.dns_names_critical = subject.empty();
  if (parts.subject_name_der.empty() || parts.public_key_info_der.empty()) {
    return OpenSslFailure(kRequestFailed, "cannot encode the subject or its key");
  }
  return parts;
}

}  // namespace

Result<std::vector<uint8_t>> RandomSerial() {
  std::vector<uint8_t> serial(16);
  if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) {
    return OpenSslFailure(kRequestFailed, "the random generator failed to produce a serial");
  }
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);
  return serial;
}

Result<Certificate> IssueFromCsr(const Csr& csr, const SigningCa& ca, const IssueOptions& options) {
  CM_RETURN_IF_ERROR(csr.VerifySignature());
  Result<KeyAlgorithm> key_algorithm = csr.key_algorithm();
  if (!key_algorithm.ok()) {
    return Error(kMalformedCsr, "the CSR's key: " + key_algorithm.status().message());
  }

  IssueOptions resolved = options;
  if (!resolved.dns_names.has_value()) resolved.dns_names = csr.dns_names();
  // An end-entity certificate copies the requested key's bytes; only a CA certificate (whose key
  // is compared with the CA's and goes on to verify) needs it decoded.
  std::optional<PublicKey> key;
  if (IsCaTemplate(options.certificate_template)) {
    Result<PublicKey> decoded = csr.public_key();
    if (!decoded.ok()) return decoded.status();
    key = std::move(*decoded);
  }
  return Issue({key ? &*key : nullptr, csr.key_algorithm_identifier(), csr.key_bits()},
               csr.subject(), ca, resolved);
}

Result<std::string> IssueDerFromCsr(const Csr& csr, const SigningCa& ca,
                                    const IssueOptions& options) {
  if (IsCaTemplate(options.certificate_template) || ca.prepared == nullptr ||
      ca.certificate == nullptr) {
    Result<Certificate> certificate = IssueFromCsr(csr, ca, options);
    if (!certificate.ok()) return certificate.status();
    std::string der = EncodeDer(certificate->get(), i2d_X509);
    if (der.empty()) return OpenSslFailure(kRequestFailed, "cannot encode the certificate");
    return der;
  }

  // The checks of IssueFromCsr, in its order.
  CM_RETURN_IF_ERROR(csr.VerifySignature());
  Result<KeyAlgorithm> key_algorithm = csr.key_algorithm();
  if (!key_algorithm.ok()) {
    return Error(kMalformedCsr, "the CSR's key: " + key_algorithm.status().message());
  }
  const std::vector<std::string> dns_names =
      options.dns_names.has_value() ? *options.dns_names : csr.dns_names();
  const Subject subject = csr.subject();
  CM_RETURN_IF_ERROR(CheckRequest(nullptr, subject, ca, options, dns_names));

  Result<std::vector<uint8_t>> serial = SerialFor(options.serial);
  if (!serial.ok()) return serial.status();
  Result<LeafParts> parts = LeafPartsFromCsr(csr, subject, options);
  if (!parts.ok()) return parts.status();
  parts->serial = *serial;
  parts->dns_names = dns_names;
  return SignLeaf(*ca.prepared, options.signing_algorithm, *parts);
}

Result<Certificate> IssueForPublicKey(const PublicKey& subject_key, const Subject& subject,
                                      const SigningCa& ca, const IssueOptions& options) {
  return Issue({&subject_key}, subject, ca, options);
}

}  // namespace crossmesh::pki
