// One handler per ACM-PCA operation, named as the operation: reads the request's members,
// calls the model function of the same name, renders its answer.
#pragma once

#include <nlohmann/json.hpp>

#include "emulator/acmpca/api/member_reader.h"
#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::acmpca::api {

using nlohmann::json;
using Handler = Result<json> (*)(Store&, const CallContext&, const json&);

// ca_handlers.cc
Result<json> CreateCertificateAuthority(Store&, const CallContext&, const json&);
Result<json> DescribeCertificateAuthority(Store&, const CallContext&, const json&);
Result<json> ListCertificateAuthorities(Store&, const CallContext&, const json&);
Result<json> GetCertificateAuthorityCsr(Store&, const CallContext&, const json&);
Result<json> ImportCertificateAuthorityCertificate(Store&, const CallContext&, const json&);
Result<json> GetCertificateAuthorityCertificate(Store&, const CallContext&, const json&);
Result<json> UpdateCertificateAuthority(Store&, const CallContext&, const json&);
Result<json> DeleteCertificateAuthority(Store&, const CallContext&, const json&);
Result<json> RestoreCertificateAuthority(Store&, const CallContext&, const json&);

// certificate_handlers.cc
Result<json> IssueCertificate(Store&, const CallContext&, const json&);
Result<json> GetCertificate(Store&, const CallContext&, const json&);
Result<json> RevokeCertificate(Store&, const CallContext&, const json&);

// access_handlers.cc
Result<json> CreatePermission(Store&, const CallContext&, const json&);
Result<json> ListPermissions(Store&, const CallContext&, const json&);
Result<json> DeletePermission(Store&, const CallContext&, const json&);
Result<json> TagCertificateAuthority(Store&, const CallContext&, const json&);
Result<json> UntagCertificateAuthority(Store&, const CallContext&, const json&);
Result<json> ListTags(Store&, const CallContext&, const json&);
Result<json> PutPolicy(Store&, const CallContext&, const json&);
Result<json> GetPolicy(Store&, const CallContext&, const json&);
Result<json> DeletePolicy(Store&, const CallContext&, const json&);

// Arn shape: 5 to 200 characters (the model's ARN parser judges the rest).
inline constexpr size_t kArnMin = 5;
inline constexpr size_t kArnMax = 200;

// The CertificateAuthorityArn member most operations start with.
inline std::optional<std::string> ReadCaArn(MemberReader& in) {
  return in.String("CertificateAuthorityArn", kRequired, kArnMin, kArnMax);
}

}  // namespace crossmesh::acmpca::api
