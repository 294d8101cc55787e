// Getting a certificate signed for an ACM record: CSR from the record's key and names, the CA's
// signature through acmpca::IssueForAcm, and the issued certificate's fields read back into the
// record. Internal to the model; used for first issuance and for every renewal.
#pragma once

#include <string>
#include <string_view>

#include "emulator/acm/model/acm_types.h"
#include "emulator/acm/model/certificate_store.h"
#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/pki/keys.h"
#include "emulator/store/store.h"

namespace crossmesh::acm::internal {

struct IssueAttempt {
  bool issued = false;
  std::string failure_reason;  // a FailureReason value (PCA_INVALID_STATE, ...) when not issued
  std::string detail;          // the CA's message, for the log
};

// Asks the record's CA to sign a CSR for `key` naming the record's domain names, valid until
// now + kValidity. `ctx` acts as the certificate's account. On success fills the record's
// certificate, chain, key, serial, subject, issuer, algorithms, usages and validity (status and
// schedule are the caller's). A CA refusal is not an error of this function: it comes back as
// issued = false with the FailureReason ACM reports. Only store failures are errors.
Result<IssueAttempt> IssueForRecord(Store& store, const CallContext& ctx, CertificateRecord& record,
                                    const pki::PrivateKey& key);

// ACM's FailureReason for an ACM Private CA error code (AccessDeniedException ->
// PCA_ACCESS_DENIED, ...); "OTHER" for codes ACM has no name for.
std::string FailureReasonFor(std::string_view pca_error_code);

}  // namespace crossmesh::acm::internal
