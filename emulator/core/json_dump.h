// JSON text of values that may hold bytes that are not UTF-8: echoed from a request, read from
// a YAML file or a certificate. nlohmann throws on such a byte when it prints, which ended
// `crossmesh lint --format json` and `run --json` with an abort; each one becomes U+FFFD here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace crossmesh {

// `indent` as nlohmann's dump: -1 for one line, 2 for two spaces per level.
std::string DumpJson(const nlohmann::json& value, int indent = -1);
std::string DumpJson(const nlohmann::ordered_json& value, int indent = -1);  // keys as added

}  // namespace crossmesh
