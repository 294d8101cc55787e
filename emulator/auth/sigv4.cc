#include "emulator/auth/sigv4.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

namespace crossmesh::auth {
namespace {

constexpr std::string_view kExpectedFormat =
    "Expected 'AWS4-HMAC-SHA256 Credential=<access key id>/<yyyymmdd>/<region>/<service>/"
    "aws4_request, SignedHeaders=<lowercase;names>, Signature=<64 lowercase hex digits>'.";

// OpenSSL handles are owned by unique_ptrs whose deleter calls the matching *_free.
template <auto kFree>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* handle) const {
    kFree(handle);
  }
};
using MacPtr = std::unique_ptr<EVP_MAC, OpenSslDeleter<EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OpenSslDeleter<EVP_MAC_CTX_free>>;

// A missing SHA-256 or HMAC means a broken OpenSSL install, not a bad request: no request
// could be verified, so stop loudly instead of failing every signature.
void CheckCrypto(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fatal: OpenSSL %s failed; check the libssl3 installation\n", what);
  std::abort();
}

EVP_MAC* HmacAlgorithm() {
  static const MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  CheckCrypto(mac != nullptr, "EVP_MAC_fetch(HMAC)");
  return mac.get();
}

std::string Hex(const unsigned char* bytes, size_t size) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return out;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Splits on sep, keeping empty pieces.
std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

// Trims the value and collapses each run of spaces or tabs inside it to one space, as botocore
// and the JS SDK do before signing.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (char c : Trim(value)) {
    if (IsSpace(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

Status Incomplete(std::string message) {
  return Error("IncompleteSignatureException", std::move(message));
}

Status ParseCredential(std::string_view credential, AuthorizationHeader& out) {
  std::vector<std::string_view> parts = Split(credential, '/');
  if (parts.size() != 5 || parts[0].empty() || parts[2].empty() || parts[3].empty()) {
    return Incomplete("Credential '" + std::string(credential) +
                      "' is malformed: it must be <access key id>/<yyyymmdd>/<region>/<service>/"
                      "aws4_request.");
  }
  if (parts[1].size() != 8 || !IsDigits(parts[1])) {
    return Incomplete("Credential scope date '" + std::string(parts[1]) +
                      "' must be the UTC date of X-Amz-Date as yyyymmdd, e.g. 20150830.");
  }
  if (parts[4] != kScopeTerminator) {
    return Incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                      std::string(parts[4]) + "'.");
  }
  out.access_key_id = parts[0];
  out.date = parts[1];
  out.region = parts[2];
  out.service = parts[3];
  return Status::Ok();
}

Status ParseSignedHeaders(std::string_view list, AuthorizationHeader& out) {
  for (std::string_view name : Split(list, ';')) {
    if (name.empty()) {
      return Incomplete("SignedHeaders '" + std::string(list) +
                        "' has an empty name: list lowercase header names separated by ';', "
                        "e.g. host;x-amz-date.");
    }
    out.signed_headers.emplace_back(name);
  }
  return Status::Ok();
}

Status CheckHostIsSigned(const AuthorizationHeader& auth) {
  for (const std::string& name : auth.signed_headers) {
    if (name == "host") return Status::Ok();
  }
  return Incomplete("SignedHeaders '" + Join(auth.signed_headers, ";") +
                    "' must include 'host': sign the Host header of the request.");
}

// Every x-amz-* header sent must be signed (as every SDK signs them): an unsigned X-Amz-Target
// would let anyone replay a captured request as another operation. One Authorization only.
Status CheckAmzHeadersSigned(const WireRequest& req, const AuthorizationHeader& auth) {
  int authorizations = 0;
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "authorization") ++authorizations;
    if (!lower.starts_with("x-amz-")) continue;
    const bool is_signed = std::find(auth.signed_headers.begin(), auth.signed_headers.end(),
                                     lower) != auth.signed_headers.end();
    if (!is_signed) {
      return Incomplete("SignedHeaders '" + Join(auth.signed_headers, ";") + "' leaves out '" +
                        lower + "': sign every x-amz-* header the request sends.");
    }
  }
  if (authorizations > 1) {
    return Incomplete("the request sends " + std::to_string(authorizations) +
                      " Authorization headers: send exactly one.");
  }
  return Status::Ok();
}

