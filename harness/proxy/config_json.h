// ProxyConfig <-> JSON: the file format RunProxyFromConfigFile reads and /config_dump shows.
// README.md documents every field; durations are integer milliseconds ("*_ms"), enums are
// App Mesh's spellings ("STRICT", "http", "gateway-error", "TLSv1.2").
//
// Parsing is strict: an unknown key, a wrong type or a bad enum is InvalidConfiguration naming
// the JSON path ("listeners[0].tls.mode"). The clock is not part of the JSON.
#pragma once

#include <nlohmann/json.hpp>

#include "emulator/core/status.h"
#include "harness/proxy/config.h"

namespace crossmesh::proxy {

nlohmann::json ConfigToJson(const ProxyConfig& config);
// `path` is where `json` sits in its document ("proxy" in a standalone proxy file); error
// messages start with it.
Result<ProxyConfig> ConfigFromJson(const nlohmann::json& json, const std::string& path = "");

}  // namespace crossmesh::proxy
