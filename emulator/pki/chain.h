// Certificate path validation at a caller-chosen (virtual) time, with OpenSSL's verify error
// strings ("certificate has expired", "unable to get local issuer certificate") in the Status.
#pragma once

#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/asn1_time.h"
#include "emulator/pki/certificate.h"

namespace crossmesh::pki {

// Verifies `leaf` up to one of `trusted` as of `at`, with `intermediates` as untrusted helpers
// for building the path. OpenSSL's default checks apply (signatures, validity windows,
// basicConstraints CA and path lengths); no purpose, host or revocation check.
// On failure: CertificateMismatchException whose message holds OpenSSL's verify error string,
// the depth and subject of the failing certificate, and `at`.
Status VerifyCertificateChain(const Certificate& leaf,
                              const std::vector<Certificate>& intermediates,
                              const std::vector<Certificate>& trusted, TimePoint at);

// The ImportCertificateAuthorityCertificate check for a subordinate CA: `ca_certificate` must
// be a CA certificate, `chain` must start with its issuer and end with a self-signed root, and
// the whole path must verify as of `at`. CertificateMismatchException otherwise.
Status VerifySubordinateCaChain(const Certificate& ca_certificate,
                                const std::vector<Certificate>& chain, TimePoint at);

}  // namespace crossmesh::pki
