// End-entity certificates assembled as DER and signed, without OpenSSL's X509 builder.
//
// Building an X509 object encodes every field of every certificate through OpenSSL's ASN.1
// templates, once to sign and once more to write it out; for a leaf that costs more than the
// CA's signature. Almost all of a leaf is known before the request: the issuer name, the
// signature algorithm, the template's extensions and the authorityKeyIdentifier are encoded once
// per CA (PreparedCa) or template. What varies is encoded here with OpenSSL's encoders (names,
// times, the key identifier and subjectAltName extensions) and joined with hand-written TLVs.
// The result is byte for byte the TBSCertificate issuer.cc's X509 path writes (tested).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/asn1_time.h"
#include "emulator/pki/prepared_ca.h"

namespace crossmesh::pki {

struct LeafParts {
  std::span<const uint8_t> serial;  // big-endian magnitude, not all zero
  TimePoint not_before;
  TimePoint not_after;
  std::string subject_name_der;
  std::string public_key_info_der;    // SubjectPublicKeyInfo, exactly as requested
  std::span<const uint8_t> key_bits;  // its subjectPublicKey, for the key identifier
  std::string fixed_extensions_der;   // the template's extensions, each a DER Extension
  std::vector<std::string> dns_names;
  bool dns_names_critical = false;
};

// The signed certificate's DER: extensions in the order fixed, subjectKeyIdentifier,
// authorityKeyIdentifier, subjectAltName (when there are DNS names). `ca` must have a
// certificate.
Result<std::string> SignLeaf(const PreparedCa& ca, SigningAlgorithm algorithm,
                             const LeafParts& parts);

}  // namespace crossmesh::pki
