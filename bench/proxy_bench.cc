// Measures the data path of two sidecars: requests/s, p50 and p99 latency, and the proxies' CPU
// microseconds per request, for
//   direct   the load generator talks to the backend itself;
//   proxied  load generator -> client sidecar (plaintext, as an app would) -> mutual TLS with
//            ECDSA P-256 certificates, verified both ways -> server sidecar -> backend.
// Cells: HTTP keep-alive with 200 B and 64 KiB responses on 16 and 64 connections; raw TCP echo
// of 200 B on 16 connections; and a new connection per request (so a new TLS connection between
// the sidecars every time) with and without session resumption, at TLS 1.2 and TLS 1.3. Each
// cell runs direct and proxied back to back (interleaved, since these machines are noisy:
// compare ratios, not absolute figures), bounded by request count and time.
//
// Left out: HAProxy (the side-by-side comparison is run separately), HTTP/2, certificate
// generation and proxy start-up. Everything runs in this process: the load generator and the
// backend have a thread each, both sidecars share the runtime's pool (--threads, default 2),
// so on a 2-core machine the client competes with the proxies for CPU, as wrk would.
//
//   proxy_bench [--seconds S] [--max-requests N] [--threads T] [--rounds R]
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/proxy_bench_load.h"
#include "emulator/pki/issuer.h"
#include "harness/proxy/proxy_runtime.h"

namespace crossmesh::bench {
namespace {

using proxy::ProxyConfig;

constexpr const char* kService = "backend.bench.local";

struct Options {
  double seconds = 3;
  uint64_t max_requests = 200000;
  int threads = 2;
  int rounds = 1;
};

struct Pki {
  std::shared_ptr<const pki::PrivateKey> ca_key;
  pki::Certificate ca;
  proxy::TlsCertificate server;
  proxy::TlsCertificate client;
};

template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) {
    std::fprintf(stderr, "proxy_bench: %s\n", result.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

void MustOk(const Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "proxy_bench: %s\n", status.ToString().c_str());
    std::exit(1);
  }
}

proxy::TlsCertificate Issue(const pki::PrivateKey& ca_key, const pki::Certificate& ca,
                            const std::string& name) {
  pki::Subject subject;
  auto key = Must(pki::PrivateKey::Generate(pki::KeyAlgorithm::kEcPrime256v1));
  subject.common_name = name;
  pki::IssueOptions options;
  options.signing_algorithm = pki::SigningAlgorithm::kSha256WithEcdsa;
  options.not_before = Clock::now() - std::chrono::hours(1);
  options.not_after = Clock::now() + std::chrono::hours(24 * 395);
  options.dns_names = std::vector<std::string>{name};
  const pki::SigningCa signer{&ca_key, &ca};
  proxy::TlsCertificate certificate;
  certificate.chain = {Must(pki::IssueForPublicKey(key.public_key(), subject, signer, options))};
  certificate.key = std::make_shared<const pki::PrivateKey>(std::move(key));
  return certificate;
}

Pki MakePki() {
  auto key = Must(pki::PrivateKey::Generate(pki::KeyAlgorithm::kEcPrime256v1));
  pki::Subject subject;
  subject.common_name = "Bench Root";
  pki::IssueOptions options;
  options.certificate_template = pki::CertificateTemplate::kRootCaV1;
  options.signing_algorithm = pki::SigningAlgorithm::kSha256WithEcdsa;
  options.not_before = Clock::now() - std::chrono::hours(24);
  options.not_after = Clock::now() + std::chrono::hours(24 * 3650);
  pki::Certificate ca =
      Must(pki::IssueForPublicKey(key.public_key(), subject, {&key, nullptr}, options));
  proxy::TlsCertificate server = Issue(key, ca, kService);
  proxy::TlsCertificate client = Issue(key, ca, "client.bench.local");
  return Pki{std::make_shared<const pki::PrivateKey>(std::move(key)), std::move(ca),
             std::move(server), std::move(client)};
}

struct Pair {
  std::string name;
  proxy::Protocol protocol = proxy::Protocol::kHttp;
  proxy::TlsVersion version = proxy::TlsVersion::kTls12;
  bool resumption = true;
  uint16_t port = 0;  // the client sidecar's backend port, once started
};

ProxyConfig ServerSide(const Pair& pair, uint16_t app_port) {
  ProxyConfig config;
  config.name = pair.name + "-server";
  proxy::Listener listener;
  listener.name = "ingress";
  listener.protocol = pair.protocol;
  listener.tls = proxy::ListenerTls{proxy::TlsMode::kStrict, "server-cert",
                                    proxy::ListenerValidation{"bench-ca", {}, true}};
  listener.app = {"127.0.0.1", app_port};
  config.listeners = {listener};
  config.tls.downstream.max = pair.version;
  config.tls.session_resumption = pair.resumption;
  config.admin.enabled = false;
  return config;
}

ProxyConfig ClientSide(const Pair& pair, uint16_t server_port) {
  ProxyConfig config;
  config.name = pair.name + "-client";
  proxy::Cluster cluster;
  cluster.name = "cds_egress_bench_backend_" + std::string(proxy::ProtocolName(pair.protocol));
  cluster.endpoints = {{"127.0.0.1", server_port}};
  proxy::ClientTlsPolicy policy;
  policy.validation = proxy::PeerValidation{"bench-ca", {}, kService};
  policy.client_certificate_secret = "client-cert";
  cluster.tls_policy = policy;
  proxy::Route route;
  route.name = "all";
  route.targets = {{cluster.name, 1}};
  config.clusters = {cluster};
  config.virtual_services = {proxy::VirtualService{kService, pair.protocol, {route}}};
  proxy::Outbound outbound;
  outbound.name = "backend";
  outbound.virtual_service = kService;
  config.outbounds = {outbound};
  config.tls.upstream = {pair.version, pair.version};
  config.tls.session_resumption = pair.resumption;
  config.admin.enabled = false;
  return config;
}

void StartPair(proxy::ProxyRuntime& runtime, Pair& pair, const Backend& backend) {
  const uint16_t app =
      pair.protocol == proxy::Protocol::kTcp ? backend.tcp_port() : backend.http_port();
  auto server = Must(runtime.Start(ServerSide(pair, app)));
  auto client = Must(runtime.Start(ClientSide(pair, server->ListenerPort("ingress"))));
  pair.port = client->OutboundPort("backend");
}

struct Cell {
  std::string name;
  const Pair* pair;
  LoadSpec spec;
};

void PrintRow(const Cell& cell, const LoadResult& direct, const LoadResult& proxied,
              double cpu_us_per_proxy) {
  std::printf("%-34s %9.0f %7.0f %8.0f | %9.0f %7.0f %8.0f | %5.2f %6.1f %5llu\n",
              cell.name.c_str(), direct.rps(), direct.p50_us, direct.p99_us, proxied.rps(),
              proxied.p50_us, proxied.p99_us, direct.rps() > 0 ? proxied.rps() / direct.rps() : 0,
              cpu_us_per_proxy, static_cast<unsigned long long>(proxied.errors + direct.errors));
}

void RunCell(proxy::ProxyRuntime& runtime, const Cell& cell, uint16_t direct_port) {
  LoadSpec spec = cell.spec;
  spec.port = direct_port;
  const LoadResult direct = RunLoad(spec);

  spec.port = cell.pair->port;
  spec.host = kService;
  const auto cpu_before = runtime.CpuTime();
  const LoadResult proxied = RunLoad(spec);
  const auto cpu = runtime.CpuTime() - cpu_before;
  const double per_proxy_us = proxied.requests == 0
                                  ? 0
                                  : std::chrono::duration<double, std::micro>(cpu).count() /
                                        static_cast<double>(proxied.requests) / 2;
  PrintRow(cell, direct, proxied, per_proxy_us);
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) options.seconds = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--max-requests") == 0) options.max_requests = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--threads") == 0) options.threads = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--rounds") == 0) options.rounds = std::atoi(argv[i + 1]);
  }
  return options;
}

