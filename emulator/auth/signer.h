// Client-side SigV4 signing of a WireRequest, for crossmesh's own CLI tools and tests.
//
// Produces the same Authorization header shapes as the real clients (reference doc section 2):
// botocore signs content-type;host;x-amz-date[;x-amz-target], and the AWS SDK for JavaScript
// v3 also sends and signs x-amz-content-sha256. The canonicalization is shared with the
// verifier (sigv4.h), so a request signed here verifies there.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/protocol/wire.h"

namespace crossmesh::auth {

struct SigningCredentials {
  std::string access_key_id;
  std::string secret_access_key;
};

// The Authorization header value for req signed over exactly signed_headers (lowercase names,
// sorted, each present in req), using the X-Amz-Date already set on req. Fails with
// IncompleteSignatureException when X-Amz-Date or a listed header is missing.
Result<std::string> AuthorizationFor(const WireRequest& req, const SigningCredentials& creds,
                                     std::string_view region, std::string_view service,
                                     const std::vector<std::string>& signed_headers);

// Signs req in place the way botocore does: sets X-Amz-Date from now, sets Host from
// host_header when req has none, and sets Authorization over host;x-amz-date plus content-type
// and x-amz-target when present. With include_content_sha256 it also sets and signs
// x-amz-content-sha256 (the hex SHA-256 of the body), like the JS SDK.
// Fails with IncompleteSignatureException, leaving Authorization unset, when req has no Host
// header and host_header is empty.
Status SignRequest(WireRequest& req, const SigningCredentials& creds, std::string_view region,
                   std::string_view service, std::chrono::system_clock::time_point now,
                   bool include_content_sha256 = false, std::string_view host_header = {});

}  // namespace crossmesh::auth
