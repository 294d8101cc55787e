#include "emulator/pki/leaf_encoder.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <array>

#include "emulator/pki/der_writer.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/general_names.h"
#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {
namespace {

std::string_view Chars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// A positive INTEGER: leading zero bytes dropped, one added when the top bit is set.
std::string SerialDer(std::span<const uint8_t> magnitude) {
  while (magnitude.size() > 1 && magnitude[0] == 0) magnitude = magnitude.subspan(1);
  std::string contents;
  if (!magnitude.empty() && (magnitude[0] & 0x80) != 0) contents.push_back('\0');
  contents.append(Chars(magnitude));
  return Tlv(der::kInteger, contents);
}

Result<std::string> TimeDer(TimePoint time) {
  OpenSslPtr<ASN1_TIME, ASN1_TIME_free> value(ASN1_TIME_new());
  if (value == nullptr) return OpenSslFailure(kRequestFailed, "cannot allocate a time");
  CM_RETURN_IF_ERROR(SetAsn1Time(value.get(), time));
  std::string encoded = EncodeDer(value.get(), i2d_ASN1_TIME);
  if (encoded.empty()) return OpenSslFailure(kRequestFailed, "cannot encode the validity");
  return encoded;
}

// An Extension of `nid` whose value is `value` encoded by the extension's own method, as
// X509_add1_ext_i2d writes it.
Result<std::string> ExtensionDer(int nid, bool critical, void* value) {
  X509ExtensionPtr extension(X509V3_EXT_i2d(nid, critical ? 1 : 0, value));
  std::string encoded = EncodeDer(extension.get(), i2d_X509_EXTENSION);
  if (encoded.empty()) {
    return OpenSslFailure(kRequestFailed,
                          std::string("cannot encode the ") + OBJ_nid2sn(nid) + " extension");
  }
  return encoded;
}

// RFC 5280 4.2.1.2 method (1), as issuer.cc's X509 path: the SHA-1 of the subjectPublicKey.
Result<std::string> SubjectKeyIdDer(std::span<const uint8_t> key_bits) {
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  OpenSslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> key_id(ASN1_OCTET_STRING_new());
  if (sha1 == nullptr || key_id == nullptr ||
      EVP_Digest(key_bits.data(), key_bits.size(), digest.data(), &digest_length, sha1, nullptr) !=
          1 ||
      ASN1_OCTET_STRING_set(key_id.get(), digest.data(), static_cast<int>(digest_length)) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot compute the subjectKeyIdentifier");
  }
  return ExtensionDer(NID_subject_key_identifier, false, key_id.get());
}

Result<std::string> ExtensionsDer(const PreparedCa& ca, const LeafParts& parts) {
  std::string extensions = parts.fixed_extensions_der;
  Result<std::string> key_id = SubjectKeyIdDer(parts.key_bits);
  if (!key_id.ok()) return key_id.status();
  extensions += *key_id;
  extensions += ca.authority_key_id_der();
  if (!parts.dns_names.empty()) {
    Result<GeneralNamesPtr> names = MakeDnsGeneralNames(parts.dns_names);
    if (!names.ok()) return names.status();
    Result<std::string> san =
        ExtensionDer(NID_subject_alt_name, parts.dns_names_critical, names->get());
    if (!san.ok()) return san.status();
    extensions += *san;
  }
  return Tlv(der::Explicit(3), Tlv(der::kSequence, extensions));
}

Result<std::string> Signature(const PreparedCa& ca, SigningAlgorithm algorithm,
                              std::string_view tbs) {
  Result<EvpMdCtxPtr> signer = ca.NewSigningContext(algorithm);
  if (!signer.ok()) return signer.status();
  const auto* data = reinterpret_cast<const unsigned char*>(tbs.data());
  size_t length = 0;
  if (EVP_DigestSign(signer->get(), nullptr, &length, data, tbs.size()) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot size the certificate signature");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(signer->get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     data, tbs.size()) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot sign the certificate");
  }
  signature.resize(length);
  return signature;
}

}  // namespace

Result<std::string> SignLeaf(const PreparedCa& ca, SigningAlgorithm algorithm,
                             const LeafParts& parts) {
  if (ca.issuer_name_der().empty()) {
    return Error(kInvalidArgs, "the CA has no certificate to name as issuer");
  }
  Result<std::string> algorithm_id = ca.AlgorithmIdentifierDer(algorithm);
  if (!algorithm_id.ok()) return algorithm_id.status();
  Result<std::string> not_before = TimeDer(parts.not_before);
  if (!not_before.ok()) return not_before.status();
  Result<std::string> not_after = TimeDer(parts.not_after);
  if (!not_after.ok()) return not_after.status();
  Result<std::string> extensions = ExtensionsDer(ca, parts);
  if (!extensions.ok()) return extensions.status();

  // TBSCertificate (RFC 5280 4.1): version v3, serial, signature, issuer, validity, subject,
  // subjectPublicKeyInfo, extensions.
  std::string fields = Tlv(der::Explicit(0), Tlv(der::kInteger, std::string(1, '\x02')));
  fields += SerialDer(parts.serial);
  fields += *algorithm_id;
  fields += ca.issuer_name_der();
  fields += Tlv(der::kSequence, *not_before + *not_after);
  fields += parts.subject_name_der;
  fields += parts.public_key_info_der;
  fields += *extensions;
  const std::string tbs = Tlv(der::kSequence, fields);

  Result<std::string> signature = Signature(ca, algorithm, tbs);
  if (!signature.ok()) return signature.status();
  std::string certificate = tbs;
  certificate += *algorithm_id;
  AppendTlv(certificate, der::kBitString, std::string(1, '\0') + *signature);
  return Tlv(der::kSequence, certificate);
}

}  // namespace crossmesh::pki
