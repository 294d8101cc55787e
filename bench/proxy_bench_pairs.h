// The two proxy hops the bench compares, each proxy a process of its own on loopback:
//   load -> client side (plaintext in, as an app talks to its sidecar) -> mutual TLS with the
//   bench's ECDSA P-256 certificates, verified both ways -> server side -> backend.
// Ours are this binary re-run as `proxy_bench --run-proxy FILE` (the same code path as
// `crossmesh proxy --config FILE`) with one thread; HAProxy is Debian's haproxy with
// `nbthread 1`, configured with the same versions, cipher suites and certificates.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "bench/proxy_bench_pki.h"
#include "bench/proxy_bench_process.h"

namespace crossmesh::bench {

struct PairSpec {
  std::string name;
  bool tcp = false;  // raw TCP instead of HTTP
  bool tls13 = false;
  bool resumption = true;  // client session cache / tickets between the proxies
};

struct ProxyPair {
  ChildProcess client_side;
  ChildProcess server_side;
  uint16_t port = 0;        // the client side's plaintext port: where the load goes
  uint16_t admin_port = 0;  // ours only: the client side's admin page (0 for HAProxy)

  void Stop() {
    client_side.Stop();
    server_side.Stop();
  }
};

// `dir`: a private temporary folder for configuration files (the caller removes it).
// `self`: this executable's path. Both exit the bench with the reason if a proxy does not
// start.
ProxyPair StartSidecarPair(const PairSpec& spec, const BenchPki& pki, uint16_t app_port,
                           const std::string& dir, const std::string& self);
// The client side's TLS handshakes so far and how many of them resumed a session, from the
// `ssl.handshake` and `ssl.session_reused` counters on its /stats page.
struct HandshakeCounts {
  uint64_t handshakes = 0;
  uint64_t reused = 0;
};
HandshakeCounts ReadHandshakeCounts(const ProxyPair& pair);

// Needs WriteHaproxyPem(pki, dir) first.
ProxyPair StartHaproxyPair(const PairSpec& spec, uint16_t app_port, const std::string& dir);

}  // namespace crossmesh::bench
