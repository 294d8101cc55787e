// Decoding a SubjectPublicKeyInfo into a key, without OpenSSL 3.0's per-call setup cost.
//
// OpenSSL 3.0 assembles a fresh decoder chain for every public key it decodes (d2i_PUBKEY,
// d2i_X509, d2i_X509_REQ), and a fresh curve for every EC key; each costs more than an ECDSA
// verification. Here an EC key on a named curve is a copy of a per-thread parameters-only key
// for that curve with the point set on it (OpenSSL checks the point is on the curve, as the
// decoder does); any other key goes through a decoder kept per thread and key type.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <span>

#include "emulator/core/status.h"
#include "emulator/pki/keys.h"

namespace crossmesh::pki {

// The key of a SubjectPublicKeyInfo: `der` is its whole encoding, `algorithm` and `key_bits` its
// two fields. A failure carries `failure_code` and OpenSSL's reason.
Result<PublicKey> DecodeSubjectPublicKeyInfo(std::span<const uint8_t> der,
                                             const X509_ALGOR* algorithm,
                                             std::span<const uint8_t> key_bits,
                                             const char* failure_code);

// The named curve (NID) of an id-ecPublicKey algorithm when it is prime256v1, secp384r1 or
// secp521r1; NID_undef for anything else.
int NamedCurveOf(const X509_ALGOR* algorithm);

}  // namespace crossmesh::pki
