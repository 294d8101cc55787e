#include "emulator/pki/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>

#include "emulator/pki/bio.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/general_names.h"
#include "emulator/pki/hex.h"
#include "emulator/pki/openssl_error.h"
#include "emulator/pki/public_key_decoder.h"

namespace crossmesh::pki {
namespace {

// RFC 5280 section 4.2.1.3 bit order.
constexpr std::array<const char*, 9> kKeyUsageNames = {
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
    "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly",
};

std::string OctetsHex(const ASN1_OCTET_STRING* octets) {
  if (octets == nullptr) return {};
  return HexLower({ASN1_STRING_get0_data(octets), static_cast<size_t>(ASN1_STRING_length(octets))});
}

bool NoStartLineLeft() {
  unsigned long err = ERR_peek_last_error();
  return ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
}

}  // namespace

Result<Certificate> Certificate::Adopt(X509Ptr x509) {
  Result<TimePoint> not_before = FromAsn1Time(X509_get0_notBefore(x509.get()));
  if (!not_before.ok()) return not_before.status();
  Result<TimePoint> not_after = FromAsn1Time(X509_get0_notAfter(x509.get()));
  if (!not_after.ok()) return not_after.status();
  if (X509_get0_pubkey(x509.get()) == nullptr) {
    return OpenSslFailure(kMalformedCertificate, "the certificate's public key cannot be decoded");
  }
  return Certificate(std::move(x509), *not_before, *not_after);
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  X509Ptr x509(bio ? PEM_read_bio_X509(bio.get(), nullptr, NoPassphraseCallback, nullptr)
                   : nullptr);
  if (x509 == nullptr) {
    return OpenSslFailure(kMalformedCertificate,
                          "the certificate is not a PEM \"CERTIFICATE\" block of an X.509 "
                          "certificate");
  }
  return Adopt(std::move(x509));
}

Result<Certificate> Certificate::FromDer(std::span<const uint8_t> der) {
  const unsigned char* cursor = der.data();
  X509Ptr x509(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (x509 == nullptr) {
    return OpenSslFailure(kMalformedCertificate, "the certificate is not DER X.509");
  }
  return Adopt(std::move(x509));
}

Certificate Certificate::Share(X509* certificate) {
  X509_up_ref(certificate);
  X509Ptr x509(certificate);
  // Times were readable when the certificate was first parsed or built; fall back to the epoch.
  Result<TimePoint> not_before = FromAsn1Time(X509_get0_notBefore(certificate));
  Result<TimePoint> not_after = FromAsn1Time(X509_get0_notAfter(certificate));
  DrainOpenSslErrors();
  return {std::move(x509), not_before.ok() ? *not_before : TimePoint(),
          not_after.ok() ? *not_after : TimePoint()};
}

Certificate::Certificate(const Certificate& other) : Certificate(Share(other.get())) {}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) *this = Share(other.get());
  return *this;
}

Result<std::string> Certificate::ToPem() const {
  unsigned char* data = nullptr;
  const int length = i2d_X509(x509_.get(), &data);
  OpenSslBufferPtr der(data);
  if (length <= 0) return OpenSslFailure(kRequestFailed, "cannot write the certificate as PEM");
  return CertificateDerToPem(
      {reinterpret_cast<const char*>(der.get()), static_cast<size_t>(length)});
}

std::string CertificateDerToPem(std::string_view der) {
  // RFC 7468 text, as PEM_write_bio_X509 writes it (64 columns), without a BIO per call: a
  // certificate is written once per issuance.
  constexpr size_t kBytesPerLine = 48;
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  std::array<unsigned char, 65> line{};
  for (size_t offset = 0; offset < der.size(); offset += kBytesPerLine) {
    const size_t chunk = std::min(kBytesPerLine, der.size() - offset);
    const int written =
        EVP_EncodeBlock(line.data(), reinterpret_cast<const unsigned char*>(der.data()) + offset,
                        static_cast<int>(chunk));
    pem.append(reinterpret_cast<const char*>(line.data()), static_cast<size_t>(written));
    pem += '\n';
  }
  pem += "-----END CERTIFICATE-----\n";
  return pem;
}

