#include "emulator/auth/signer.h"

#include <algorithm>
#include <utility>

#include "emulator/auth/sigv4.h"

namespace crossmesh::auth {

Result<std::string> AuthorizationFor(const WireRequest& req, const SigningCredentials& creds,
                                     std::string_view region, std::string_view service,
                                     const std::vector<std::string>& signed_headers) {
  const std::string* amz_date = req.Header("X-Amz-Date");
  if (amz_date == nullptr || !ParseAmzDate(*amz_date)) {
    return Error("IncompleteSignatureException",
                 "Cannot sign: set X-Amz-Date to the signing time as yyyymmddThhmmssZ (UTC) "
                 "first.");
  }
  Result<std::string> canonical = CanonicalRequest(req, signed_headers);
  if (!canonical.ok()) return canonical.status();

  const std::string date = amz_date->substr(0, 8);
  const std::string scope = CredentialScope(date, region, service);
  const std::string signature = SigningSignature(creds.secret_access_key, date, region, service,
                                                 StringToSign(*amz_date, scope, *canonical));

  std::string list;
  for (const std::string& name : signed_headers) {
    if (!list.empty()) list.push_back(';');
    list.append(name);
  }
  std::string value(kAlgorithm);
  value.append(" Credential=").append(creds.access_key_id).append("/").append(scope);
  value.append(", SignedHeaders=").append(list);
  value.append(", Signature=").append(signature);
  return value;
}

Status SignRequest(WireRequest& req, const SigningCredentials& creds, std::string_view region,
                   std::string_view service, std::chrono::system_clock::time_point now,
                   bool include_content_sha256, std::string_view host_header) {
  if (req.Header("Host") == nullptr) {
    if (host_header.empty()) {
      return Error("IncompleteSignatureException",
                   "Cannot sign: the request has no Host header; pass host_header, e.g. "
                   "\"127.0.0.1:8099\".");
    }
    req.SetHeader("Host", std::string(host_header));
  }
  req.SetHeader("X-Amz-Date", FormatAmzDate(now));
  if (include_content_sha256) req.SetHeader("x-amz-content-sha256", HexSha256(req.body));

  std::vector<std::string> signed_headers = {"host", "x-amz-date"};
  if (include_content_sha256) signed_headers.emplace_back("x-amz-content-sha256");
  for (const char* optional : {"content-type", "x-amz-target"}) {
    if (req.Header(optional) != nullptr) signed_headers.emplace_back(optional);
  }
  std::sort(signed_headers.begin(), signed_headers.end());

  Result<std::string> authorization = AuthorizationFor(req, creds, region, service, signed_headers);
  if (!authorization.ok()) return authorization.status();
  req.SetHeader("Authorization", std::move(*authorization));
  return Status::Ok();
}

}  // namespace crossmesh::auth
