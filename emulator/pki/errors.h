// The AWS error codes pki failures carry, so the ACM-PCA and ACM layers can pass a failed
// Status through unchanged (or re-code it where their API names the error differently).
#pragma once

namespace crossmesh::pki {

// The CSR is not PEM, not a CSR, or its self-signature does not verify.
inline constexpr const char* kMalformedCsr = "MalformedCSRException";
// The certificate text is not a PEM X.509 certificate.
inline constexpr const char* kMalformedCertificate = "MalformedCertificateException";
// A certificate does not match the key or the chain it is supposed to go with.
inline constexpr const char* kCertificateMismatch = "CertificateMismatchException";
// A caller-supplied value (algorithm, subject field, validity, template) is not acceptable.
inline constexpr const char* kInvalidArgs = "InvalidArgsException";
// OpenSSL failed where the input was fine (out of memory, broken provider): not the user's fault.
inline constexpr const char* kRequestFailed = "RequestFailedException";

}  // namespace crossmesh::pki
