#include "emulator/pki/csr_asn1.h"

#include <openssl/asn1t.h>

namespace crossmesh::pki {
namespace {

// The templates mirror RFC 2986's module; attributes are [0] IMPLICIT SET OF Attribute.
// OpenSSL's template macros read as declarations only in their own layout, so no reflowing.
// clang-format off
ASN1_SEQUENCE(CsrKeyInfo) = {
    ASN1_SIMPLE(CsrKeyInfo, algorithm, X509_ALGOR),
    ASN1_SIMPLE(CsrKeyInfo, key, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(CsrKeyInfo)

ASN1_SEQUENCE_enc(CsrInfo, encoding, nullptr) = {
    ASN1_SIMPLE(CsrInfo, version, ASN1_INTEGER),
    ASN1_SIMPLE(CsrInfo, subject, X509_NAME),
    ASN1_SIMPLE(CsrInfo, key_info, CsrKeyInfo),
    ASN1_IMP_SET_OF(CsrInfo, attributes, X509_ATTRIBUTE, 0),
} ASN1_SEQUENCE_END_enc(CsrInfo, CsrInfo)

ASN1_SEQUENCE(CsrParts) = {
    ASN1_SIMPLE(CsrParts, info, CsrInfo),
    ASN1_SIMPLE(CsrParts, signature_algorithm, X509_ALGOR),
    ASN1_SIMPLE(CsrParts, signature, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(CsrParts)
// clang-format on

}  // namespace

const ASN1_ITEM* CsrPartsItem() { return ASN1_ITEM_rptr(CsrParts); }
const ASN1_ITEM* CsrInfoItem() { return ASN1_ITEM_rptr(CsrInfo); }
const ASN1_ITEM* CsrKeyInfoItem() { return ASN1_ITEM_rptr(CsrKeyInfo); }

}  // namespace crossmesh::pki
