// clientToken idempotency, as App Mesh documented it: a Create or Update sent again with the same
// token and the same request answers the resource as it is now, without a second change; the
// same token with a different request is ConflictException ("The request contains a client token
// that was used for a previous update resource call with different specifications").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/appmesh/model/types.h"
#include "emulator/core/call_context.h"
#include "emulator/core/status.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh {

// What a token is compared on: the operation's whole input, canonically serialized.
std::string RequestFingerprint(const ResourceRef& ref, const nlohmann::json& spec,
                               const Tags& tags);

// nullopt when `token` is empty or unused, or its resource is gone (go ahead); the resource when
// the same request was answered before; ConflictException for a different request.
Result<std::optional<Resource>> ReplayClientToken(Store& store, const CallContext& ctx,
                                                  std::string_view operation,
                                                  const std::string& token,
                                                  const std::string& request);

Status RememberClientToken(Store& store, const CallContext& ctx, std::string_view operation,
                           const std::string& token, const std::string& request,
                           const std::string& arn);

}  // namespace crossmesh::appmesh
