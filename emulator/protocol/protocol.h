// The three AWS wire protocols the emulator speaks, and the one place errors are rendered.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/protocol/wire.h"

namespace crossmesh {

enum class Protocol {
  kJson11,    // acm-pca, acm: X-Amz-Target, {"__type": ...} errors, status 400
  kRestJson,  // ram, appmesh: method + path, x-amzn-ErrorType header, status from the model
  kQuery,     // sts, iam: Action= form body, XML answers and ErrorResponse
};

// HTTP status the service model gives an error code under this protocol.
int HttpStatusFor(Protocol protocol, std::string_view code);

// STS spells the authentication errors differently from the JSON services.
std::string QueryErrorCode(std::string_view code);

// Renders a failed Status in the protocol's own error shape, with the request id header. Query
// services name their own XML namespace; empty means STS's (errors raised before a service is
// known, such as a bad signature).
WireResponse RenderError(Protocol protocol, const Status& status, std::string_view request_id,
                         std::string_view xml_namespace = {});

// Renders a successful JSON answer (both JSON protocols).
WireResponse RenderJson(Protocol protocol, int http_status, std::string body,
                        std::string_view request_id);

// Escapes XML's five special characters; invalid UTF-8 becomes U+FFFD, so the body stays XML.
std::string XmlEscape(std::string_view text);

// Percent-decoding for query strings and form bodies ('+' is a space there).
std::string PercentDecode(std::string_view text, bool plus_is_space);
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view raw);
std::string PercentEncode(std::string_view text);  // RFC 3986 unreserved kept

}  // namespace crossmesh
