// What other parts of crossmesh need from ACM, in-process and without HTTP:
//
//  - InUseBy: App Mesh records which resources use a certificate. A certificate in use is
//    eligible for managed renewal and cannot be deleted (ResourceInUseException).
//  - Material: the data path (the xDS role) reads a certificate, its chain and its private key
//    to configure the sidecars, as App Mesh's Envoy gets them from ACM.
//  - Changes: every issuance, renewal, failed renewal, expiry and deletion is appended to a
//    change log in the same transaction as the change itself, so a reader sees a change exactly
//    when it has committed. Read it with CertificateChangesSince after each API call or clock
//    advance (inside Emulator::Call), then act on the changes outside the emulator's lock.
//
// All functions run inside the caller's transaction (Emulator::Call) and never begin or commit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/clock.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::acm {

// Records that `user_arn` (a virtual node, a virtual gateway) uses the certificate. Adding the
// same user twice is a no-op. ResourceNotFoundException when the certificate does not exist.
Status AddCertificateUser(Store& store, std::string_view certificate_arn,
                          std::string_view user_arn);
// Forgets one user; a user that was not recorded is a no-op. ResourceNotFoundException when the
// certificate does not exist.
Status RemoveCertificateUser(Store& store, std::string_view certificate_arn,
                             std::string_view user_arn);
// Every recorded user, sorted. Empty for an unknown certificate.
Result<std::vector<std::string>> CertificateUsers(Store& store, std::string_view certificate_arn);

// A certificate as the data path needs it. The private key is unencrypted PKCS#8 PEM: keep it in
// memory, never log it.
struct CertificateMaterial {
  std::string certificate_arn;
  std::string account;  // the owning account id
  std::string region;
  std::string status;  // ISSUED, EXPIRED, ...
  std::string serial;
  std::string certificate_pem;
  std::string certificate_chain_pem;
  std::string private_key_pem;
  TimePoint not_before;
  TimePoint not_after;
};

// The current certificate and key behind `certificate_arn`. ResourceNotFoundException when it
// does not exist; RequestInProgressException while it is PENDING_VALIDATION; InvalidStateException
// when it never got a certificate (FAILED, VALIDATION_TIMED_OUT). No account check: the caller
// decides who may use it (App Mesh: the node's own account, `account` above).
Result<CertificateMaterial> GetCertificateMaterial(Store& store, std::string_view certificate_arn);

enum class ChangeKind {
  kIssued,              // PENDING_VALIDATION -> ISSUED
  kIssueFailed,         // PENDING_VALIDATION -> FAILED
  kValidationTimedOut,  // a public request that was never validated
  kRenewed,             // same ARN, new key, serial and validity
  kRenewalFailed,       // RenewalSummary FAILED; the old certificate stays until it expires
  kExpired,             // ISSUED -> EXPIRED
  kDeleted,             // DeleteCertificate
};
std::string_view ChangeKindName(ChangeKind kind);  // "ISSUED", "RENEWED", ...

struct CertificateChange {
  int64_t sequence = 0;  // strictly increasing; pass the last one seen to the next read
  std::string certificate_arn;
  std::string account;
  ChangeKind kind = ChangeKind::kIssued;
  std::string serial;  // the certificate's serial after the change; empty when it has none
  std::string reason;  // FailureReason / RenewalStatusReason for the failure kinds
  TimePoint at;        // virtual time of the change
};

// Changes with sequence > `after_sequence`, oldest first, at most `limit`.
Result<std::vector<CertificateChange>> CertificateChangesSince(Store& store, int64_t after_sequence,
                                                               size_t limit = 1000);

}  // namespace crossmesh::acm