// Returns the X-Amz-Date value after checking its shape and that the scope date agrees.
Result<std::string> CheckAmzDate(const WireRequest& req, const AuthorizationHeader& auth) {
  const std::string* amz_date = req.Header("X-Amz-Date");
  if (amz_date == nullptr) {
    return Incomplete(
        "Authorization header requires existence of an 'X-Amz-Date' header: send the signing "
        "time as yyyymmddThhmmssZ in UTC, e.g. X-Amz-Date: 20150830T123600Z.");
  }
  if (!ParseAmzDate(*amz_date)) {
    return Incomplete("X-Amz-Date '" + *amz_date +
                      "' must be in ISO-8601 basic format yyyymmddThhmmssZ (UTC), e.g. "
                      "20150830T123600Z.");
  }
  if (amz_date->compare(0, 8, auth.date) != 0) {
    return Incomplete(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        auth.date + "' != '" + amz_date->substr(0, 8) + "', from '" + *amz_date +
        "'. Sign with the date part of X-Amz-Date in the credential scope.");
  }
  return *amz_date;
}

// Uses AWS's wording, e.g. "Signature expired: 20150830T123600Z is now earlier than
// 20150830T124601Z (20150830T130101Z - 15 min.)".
Status CheckClockSkew(std::string_view amz_date, std::chrono::system_clock::time_point wall_now) {
  const std::chrono::sys_seconds signed_at = *ParseAmzDate(amz_date);  // checked by the caller
  const auto now = std::chrono::floor<std::chrono::seconds>(wall_now);
  std::string relation;
  if (signed_at < now - kMaxClockSkew) {
    relation = "Signature expired: " + std::string(amz_date) + " is now earlier than " +
               FormatAmzDate(now - kMaxClockSkew) + " (" + FormatAmzDate(now) + " - 15 min.).";
  } else if (signed_at > now + kMaxClockSkew) {
    relation = "Signature not yet current: " + std::string(amz_date) + " is still later than " +
               FormatAmzDate(now + kMaxClockSkew) + " (" + FormatAmzDate(now) + " + 15 min.).";
  } else {
    return Status::Ok();
  }
  return Error("InvalidSignatureException",
               relation +
                   " Check that the clock of the signing client is within 15 minutes of this "
                   "host's clock.");
}

// The JS SDK sends x-amz-content-sha256; a value that is not the body's hash means the body
// changed after signing (or the client hashed something else).
Status CheckContentSha256(const WireRequest& req) {
  const std::string* claimed = req.Header("x-amz-content-sha256");
  if (claimed == nullptr) return Status::Ok();
  const std::string actual = HexSha256(req.body);
  if (*claimed == actual) return Status::Ok();
  return Error("InvalidSignatureException",
               "The x-amz-content-sha256 header '" + *claimed +
                   "' does not match the SHA-256 of the request body, '" + actual +
                   "'. Send the lowercase hex SHA-256 of the exact body bytes, or omit the "
                   "header.");
}

}  // namespace

