// PKCS#10 certificate signing requests: building one for a key, parsing one a client sent,
// checking its self-signature and reading what it asks for.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/csr_asn1.h"
#include "emulator/pki/ec_public_key.h"
#include "emulator/pki/keys.h"
#include "emulator/pki/openssl_handles.h"
#include "emulator/pki/subject.h"

namespace crossmesh::pki {

class Csr {
 public:
  // A CSR for `key` naming `subject`, signed by `key` with `signing`. Non-empty `dns_names`
  // become a requested subjectAltName extension. InvalidArgsException when `signing` does not
  // fit the key, or a subject field or DNS name is not valid.
  static Result<Csr> Create(const PrivateKey& key, const Subject& subject, SigningAlgorithm signing,
                            const std::vector<std::string>& dns_names = {});
  // A "CERTIFICATE REQUEST" PEM block. MalformedCSRException when it does not parse or its
  // public key cannot be decoded. Does not check the signature: see VerifySignature.
  static Result<Csr> FromPem(std::string_view pem);

  Result<std::string> ToPem() const;
  // OK when the CSR is signed by the private half of its own public key (proof of possession);
  // MalformedCSRException otherwise.
  Status VerifySignature() const;

  Subject subject() const;
  std::string subject_string() const;  // RFC 2253 form
  // The requested key. A named-curve EC key is kept as its point until asked for, since issuing
  // an end-entity certificate needs only its bytes.
  Result<PublicKey> public_key() const;
  // The SubjectPublicKeyInfo exactly as requested, for copying into a certificate unchanged.
  const X509_ALGOR* key_algorithm_identifier() const;
  const ASN1_BIT_STRING* key_bits() const;
  // The whole SubjectPublicKeyInfo as DER; empty when it cannot be encoded.
  std::string public_key_info_der() const;
  // The requested key's algorithm; InvalidArgsException for keys this emulator cannot issue for.
  Result<KeyAlgorithm> key_algorithm() const;
  // dNSName entries of a requested subjectAltName extension, in order; empty when none.
  std::vector<std::string> dns_names() const;

 private:
  Csr(CsrPartsPtr parts, std::optional<EcPublicKey> ec_key, std::optional<PublicKey> key)
      : parts_(std::move(parts)), ec_key_(std::move(ec_key)), key_(std::move(key)) {}
  static Result<Csr> FromDer(const unsigned char* der, long length);
  Result<PublicKey> DecodeKey() const;
  // The EC fast path of VerifySignature; nullopt when the CSR's algorithms are not for it.
  std::optional<bool> VerifiesAsEcdsa() const;

  CsrPartsPtr parts_;
  std::optional<EcPublicKey> ec_key_;  // a key on a named curve, checked on its curve at parse
  std::optional<PublicKey> key_;       // any other key, decoded at parse
};

}  // namespace crossmesh::pki
