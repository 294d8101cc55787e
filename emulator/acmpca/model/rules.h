// Rules shared by several ACM-PCA operations: which CA states allow an action, and the checks on
// revocation configurations and tags.
#pragma once

#include <initializer_list>
#include <string_view>
#include <vector>

#include "emulator/acmpca/model/types.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca {

// OK when `ca` is in one of `allowed`; InvalidStateException naming the CA, its state, the
// action and the states it needs, followed by `hint` when given.
Status RequireState(const CaRecord& ca, std::string_view action,
                    std::initializer_list<CaStatus> allowed, std::string_view hint = {});

// InvalidArgsException for an enabled CRL without an S3 bucket, and CNAMEs written as URLs.
// Fields of a disabled configuration are not checked (the service ignores them, and the
// walkthrough's revoke_config.txt relies on that).
Status CheckRevocationConfiguration(const RevocationConfiguration& revocation);

// InvalidTagException for keys in the reserved "aws:" namespace or with characters the API's
// TagKey / TagValue patterns do not allow.
Status CheckTags(const std::vector<Tag>& tags);

// Adds or replaces `tags` on `ca`. TooManyTagsException when the CA would carry more than 50.
Status UpsertTags(Store& store, const CaRecord& ca, const std::vector<Tag>& tags);

inline constexpr size_t kMaxTags = 50;

// The service principal ACM uses for permissions and for renewals it asks a CA for.
inline constexpr std::string_view kAcmPrincipal = "acm.amazonaws.com";

}  // namespace crossmesh::acmpca