Result<AuthorizationHeader> ParseAuthorizationHeader(std::string_view value) {
  value = Trim(value);
  const size_t space = value.find(' ');
  const std::string_view algorithm = value.substr(0, space);
  if (algorithm != kAlgorithm) {
    return Incomplete("Unsupported AWS 'algorithm': '" + std::string(algorithm) +
                      "'. Sign with SigV4. " + std::string(kExpectedFormat));
  }

  AuthorizationHeader auth;
  std::optional<std::string_view> credential, signed_headers, signature;
  const std::string_view rest = space == std::string_view::npos ? "" : value.substr(space + 1);
  for (std::string_view component : Split(rest, ',')) {
    component = Trim(component);
    if (component.empty()) continue;
    const size_t eq = component.find('=');
    const std::string_view name = component.substr(0, eq);
    std::optional<std::string_view>* slot = name == "Credential"      ? &credential
                                            : name == "SignedHeaders" ? &signed_headers
                                            : name == "Signature"     ? &signature
                                                                      : nullptr;
    if (eq == std::string_view::npos || slot == nullptr || slot->has_value()) {
      return Incomplete("Authorization header component '" + std::string(name) +
                        "' is unknown, repeated or has no '='. " + std::string(kExpectedFormat));
    }
    *slot = component.substr(eq + 1);
  }

  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!missing.empty()) return Incomplete(missing + std::string(kExpectedFormat));

  CM_RETURN_IF_ERROR(ParseCredential(*credential, auth));
  CM_RETURN_IF_ERROR(ParseSignedHeaders(*signed_headers, auth));
  if (signature->size() != 64 || !IsLowerHex(*signature)) {
    return Incomplete("Signature '" + std::string(*signature) +
                      "' must be 64 lowercase hex digits (the hex HMAC-SHA256 of the string to "
                      "sign).");
  }
  auth.signature = *signature;
  return auth;
}

std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service) {
  std::string scope;
  for (std::string_view part : {date, region, service}) {
    scope.append(part).push_back('/');
  }
  return scope.append(kScopeTerminator);
}

std::string UriEncode(std::string_view bytes, bool keep_slash) {
  constexpr std::string_view kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0f]);
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view raw_path) {
  // Resolve "." and ".." and drop empty segments, as botocore's remove_dot_segments and the
  // JS SDK's getCanonicalPath do; the request target itself is left untouched.
  std::vector<std::string_view> segments;
  for (std::string_view segment : Split(raw_path, '/')) {
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
  }

  std::string path = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) path.push_back('/');
    path.append(segments[i]);
  }
  if (!segments.empty() && raw_path.back() == '/') path.push_back('/');

  // The path is still percent-encoded as received; encoding it again is the non-S3 rule.
  return UriEncode(path, /*keep_slash=*/true);
}

std::string CanonicalQueryString(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::string_view pair : Split(raw_query, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    pairs.emplace_back(UriEncode(PercentDecode(key), false),
                       UriEncode(PercentDecode(value), false));
  }
  std::sort(pairs.begin(), pairs.end());

  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out.append(key).append("=").append(value);
  }
  return out;
}

std::string HexSha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  CheckCrypto(
      EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) == 1,
      "SHA-256");
  return Hex(digest.data(), size);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(HmacAlgorithm()));
  CheckCrypto(ctx != nullptr, "EVP_MAC_CTX_new");

  std::string digest_name = "SHA256";  // OSSL_PARAM wants a mutable buffer
  const std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_end()};
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  size_t size = 0;
  const bool ok = EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()),
                               key.size(), params.data()) == 1 &&
                  EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                                 data.size()) == 1 &&
                  EVP_MAC_final(ctx.get(), mac.data(), &size, mac.size()) == 1;
  CheckCrypto(ok, "HMAC-SHA256");
  return {reinterpret_cast<const char*>(mac.data()), size};
}

Result<std::string> CanonicalRequest(const WireRequest& req,
                                     const std::vector<std::string>& signed_headers) {
  std::string headers;
  for (const std::string& name : signed_headers) {
    std::vector<std::string> values;
    for (const auto& [key, value] : req.headers) {
      if (HeaderNameEquals(key, name)) values.push_back(CanonicalHeaderValue(value));
    }
    if (values.empty()) {
      return Incomplete("Header '" + name +
                        "' is listed in SignedHeaders but the request does not send it. Send "
                        "every header you sign, or leave it out of SignedHeaders.");
    }
    headers.append(name).append(":").append(Join(values, ",")).append("\n");
  }

  std::string text;
  text.append(req.method).append("\n");
  text.append(CanonicalUri(req.path)).append("\n");
  text.append(CanonicalQueryString(req.query)).append("\n");
  text.append(headers).append("\n");
  text.append(Join(signed_headers, ";")).append("\n");
  text.append(HexSha256(req.body));
  return text;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request_text) {
  std::string text(kAlgorithm);
  text.append("\n").append(amz_date).append("\n").append(scope).append("\n");
  return text.append(HexSha256(canonical_request_text));
}

