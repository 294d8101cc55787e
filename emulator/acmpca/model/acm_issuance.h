// The in-process interface ACM uses to get private certificates from ACM Private CA, to check
// whether managed renewal may use a CA, and to read a CA's certificate for trust bundles.
//
// All three run inside the caller's transaction (an ACM API call or timed event) and go through
// the same Authorize seam as the ACM-PCA API, so RAM sharing extends them without changes here.
#pragma once

#include <string>
#include <string_view>

#include "emulator/core/call_context.h"
#include "emulator/core/clock.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca {

struct IssuedForAcm {
  std::string certificate_pem;
  std::string chain_pem;  // the CA's certificate, then its own chain up to the root
  std::string serial;     // colon hex
  TimePoint not_before, not_after;
};

// Issues an end-entity certificate (EndEntityCertificate/V1) for the CSR from CA `ca_arn`, on
// behalf of ctx.account (the requester, who may be another account), valid until
// min(wanted_not_after, CA notAfter), NotBefore = ctx.now - 60 min. Goes through the same
// Authorize seam with action "IssueCertificate". An empty `signing_algorithm` means the CA's
// configured one. Fails with ResourceNotFoundException, InvalidStateException,
// AccessDeniedException, InvalidArgsException (and MalformedCSRException for a bad CSR).
Result<IssuedForAcm> IssueForAcm(Store& store, const CallContext& ctx, std::string_view ca_arn,
                                 std::string_view csr_pem, TimePoint wanted_not_after,
                                 std::string_view signing_algorithm = "");

// Whether ACM (acm.amazonaws.com) may renew for `requester_account` from this CA: same account
// -> a CreatePermission granting IssueCertificate+GetCertificate+ListPermissions to
// acm.amazonaws.com exists; another account -> the CA is shared with it through RAM (Authorize
// grants it IssueCertificate and GetCertificate; ACM checks its own service-linked role), else
// AccessDeniedException. The Status message says what is missing.
Status AcmMayRenew(Store& store, std::string_view ca_arn, std::string_view requester_account);

// The CA certificate chain PEM (for trust bundles): the CA's certificate followed by its
// imported chain. InvalidStateException while the CA has no certificate.
Result<std::string> CaCertificatePem(Store& store, std::string_view ca_arn);

}  // namespace crossmesh::acmpca