std::vector<Cell> Cells(const std::vector<Pair>& pairs, const Options& options) {
  auto spec = [&](int connections, size_t bytes, bool tcp, bool fresh) {
    LoadSpec s;
    s.connections = connections;
    s.body_bytes = bytes;
    s.tcp = tcp;
    s.new_connection_each = fresh;
    s.max_requests = options.max_requests;
    s.max_time = std::chrono::milliseconds(static_cast<int64_t>(options.seconds * 1000));
    return s;
  };
  return {
      {"http 200B c16 keep-alive TLS1.2", &pairs[0], spec(16, 200, false, false)},
      {"http 200B c64 keep-alive TLS1.2", &pairs[0], spec(64, 200, false, false)},
      {"http 64KiB c16 keep-alive TLS1.2", &pairs[0], spec(16, 65536, false, false)},
      {"http 64KiB c64 keep-alive TLS1.2", &pairs[0], spec(64, 65536, false, false)},
      {"http 200B c16 keep-alive TLS1.3", &pairs[2], spec(16, 200, false, false)},
      {"tcp 200B c16 TLS1.2", &pairs[4], spec(16, 200, true, false)},
      {"new conn/req resumed TLS1.2 c16", &pairs[0], spec(16, 200, false, true)},
      {"new conn/req full TLS1.2 c16", &pairs[1], spec(16, 200, false, true)},
      {"new conn/req resumed TLS1.3 c16", &pairs[2], spec(16, 200, false, true)},
      {"new conn/req full TLS1.3 c16", &pairs[3], spec(16, 200, false, true)},
  };
}

int Main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  const Options options = ParseOptions(argc, argv);
  const Pki pki = MakePki();
  Backend backend;
  proxy::ProxyRuntime runtime(proxy::ProxyRuntime::Options{options.threads});
  MustOk(runtime.secrets().PushCertificate("server-cert", pki.server));
  MustOk(runtime.secrets().PushCertificate("client-cert", pki.client));
  runtime.secrets().PushValidationContext("bench-ca", proxy::ValidationContext{{pki.ca}});

  using proxy::Protocol;
  using proxy::TlsVersion;
  std::vector<Pair> pairs = {{"h12", Protocol::kHttp, TlsVersion::kTls12, true},
                             {"h12-full", Protocol::kHttp, TlsVersion::kTls12, false},
                             {"h13", Protocol::kHttp, TlsVersion::kTls13, true},
                             {"h13-full", Protocol::kHttp, TlsVersion::kTls13, false},
                             {"t12", Protocol::kTcp, TlsVersion::kTls12, true}};
  for (Pair& pair : pairs) StartPair(runtime, pair, backend);

  std::printf("%-34s %9s %7s %8s | %9s %7s %8s | %5s %6s %5s\n", "cell", "direct/s", "p50us",
              "p99us", "proxied/s", "p50us", "p99us", "ratio", "cpu/rq", "errs");
  for (int round = 0; round < options.rounds; ++round) {
    for (const Cell& cell : Cells(pairs, options)) {
      RunCell(runtime, cell, cell.spec.tcp ? backend.tcp_port() : backend.http_port());
    }
  }
  runtime.StopAll();
  return 0;
}

}  // namespace
}  // namespace crossmesh::bench

int main(int argc, char** argv) { return crossmesh::bench::Main(argc, argv); }
