// SigV4 verification: decides whether a WireRequest was signed by a known access key.
//
// Follows AWS Signature Version 4 with the non-S3 rules (path normalized and URI-encoded a
// second time), as both awscli (botocore) and the AWS SDK for JavaScript v3 sign; see
// /work/shared/reference/aws-wire-protocols.md section 2. The building blocks (canonical URI,
// query, request, string to sign, signature) are public so that tests can check each step
// against the published aws-sig-v4-test-suite, and so the client-side signer (signer.h) shares
// them with the verifier.
//
// Verify() reports failures with the AWS error codes the wire layer renders per protocol:
//   MissingAuthenticationTokenException  no Authorization header
//   IncompleteSignatureException         Authorization or X-Amz-Date malformed or inconsistent
//   UnrecognizedClientException          access key id unknown
//   InvalidSignatureException            signature mismatch, body hash mismatch, clock skew
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/protocol/wire.h"

namespace crossmesh::auth {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kScopeTerminator = "aws4_request";
// AWS accepts a request whose X-Amz-Date is at most this far from its own clock, either way.
inline constexpr std::chrono::minutes kMaxClockSkew{15};

// The parsed value of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...` header.
struct AuthorizationHeader {
  std::string access_key_id;
  std::string date;  // yyyymmdd, from the credential scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // exactly as listed, in the listed order
  std::string signature;                    // 64 lowercase hex digits
};

// Parses the header value. Components may come in any order, separated by ',' with optional
// spaces. Fails with IncompleteSignatureException naming the missing or malformed part.
Result<AuthorizationHeader> ParseAuthorizationHeader(std::string_view value);

// The credential scope `<yyyymmdd>/<region>/<service>/aws4_request`.
std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service);

// RFC 3986 percent-encoding of every byte except A-Z a-z 0-9 - _ . ~ (and '/' when
// keep_slash), with uppercase hex.
std::string UriEncode(std::string_view bytes, bool keep_slash);

// Decodes %XX escapes; '+' stays '+' and a malformed escape is kept literally.
std::string PercentDecode(std::string_view text);

// The canonical URI of a raw (still percent-encoded) request path: "." and ".." segments
// resolved, empty segments dropped, then every byte URI-encoded again except '/', so
// "/meshes/m%20x" becomes "/meshes/m%2520x". An empty path is "/".
std::string CanonicalUri(std::string_view raw_path);

// The canonical query of a raw query string (no leading '?'): each `k=v` pair decoded and
// re-encoded with UriEncode, sorted by key then value, joined with '&'. A pair without '='
// gives `k=`; empty pairs are dropped.
std::string CanonicalQueryString(std::string_view raw_query);

// Lowercase hex of SHA-256(data).
std::string HexSha256(std::string_view data);

// Raw 32-byte HMAC-SHA256(key, data).
std::string HmacSha256(std::string_view key, std::string_view data);

// The canonical request text. Each name in signed_headers is canonicalized in the given order
// from every request header of that name (case-insensitive): values trimmed, inner whitespace
// runs collapsed to one space, repeated headers joined with ','. Fails with
// IncompleteSignatureException when a signed header is absent from the request.
Result<std::string> CanonicalRequest(const WireRequest& req,
                                     const std::vector<std::string>& signed_headers);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical request>".
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request_text);

// Lowercase hex HMAC of string_to_sign under the key derived from secret, date (yyyymmdd),
// region and service.
std::string SigningSignature(std::string_view secret, std::string_view date,
                             std::string_view region, std::string_view service,
                             std::string_view string_to_sign);

// Compares in time that depends only on the lengths, not on where the contents differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Formats a time as ISO-8601 basic UTC, "20150830T123600Z" (seconds truncated).
std::string FormatAmzDate(std::chrono::system_clock::time_point t);

// Parses "yyyymmddThhmmssZ"; nullopt when the text is not exactly that shape or not a valid
// date.
std::optional<std::chrono::sys_seconds> ParseAmzDate(std::string_view amz_date);

// Who signed a request that passed Verify().
struct VerifiedRequest {
  std::string access_key_id;
  std::string region;   // from the credential scope
  std::string service;  // from the credential scope
  std::string amz_date;
};

// Returns the secret for a known access key id, or nullopt. Must not log the secret.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key_id)>;

// Verifies the SigV4 Authorization header of req against the secret of its access key, the
// body, and wall_now (allowing kMaxClockSkew either way). The scope's region and service are
// reported, not checked: the dispatcher decides which services it routes.
Result<VerifiedRequest> Verify(const WireRequest& req, const SecretLookup& secret_for,
                               std::chrono::system_clock::time_point wall_now);

}  // namespace crossmesh::auth
