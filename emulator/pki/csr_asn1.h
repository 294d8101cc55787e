// The PKCS#10 request (RFC 2986 section 4) as plain ASN.1 parts, read without decoding the public
// key. OpenSSL 3.0's X509_REQ decodes the key through its decoder framework on every parse, which
// costs more than checking the request's signature; these parts keep the key as its DER bits, so
// the caller decodes it once, cheaply (see public_key_decoder.h).
#pragma once

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "emulator/pki/openssl_handles.h"

namespace crossmesh::pki {

// SubjectPublicKeyInfo, undecoded.
struct CsrKeyInfo {
  X509_ALGOR* algorithm;
  ASN1_BIT_STRING* key;
};

// CertificationRequestInfo. `encoding` keeps the bytes as received, so the signature is checked
// over exactly what the requester signed.
struct CsrInfo {
  ASN1_INTEGER* version;
  X509_NAME* subject;
  CsrKeyInfo* key_info;
  STACK_OF(X509_ATTRIBUTE) * attributes;
  ASN1_ENCODING encoding;
};

// CertificationRequest.
struct CsrParts {
  CsrInfo* info;
  X509_ALGOR* signature_algorithm;
  ASN1_BIT_STRING* signature;
};

const ASN1_ITEM* CsrPartsItem();
const ASN1_ITEM* CsrInfoItem();
const ASN1_ITEM* CsrKeyInfoItem();

inline void FreeCsrParts(CsrParts* parts) {
  ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(parts), CsrPartsItem());
}
using CsrPartsPtr = OpenSslPtr<CsrParts, FreeCsrParts>;

}  // namespace crossmesh::pki
