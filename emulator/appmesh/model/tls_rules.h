// The TLS rules App Mesh checked against ACM and ACM Private CA when a virtual node or virtual
// gateway was written (appmesh-tls-semantics.md sections 1 to 3). The shapes already hold the
// structural rules (mode and certificate required, listener trust file or sds only, 1 to 3 CA
// ARNs, client certificates file or sds only); these are the ones that look at the resources:
//
//  - A listener's ACM certificate must be in the mesh's Region, belong to the resource owner's
//    account, be a PRIVATE certificate and be ISSUED: BadRequestException otherwise (never a
//    5xx, roadmap#180). A caller that cannot describe it (another account's certificate: ACM has
//    no resource policies) gets ForbiddenException "Call requires the acm:DescribeCertificate
//    permission for the certificate with the ARN <arn>" (aws-app-mesh-examples PR #339).
//  - A client policy's ACM trust names CAs in the mesh's Region that the caller can describe: its
//    own, or another account's shared with it through RAM. ForbiddenException naming
//    acm-pca:DescribeCertificateAuthority otherwise; BadRequestException for a CA that does not
//    exist.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "emulator/core/accounts.h"
#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh {

// `resource_owner` is the account the virtual node or gateway belongs to.
Status CheckTlsRules(Store& store, const AccountRegistry& accounts, const CallContext& ctx,
                     const std::string& resource_owner, const nlohmann::json& spec);

// The ACM certificate ARNs a node or gateway spec's listeners use.
std::set<std::string> ListenerCertificateArns(const nlohmann::json& spec);

}  // namespace crossmesh::appmesh
