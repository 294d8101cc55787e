// Digest-signing contexts for a SigningAlgorithm, shared by CSR and certificate signing so that
// the RSA-PSS parameters are set up in one place.
#pragma once

#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/keys.h"
#include "emulator/pki/openssl_handles.h"

namespace crossmesh::pki {

// A context ready for X509_sign_ctx / X509_REQ_sign_ctx. InvalidArgsException when `algorithm`
// does not fit the key. *_PSS algorithms use MGF1 with the same digest and a salt as long as the
// digest (RFC 4055 section 3.1 recommendation, as AWS Private CA does).
Result<EvpMdCtxPtr> NewSigningContext(const PrivateKey& key, SigningAlgorithm algorithm);

}  // namespace crossmesh::pki