std::vector<uint8_t> Certificate::serial_bytes() const {
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(get()), nullptr));
  if (serial == nullptr) return {};
  std::vector<uint8_t> bytes(static_cast<size_t>(BN_num_bytes(serial.get())));
  BN_bn2bin(serial.get(), bytes.data());
  return bytes;
}

std::string Certificate::HexSerial(bool colons) const {
  std::vector<uint8_t> bytes = serial_bytes();
  if (bytes.empty()) bytes.push_back(0);
  return colons ? ColonHexLower(bytes) : HexLower(bytes);
}

Subject Certificate::subject() const { return SubjectFromX509Name(X509_get_subject_name(get())); }

std::string Certificate::subject_string() const {
  return X509NameToString(X509_get_subject_name(get()));
}

Subject Certificate::issuer() const { return SubjectFromX509Name(X509_get_issuer_name(get())); }

std::string Certificate::issuer_string() const {
  return X509NameToString(X509_get_issuer_name(get()));
}

std::vector<std::string> Certificate::dns_names() const {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(get(), NID_subject_alt_name, nullptr, nullptr)));
  return DnsNamesOf(names.get());
}

std::vector<AltName> Certificate::alt_names() const {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(get(), NID_subject_alt_name, nullptr, nullptr)));
  return AltNamesOf(names.get());
}

std::optional<BasicConstraints> Certificate::basic_constraints() const {
  int critical = -1;
  BasicConstraintsPtr extension(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(get(), NID_basic_constraints, &critical, nullptr)));
  if (extension == nullptr) return std::nullopt;

  BasicConstraints constraints;
  constraints.ca = extension->ca != 0;
  constraints.critical = critical == 1;
  if (extension->pathlen != nullptr) {
    constraints.path_length = static_cast<int>(ASN1_INTEGER_get(extension->pathlen));
  }
  return constraints;
}

bool Certificate::is_ca() const {
  std::optional<BasicConstraints> constraints = basic_constraints();
  return constraints.has_value() && constraints->ca;
}

std::optional<int> Certificate::path_length() const {
  std::optional<BasicConstraints> constraints = basic_constraints();
  if (!constraints.has_value() || !constraints->ca) return std::nullopt;
  return constraints->path_length;
}

std::optional<KeyUsage> Certificate::key_usage() const {
  int critical = -1;
  Asn1BitStringPtr bits(
      static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(get(), NID_key_usage, &critical, nullptr)));
  if (bits == nullptr) return std::nullopt;

  KeyUsage usage;
  usage.critical = critical == 1;
  for (size_t bit = 0; bit < kKeyUsageNames.size(); ++bit) {
    if (ASN1_BIT_STRING_get_bit(bits.get(), static_cast<int>(bit)) == 1) {
      usage.usages.emplace_back(kKeyUsageNames[bit]);
    }
  }
  return usage;
}

std::vector<std::string> Certificate::extended_key_usages() const {
  ExtendedKeyUsagePtr purposes(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(get(), NID_ext_key_usage, nullptr, nullptr)));
  std::vector<std::string> names;
  for (int i = 0; purposes != nullptr && i < sk_ASN1_OBJECT_num(purposes.get()); ++i) {
    const ASN1_OBJECT* purpose = sk_ASN1_OBJECT_value(purposes.get(), i);
    const char* name = OBJ_nid2sn(OBJ_obj2nid(purpose));
    names.emplace_back(name != nullptr ? name : "unknown");
  }
  return names;
}

std::string Certificate::subject_key_id() const {
  return OctetsHex(X509_get0_subject_key_id(get()));
}

std::string Certificate::authority_key_id() const {
  return OctetsHex(X509_get0_authority_key_id(get()));
}

