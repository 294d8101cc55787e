#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "bench/proxy_bench_pairs.h"

namespace crossmesh::bench {
namespace {

// The suites our sidecars offer (Envoy's TLS 1.2 ECDHE + AEAD list, and its TLS 1.3 order), so
// that both pairs negotiate the same one: ECDHE-ECDSA-AES128-GCM-SHA256 under TLS 1.2,
// TLS_AES_128_GCM_SHA256 under TLS 1.3.
constexpr const char* kCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Ciphers =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// One thread, as our sidecars run; no logging, as ours log nothing per request at warn.
// `http-reuse never` ties each server-side connection to its client connection, as our
// sidecars do, so "a new connection per request" really is a new TLS connection each time.
std::string Preamble(const PairSpec& spec) {
  std::string text =
      "global\n"
      "  nbthread 1\n"
      "  maxconn 4000\n"
      "defaults\n"
      "  timeout connect 5s\n"
      "  timeout client 30s\n"
      "  timeout server 30s\n";
  text += spec.tcp ? "  mode tcp\n" : "  mode http\n  http-reuse never\n";
  return text;
}

std::string TlsBounds(const PairSpec& spec) {
  const char* version = spec.tls13 ? "TLSv1.3" : "TLSv1.2";
  return std::string(" ssl-min-ver ") + version + " ssl-max-ver " + version + " ciphers " +
         kCiphers + " ciphersuites " + kTls13Ciphers;
}

// Terminates mutual TLS: `verify required` with the bench CA, chain only (as our server side
// checks a client certificate without a SAN list).
std::string ServerSideConfig(const PairSpec& spec, uint16_t port, uint16_t app_port,
                             const std::string& dir) {
  std::string tickets = spec.resumption ? "" : " no-tls-tickets";
  return Preamble(spec) + "frontend ingress\n  bind 127.0.0.1:" + std::to_string(port) +
         " ssl crt " + dir + "/server.pem ca-file " + dir + "/ca.pem verify required" +
         TlsBounds(spec) + tickets +
         "\n  default_backend app\nbackend app\n  server app 127.0.0.1:" +
         std::to_string(app_port) + "\n";
}

// Originates mutual TLS: presents the client certificate, verifies the server's chain and its
// name (verifyhost = the service name, as our client side checks the discovery name). No SNI:
// our client side sends none either.
std::string ClientSideConfig(const PairSpec& spec, uint16_t port, uint16_t server_port,
                             const std::string& dir) {
  std::string reuse = spec.resumption ? "" : " no-ssl-reuse";
  return Preamble(spec) + "frontend egress\n  bind 127.0.0.1:" + std::to_string(port) +
         "\n  default_backend mesh\nbackend mesh\n  server mesh 127.0.0.1:" +
         std::to_string(server_port) + " ssl crt " + dir + "/client.pem ca-file " + dir +
         "/ca.pem verify required verifyhost " + kBenchService + TlsBounds(spec) + reuse + "\n";
}

bool Accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

ChildProcess StartHaproxy(const std::string& path, const std::string& text, uint16_t port) {
  std::ofstream(path, std::ios::trunc) << text;
  // -db: stay in the foreground, so the PID we hold is the process that serves.
  ChildProcess child = ChildProcess::Spawn({"haproxy", "-db", "-f", path}, false);
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (Accepts(port)) return child;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  Fatal("haproxy (" + path + ") did not listen on " + std::to_string(port));
}

}  // namespace

ProxyPair StartHaproxyPair(const PairSpec& spec, uint16_t app_port, const std::string& dir) {
  ProxyPair pair;
  const uint16_t ingress = FreeLoopbackPort();
  pair.server_side = StartHaproxy(dir + "/" + spec.name + "-server.cfg",
                                  ServerSideConfig(spec, ingress, app_port, dir), ingress);
  pair.port = FreeLoopbackPort();
  pair.client_side = StartHaproxy(dir + "/" + spec.name + "-client.cfg",
                                  ClientSideConfig(spec, pair.port, ingress, dir), pair.port);
  return pair;
}

}  // namespace crossmesh::bench
