// Signing certificates: a CA key (and, except for a root signing itself, the CA certificate)
// turns a CSR or a public key into an X.509 v3 certificate shaped by a CertificateTemplate.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/asn1_time.h"
#include "emulator/pki/certificate.h"
#include "emulator/pki/certificate_template.h"
#include "emulator/pki/csr.h"
#include "emulator/pki/keys.h"
#include "emulator/pki/prepared_ca.h"
#include "emulator/pki/subject.h"

namespace crossmesh::pki {

// The CA that signs. Both pointers are borrowed for the duration of the call.
struct SigningCa {
  const PrivateKey* key = nullptr;
  // The CA's certificate, the issuer of what is signed. Unused (may be null) for
  // RootCACertificate/V1, which always produces a certificate self-signed by `key`.
  const Certificate* certificate = nullptr;
  // Optional: the same key and certificate prepared once (PreparedCa::Create), so that signing
  // many certificates skips the per-certificate setup. Borrowed like the others.
  const PreparedCa* prepared = nullptr;
};

struct IssueOptions {
  CertificateTemplate certificate_template = CertificateTemplate::kEndEntityV1;
  SigningAlgorithm signing_algorithm = SigningAlgorithm::kSha256WithRsa;
  // The validity window, exactly as given (whole seconds). The caller owns the clock, so any
  // backdating (AWS Private CA backdates NotBefore by an hour) is the caller's choice.
  TimePoint not_before;
  TimePoint not_after;
  // nullopt: copy the DNS names the CSR requests. A value, even empty, replaces them.
  std::optional<std::vector<std::string>> dns_names;
  // The serial's big-endian magnitude; empty: RandomSerial(). A caller that stores certificates
  // by serial picks it (see acmpca's certificate rows); it must be positive and at most 20
  // bytes (RFC 5280 4.1.2.2), and carry the 64 random bits CAs put in serials.
  std::vector<uint8_t> serial;
};

// Issues a certificate for the CSR's key and subject. The CSR's self-signature must verify
// (MalformedCSRException) and its key must be a supported algorithm (MalformedCSRException).
// The rules of IssueForPublicKey apply.
Result<Certificate> IssueFromCsr(const Csr& csr, const SigningCa& ca, const IssueOptions& options);

// IssueFromCsr's certificate as DER, with the same checks. An end-entity certificate from a CA
// with a PreparedCa and a certificate is assembled by leaf_encoder.h (the same bytes, at a
// fraction of the cost); any other is IssueFromCsr's, encoded.
Result<std::string> IssueDerFromCsr(const Csr& csr, const SigningCa& ca,
                                    const IssueOptions& options);

// Issues a certificate for `subject_key` naming `subject`, with `options.serial` (by default a
// random positive 16-byte serial) and the template's extensions:
//   EndEntityCertificate/V1    basicConstraints critical CA:FALSE; keyUsage critical
//                              digitalSignature, keyEncipherment; EKU serverAuth, clientAuth;
//                              SKI; AKI
//   RootCACertificate/V1       basicConstraints critical CA:TRUE; keyUsage critical
//                              digitalSignature, keyCertSign, cRLSign; SKI
//   SubordinateCACertificate_PathLen<N>/V1   as root, plus pathlen:N and AKI
// plus subjectAltName with `options.dns_names` (critical when the subject is empty).
// InvalidArgsException when: the signing algorithm does not fit the CA key; not_after is not
// after not_before; the window ends after the CA certificate's; the CA certificate is not a CA
// or its path length forbids the template; a root template is asked for a key other than the
// CA's own; a non-root template has no CA certificate; the certificate would name nobody.
// CertificateMismatchException when the CA certificate does not carry the CA key.
Result<Certificate> IssueForPublicKey(const PublicKey& subject_key, const Subject& subject,
                                      const SigningCa& ca, const IssueOptions& options);

// 16 random bytes with the top bit clear and the next bit set: always positive, always
// encoded in exactly 16 bytes, 126 bits of entropy (RFC 5280 4.1.2.2 allows up to 20 octets).
Result<std::vector<uint8_t>> RandomSerial();

}  // namespace crossmesh::pki
