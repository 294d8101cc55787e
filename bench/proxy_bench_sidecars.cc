#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/proxy_bench_pairs.h"
#include "harness/proxy/config_json.h"

namespace crossmesh::bench {
namespace {

using proxy::ProxyConfig;

proxy::Protocol ProtocolOf(const PairSpec& spec) {
  return spec.tcp ? proxy::Protocol::kTcp : proxy::Protocol::kHttp;
}

proxy::TlsVersion VersionOf(const PairSpec& spec) {
  return spec.tls13 ? proxy::TlsVersion::kTls13 : proxy::TlsVersion::kTls12;
}

ProxyConfig ServerSide(const PairSpec& spec, uint16_t app_port) {
  ProxyConfig config;
  config.name = spec.name + "-server";
  proxy::Listener listener;
  listener.name = "ingress";
  listener.protocol = ProtocolOf(spec);
  listener.tls = proxy::ListenerTls{proxy::TlsMode::kStrict, "server-cert",
                                    proxy::ListenerValidation{"bench-ca", {}, true}};
  listener.app = {"127.0.0.1", app_port};
  config.listeners = {listener};
  // Both ends pinned to one version, as the HAProxy pair is.
  config.tls.downstream = {VersionOf(spec), VersionOf(spec)};
  config.tls.session_resumption = spec.resumption;
  config.admin.enabled = false;
  return config;
}

ProxyConfig ClientSide(const PairSpec& spec, uint16_t server_port) {
  ProxyConfig config;
  config.name = spec.name + "-client";
  proxy::Cluster cluster;
  cluster.name = "cds_egress_bench_backend_" + std::string(proxy::ProtocolName(ProtocolOf(spec)));
  cluster.endpoints = {{"127.0.0.1", server_port}};
  proxy::ClientTlsPolicy policy;
  policy.validation = proxy::PeerValidation{"bench-ca", {}, kBenchService};
  policy.client_certificate_secret = "client-cert";
  cluster.tls_policy = policy;
  proxy::Route route;
  route.name = "all";
  route.targets = {{cluster.name, 1}};
  config.clusters = {cluster};
  config.virtual_services = {proxy::VirtualService{kBenchService, ProtocolOf(spec), {route}}};
  proxy::Outbound outbound;
  outbound.name = "backend";
  outbound.virtual_service = kBenchService;
  config.outbounds = {outbound};
  config.tls.upstream = {VersionOf(spec), VersionOf(spec)};
  config.tls.session_resumption = spec.resumption;
  config.admin.enabled = true;  // read between runs only (ReadHandshakeCounts)
  return config;
}

// The document run_proxy.h reads: the configuration, its secrets inline, one thread.
std::string ProxyFileText(const ProxyConfig& config, const BenchPki& pki) {
  nlohmann::json secrets = nlohmann::json::array();
  secrets.push_back({{"name", "server-cert"},
                     {"certificate_chain_pem", pki.server_chain_pem},
                     {"private_key_pem", pki.server_key_pem}});
  secrets.push_back({{"name", "client-cert"},
                     {"certificate_chain_pem", pki.client_chain_pem},
                     {"private_key_pem", pki.client_key_pem}});
  secrets.push_back({{"name", "bench-ca"}, {"trusted_ca_pem", pki.ca_pem}});
  const nlohmann::json document = {
      {"proxy", proxy::ConfigToJson(config)}, {"secrets", secrets}, {"threads", 1}};
  return document.dump(2);
}

// The port after "<key>=" on a proxy's ready line.
uint16_t PortOnLine(const std::string& line, const std::string& key) {
  const size_t at = line.find(" " + key + "=");
  if (at == std::string::npos) Fatal("no " + key + " port on \"" + line + "\"");
  return static_cast<uint16_t>(std::atoi(line.c_str() + at + key.size() + 2));
}

// Starts the proxy and returns its ready line ("proxy X ready: listener ingress=N admin=M").
ChildProcess StartSidecar(const ProxyConfig& config, const BenchPki& pki, const std::string& dir,
                          const std::string& self, std::string& ready_line) {
  const std::string path = dir + "/" + config.name + ".json";
  std::ofstream(path, std::ios::trunc) << ProxyFileText(config, pki);
  ChildProcess child = ChildProcess::Spawn({self, "--run-proxy", path}, true);
  ready_line = child.ReadLine(std::chrono::seconds(10));
  if (ready_line.find(" ready:") == std::string::npos) {
    Fatal("sidecar " + config.name + " did not start (" + ready_line + ")");
  }
  return child;
}

// GET `path` from 127.0.0.1:port, blocking; the whole response, or empty on failure.
std::string HttpGet(uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  std::string response;
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n";
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char chunk[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, chunk, sizeof chunk)) > 0)
      response.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return response;
}

}  // namespace

HandshakeCounts ReadHandshakeCounts(const ProxyPair& pair) {
  HandshakeCounts counts;
  if (pair.admin_port == 0) return counts;
  // Lines "cluster.<name>.ssl.handshake: 12" (text form of /stats).
  std::istringstream lines(HttpGet(pair.admin_port, "/stats?filter=ssl."));
  std::string line;
  while (std::getline(lines, line)) {
    const size_t colon = line.rfind(": ");
    if (colon == std::string::npos) continue;
    const uint64_t value = std::strtoull(line.c_str() + colon + 2, nullptr, 10);
    const std::string name = line.substr(0, colon);
    if (name.ends_with(".ssl.handshake")) counts.handshakes += value;
    if (name.ends_with(".ssl.session_reused")) counts.reused += value;
  }
  return counts;
}

ProxyPair StartSidecarPair(const PairSpec& spec, const BenchPki& pki, uint16_t app_port,
                           const std::string& dir, const std::string& self) {
  ProxyPair pair;
  std::string line;
  pair.server_side = StartSidecar(ServerSide(spec, app_port), pki, dir, self, line);
  const uint16_t ingress = PortOnLine(line, "ingress");
  pair.client_side = StartSidecar(ClientSide(spec, ingress), pki, dir, self, line);
  pair.port = PortOnLine(line, "backend");
  pair.admin_port = PortOnLine(line, "admin");
  return pair;
}

}  // namespace crossmesh::bench
