// PKCS#10 certificate signing requests: building one for a key, parsing one a client sent,
// checking its self-signature and reading what it asks for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/csr_asn1.h"
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
  PublicKey public_key() const { return key_; }
  // The SubjectPublicKeyInfo exactly as requested, for copying into a certificate unchanged.
  const X509_ALGOR* key_algorithm_identifier() const;
  const ASN1_BIT_STRING* key_bits() const;
  // The requested key's algorithm; InvalidArgsException for keys this emulator cannot issue for.
  Result<KeyAlgorithm> key_algorithm() const { return public_key().Algorithm(); }
  // dNSName entries of a requested subjectAltName extension, in order; empty when none.
  std::vector<std::string> dns_names() const;

 private:
  Csr(CsrPartsPtr parts, PublicKey key) : parts_(std::move(parts)), key_(std::move(key)) {}
  static Result<Csr> FromDer(const unsigned char* der, long length);

  CsrPartsPtr parts_;
  PublicKey key_;  // decoded once from parts_'s key info
};

}  // namespace crossmesh::pki
