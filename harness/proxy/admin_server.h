// The admin endpoint of one proxy, on loopback (as Envoy's admin port):
//   GET /stats              Envoy text format, "name: value" per line; ?filter=<regex>
//   GET /stats?format=json  {"stats": [{"name": ..., "value": ...}]}
//   GET /certs              certificates per TLS context (certs_report.h)
//   GET /config_dump        the running ProxyConfig (config_json.h) with bound ports
//   GET /handshakes         the HandshakeLog as JSON (newest last)
//   GET /ready              "LIVE"
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "harness/proxy/byte_stream.h"
#include "harness/proxy/handshake_log.h"
#include "harness/proxy/proxy_core.h"

namespace crossmesh::proxy {

asio::awaitable<void> ServeAdmin(std::shared_ptr<ProxyCore> core, tcp::socket socket);

nlohmann::json HandshakesJson(const std::vector<HandshakeRecord>& records);

}  // namespace crossmesh::proxy