std::string SigningSignature(std::string_view secret, std::string_view date,
                             std::string_view region, std::string_view service,
                             std::string_view string_to_sign) {
  std::string key = "AWS4";
  key.append(secret);
  for (std::string_view step : {date, region, service, kScopeTerminator}) {
    key = HmacSha256(key, step);
  }
  const std::string mac = HmacSha256(key, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string FormatAmzDate(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd(day);
  const hh_mm_ss hms(secs - day);
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf.data();
}

std::optional<std::chrono::sys_seconds> ParseAmzDate(std::string_view amz_date) {
  using namespace std::chrono;
  if (amz_date.size() != 16 || amz_date[8] != 'T' || amz_date[15] != 'Z' ||
      !IsDigits(amz_date.substr(0, 8)) || !IsDigits(amz_date.substr(9, 6))) {
    return std::nullopt;
  }
  auto number = [&](size_t pos, size_t len) {
    int n = 0;
    for (char c : amz_date.substr(pos, len)) n = n * 10 + (c - '0');
    return n;
  };
  const year_month_day ymd(year(number(0, 4)), month(static_cast<unsigned>(number(4, 2))),
                           day(static_cast<unsigned>(number(6, 2))));
  const int hour = number(9, 2), minute = number(11, 2), second = number(13, 2);
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second);
}

Result<VerifiedRequest> Verify(const WireRequest& req, const SecretLookup& secret_for,
                               std::chrono::system_clock::time_point wall_now) {
  const std::string* header = req.Header("Authorization");
  if (header == nullptr) {
    return Error("MissingAuthenticationTokenException",
                 "Missing Authentication Token: the request has no Authorization header. Sign it "
                 "with SigV4 (AWS4-HMAC-SHA256), e.g. configure credentials for the AWS CLI or "
                 "SDK instead of using --no-sign-request.");
  }
  Result<AuthorizationHeader> auth = ParseAuthorizationHeader(*header);
  if (!auth.ok()) return auth.status();
  CM_RETURN_IF_ERROR(CheckHostIsSigned(*auth));
  CM_RETURN_IF_ERROR(CheckAmzHeadersSigned(req, *auth));
  Result<std::string> amz_date = CheckAmzDate(req, *auth);
  if (!amz_date.ok()) return amz_date.status();
  Result<std::string> canonical = CanonicalRequest(req, auth->signed_headers);
  if (!canonical.ok()) return canonical.status();

  const std::optional<std::string> secret = secret_for(auth->access_key_id);
  if (!secret) {
    return Error("UnrecognizedClientException",
                 "The security token included in the request is invalid. Access key id '" +
                     auth->access_key_id +
                     "' is not known to this emulator; use one of the access keys it was "
                     "configured with.");
  }
  CM_RETURN_IF_ERROR(CheckClockSkew(*amz_date, wall_now));
  CM_RETURN_IF_ERROR(CheckContentSha256(req));

  const std::string scope = CredentialScope(auth->date, auth->region, auth->service);
  const std::string string_to_sign = StringToSign(*amz_date, scope, *canonical);
  const std::string expected =
      SigningSignature(*secret, auth->date, auth->region, auth->service, string_to_sign);
  if (!ConstantTimeEquals(expected, auth->signature)) {
    // Like AWS, show what was signed here (nothing secret) so a client author can diff it.
    return Error("InvalidSignatureException",
                 "The request signature we calculated does not match the signature you "
                 "provided. Check your AWS Secret Access Key and signing method. Consult the "
                 "service documentation for details.\n\nThe Canonical String for this request "
                 "should have been\n'" +
                     *canonical + "'\n\nThe String-to-Sign should have been\n'" + string_to_sign +
                     "'\n");
  }
  return VerifiedRequest{auth->access_key_id, auth->region, auth->service, *amz_date};
}

}  // namespace crossmesh::auth
