// Rows of the ACM Private CA tables: the schema, ARN parsing, and reading and writing CA records.
// Internal to the model; the operations in acmpca_model.h are the public surface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/acmpca/model/types.h"
#include "emulator/core/arn.h"
#include "emulator/core/clock.h"
#include "emulator/core/resource_catalog.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca {

// Creates or upgrades the acmpca_* tables. Runs its own transactions: call it at start-up, never
// inside an API call.
Status MigrateSchema(Store& store);

// The parts of "arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/UUID".
struct CaArn {
  std::string region;
  std::string account;
  std::string id;
  std::string arn;
};
// InvalidArnException naming the ARN and what is wrong with it.
Result<CaArn> ParseCaArn(std::string_view text);
std::string MakeCaArn(std::string_view region, std::string_view account, std::string_view id);

// "...:certificate-authority/UUID/certificate/32HEX": the CA's parts and the certificate id.
struct CertificateArn {
  CaArn ca;
  std::string id;
};
Result<CertificateArn> ParseCertificateArn(std::string_view text);
std::string MakeCertificateArn(std::string_view ca_arn, std::string_view id);

// ResourceNotFoundException when no CA has that ARN (including ARNs of accounts the emulator
// does not know, which own no rows).
Result<CaRecord> LoadCa(Store& store, const CaArn& arn);

// The CA's private key, PKCS#8 PEM. Only the signing path calls this.
Result<std::string> LoadCaPrivateKeyPem(Store& store, const CaRecord& ca);

struct NewCaRow {
  const CaRecord* record = nullptr;
  std::string_view private_key_pem;
  std::string_view idempotency_token;
  std::string_view request_hash;
};
Status InsertCa(Store& store, const NewCaRow& row);

// Writes every mutable column of `ca` (status, certificate, chain, times, revocation, policy).
Status SaveCa(Store& store, const CaRecord& ca);

// The ResourceCatalog lookup for "acm-pca" ARNs, so RAM can share CAs: type
// "acm-pca:CertificateAuthority" and the owner, or nullopt when there is no such CA (or it is
// DELETED).
Result<std::optional<ResourceInfo>> FindCaResource(Store& store, const Arn& arn);

// Removes a CA with its certificates, permissions and tags.
Status DeleteCaRows(Store& store, const CaRecord& ca);

// The ARN of a CA the same account created in `region` with the same token and request at or
// after `since`; empty when there is none.
Result<std::string> FindCaByIdempotencyToken(Store& store, std::string_view account,
                                             std::string_view region, std::string_view token,
                                             std::string_view request_hash, TimePoint since);

// CAs in `region`, oldest first: those of `account`, or (others = true) those of every other
// account.
Result<std::vector<CaRecord>> ListCaRecords(Store& store, std::string_view region,
                                            std::string_view account, bool others);

// Paging over an in-memory list with an opaque NextToken: an offset, tied to `listing` (the
// operation, the caller and what it lists), so that a token from another list, caller or
// filter is InvalidNextTokenException, as is one never produced here.
struct PageWindow {
  size_t begin = 0;
  size_t end = 0;
  std::string next_token;
};
Result<PageWindow> PageOf(size_t total, const Page& page, size_t default_page_size,
                          std::string_view listing);

}  // namespace crossmesh::acmpca
