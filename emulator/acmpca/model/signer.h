// Issuing with a CA: its parsed key and certificate (cached, because parsing a key costs as much
// as a signature), the shared issue-and-store step behind IssueCertificate and IssueForAcm, and
// the chain a certificate is returned with.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/acmpca/model/types.h"
#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/pki/certificate.h"
#include "emulator/pki/csr.h"
#include "emulator/pki/issuer.h"
#include "emulator/pki/keys.h"
#include "emulator/pki/prepared_ca.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca {

struct CaSigner {
  pki::PrivateKey key;
  std::optional<pki::Certificate> certificate;  // absent until one is imported
  // The certificate the entry was parsed with; a different one in the store means it is stale.
  std::string certificate_pem;
  // Per-certificate setup done once for this key and certificate; it goes stale with them.
  std::unique_ptr<pki::PreparedCa> prepared;
};

// The CA's signing material, parsed once per (CA, certificate) and shared.
Result<std::shared_ptr<const CaSigner>> LoadSigner(Store& store, const CaRecord& ca);

struct StoredCertificate {
  std::string arn;
  std::string pem;
  std::string serial_colon_hex;
  TimePoint not_before;
  TimePoint not_after;
};

struct IssueAndStoreInput {
  const pki::Csr* csr = nullptr;
  pki::IssueOptions options;
  std::string_view requester_account;
  std::string_view idempotency_token;
  std::string_view request_hash;
};

// Signs with `ca` and records the certificate under the CA. Logs "certificate issued".
Result<StoredCertificate> IssueAndStore(Store& store, const CaRecord& ca,
                                        const IssueAndStoreInput& input, TimePoint now);

// The chain that goes with a certificate `ca` issued: its certificate, then its own chain.
std::string IssuedChainPem(const CaRecord& ca);

// A whole-second time: certificates carry no fractions, and comparisons against them must not
// be thrown off by the milliseconds of the virtual clock.
TimePoint WholeSeconds(TimePoint time);

// The default NotBefore: an hour before `now`, as AWS Private CA backdates for clock skew, but
// never before the CA's own NotBefore.
TimePoint DefaultNotBefore(const CaRecord& ca, TimePoint now);

}  // namespace crossmesh::acmpca