PublicKey Certificate::public_key() const {
  if (EVP_PKEY* decoded = X509_get0_pubkey(get())) return PublicKey::Share(decoded);

  // An end-entity certificate built from a CSR holds its key encoded only (issuer.cc).
  DrainOpenSslErrors();
  X509_PUBKEY* encoded = X509_get_X509_PUBKEY(get());
  unsigned char* data = nullptr;
  const int length = encoded != nullptr ? i2d_X509_PUBKEY(encoded, &data) : 0;
  OpenSslBufferPtr der(data);
  const unsigned char* bits = nullptr;
  int bits_length = 0;
  X509_ALGOR* algorithm = nullptr;
  if (length <= 0 ||
      X509_PUBKEY_get0_param(nullptr, &bits, &bits_length, &algorithm, encoded) != 1) {
    DrainOpenSslErrors();
    return PublicKey::Share(nullptr);
  }
  Result<PublicKey> key =
      DecodeSubjectPublicKeyInfo({der.get(), static_cast<size_t>(length)}, algorithm,
                                 {bits, static_cast<size_t>(bits_length)}, kMalformedCertificate);
  return key.ok() ? *key : PublicKey::Share(nullptr);
}

Result<SigningAlgorithm> Certificate::signing_algorithm() const {
  int digest = NID_undef;
  int key_type = NID_undef;
  if (X509_get_signature_info(get(), &digest, &key_type, nullptr, nullptr) == 1) {
    for (SigningAlgorithm algorithm : kAllSigningAlgorithms) {
      int expected_key = IsRsaPss(algorithm)                      ? EVP_PKEY_RSA_PSS
                         : FamilyOf(algorithm) == KeyFamily::kRsa ? EVP_PKEY_RSA
                                                                  : EVP_PKEY_EC;
      if (EVP_MD_get_type(DigestOf(algorithm)) == digest && key_type == expected_key) {
        return algorithm;
      }
    }
  }
  DrainOpenSslErrors();
  return Error(kInvalidArgs, "the certificate is signed with " +
                                 std::string(OBJ_nid2ln(X509_get_signature_nid(get()))) +
                                 ", which is not an ACM Private CA signing algorithm");
}

std::string Certificate::signature_algorithm_name() const {
  Result<SigningAlgorithm> algorithm = signing_algorithm();
  if (algorithm.ok()) return std::string(SigningAlgorithmName(*algorithm));
  const char* name = OBJ_nid2ln(X509_get_signature_nid(get()));
  return name != nullptr ? name : "unknown";
}

std::string Certificate::sha256_fingerprint() const {
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (X509_digest(get(), EVP_sha256(), digest.data(), &length) != 1) return {};
  return HexLower({digest.data(), length});
}

bool Certificate::IsSelfSigned() const {
  bool self_signed = X509_self_signed(get(), /*verify_signature=*/1) == 1;
  DrainOpenSslErrors();
  return self_signed;
}

Status CheckCertificateMatchesKey(const Certificate& certificate, const PrivateKey& key) {
  if (certificate.Matches(key)) return Status::Ok();
  return Error(kCertificateMismatch,
               "the certificate's public key (" + certificate.public_key().Describe() +
                   ") is not the " + std::string(KeyAlgorithmName(key.algorithm())) +
                   " key it must match; use a certificate issued for this key's CSR");
}

Result<std::vector<Certificate>> ParseCertificatesPem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  if (bio == nullptr) return OpenSslFailure(kRequestFailed, "cannot buffer the PEM text");

  std::vector<Certificate> certificates;
  for (;;) {
    X509Ptr x509(PEM_read_bio_X509(bio.get(), nullptr, NoPassphraseCallback, nullptr));
    if (x509 == nullptr) break;
    Result<Certificate> certificate = Certificate::Adopt(std::move(x509));
    if (!certificate.ok()) return certificate.status();
    certificates.push_back(std::move(*certificate));
  }
  // Running out of blocks ends the loop with "no start line"; any other error is a bad block.
  if (!certificates.empty() && NoStartLineLeft()) {
    DrainOpenSslErrors();
    return certificates;
  }
  return OpenSslFailure(kMalformedCertificate,
                        "certificate " + std::to_string(certificates.size() + 1) +
                            " of the PEM text is not a decodable \"CERTIFICATE\" block");
}

Result<std::string> CertificatesToPem(const std::vector<Certificate>& certificates) {
  std::string pem;
  for (const Certificate& certificate : certificates) {
    Result<std::string> block = certificate.ToPem();
    if (!block.ok()) return block.status();
    pem += *block;
  }
  return pem;
}

}  // namespace crossmesh::pki
