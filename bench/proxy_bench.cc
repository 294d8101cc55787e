// Measures the data path of two sidecars against HAProxy: requests/s, p50 and p99 latency, and
// CPU microseconds per request of each proxy, for
//   direct   the load talks to the backend itself;
//   ours     load -> our client sidecar (plaintext, as an app would) -> mutual TLS with ECDSA
//            P-256 certificates, verified both ways -> our server sidecar -> backend;
//   haproxy  the same two hops through Debian's HAProxy (proxy_bench_pairs.h).
// Every proxy is a process of its own with one thread, and its CPU time is read from
// /proc/PID/stat the same way for both. HTTP load comes from wrk (one thread, its own
// process) for all three; raw TCP echo load comes from the in-process generator.
// Cells: HTTP keep-alive with 200 B and 64 KiB responses on 16 and 64 connections, at TLS 1.2
// and at TLS 1.3 (both proxies pinned to the version); raw TCP echo of 200 B on 16 and 64
// connections; and a new connection per request (so a new TLS connection between the proxies
// every time) with and without session resumption, at both versions. Within a cell the three
// run back to back (interleaved, since these machines are noisy: compare ratios, not absolute
// figures); each run is bounded by --seconds (and --max-requests for TCP).
//
// Left out: HTTP/2, certificate generation and proxy start-up. The backend is a thread of this
// process; on a 2-core machine wrk, the backend and both proxies share the cores.
//
// Each cell runs --rounds times (default 3, alternating which proxy goes first) and the median
// of each figure is printed at the end; --markdown 1 prints it as the README's table.
//
//   proxy_bench [--seconds S] [--max-requests N] [--rounds R] [--only SUBSTRING]
//               [--markdown 0|1]
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include "bench/proxy_bench_load.h"
#include "bench/proxy_bench_pairs.h"
#include "bench/proxy_bench_report.h"
#include "bench/proxy_bench_wrk.h"

#include "harness/proxy/run_proxy.h"

namespace crossmesh::bench {
namespace {

struct Options {
  double seconds = 1;
  uint64_t max_requests = 400000;
  int rounds = 3;
  std::string only;  // run only the cells whose name holds this
  bool markdown = false;
};

struct Cell {
  std::string name;
  size_t pair;  // index into the pairs
  LoadSpec spec;
};

// Every run is bounded: these ranges keep a typo from starting a run of hours.
void AddOptions(CLI::App& app, Options& options) {
  app.add_option("--seconds", options.seconds, "length of each run")->check(CLI::Range(0.1, 60.0));
  app.add_option("--max-requests", options.max_requests, "TCP runs stop after this many")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
  app.add_option("--rounds", options.rounds, "rounds per cell (medians are reported)")
      ->check(CLI::Range(1, 20));
  app.add_option("--only", options.only, "run only the cells whose name contains this");
  app.add_option("--markdown", options.markdown, "also print the README's table (0 or 1)");
}

std::vector<PairSpec> PairSpecs() {
  return {{"h12", false, false, true}, {"h12-full", false, false, false},
          {"h13", false, true, true},  {"h13-full", false, true, false},
          {"t12", true, false, true},  {"t13", true, true, true}};
}

std::vector<Cell> Cells(const Options& options) {
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
  std::vector<Cell> cells;
  for (const auto& [version, pair] : {std::pair{"TLS1.2", 0}, std::pair{"TLS1.3", 2}}) {
    const std::string v = version;
    const auto p = static_cast<size_t>(pair);
    cells.push_back({"http 200B c16 " + v, p, spec(16, 200, false, false)});
    cells.push_back({"http 200B c64 " + v, p, spec(64, 200, false, false)});
    cells.push_back({"http 64KiB c16 " + v, p, spec(16, 65536, false, false)});
    cells.push_back({"http 64KiB c64 " + v, p, spec(64, 65536, false, false)});
  }
  cells.push_back({"tcp 200B c16 TLS1.2", 4, spec(16, 200, true, false)});
  cells.push_back({"tcp 200B c64 TLS1.2", 4, spec(64, 200, true, false)});
  cells.push_back({"tcp 200B c16 TLS1.3", 5, spec(16, 200, true, false)});
  cells.push_back({"tcp 200B c64 TLS1.3", 5, spec(64, 200, true, false)});
  cells.push_back({"new conn resumed TLS1.2 c16", 0, spec(16, 200, false, true)});
  cells.push_back({"new conn full TLS1.2 c16", 1, spec(16, 200, false, true)});
  cells.push_back({"new conn resumed TLS1.3 c16", 2, spec(16, 200, false, true)});
  cells.push_back({"new conn full TLS1.3 c16", 3, spec(16, 200, false, true)});
  return cells;
}

LoadResult Drive(const LoadSpec& spec) { return spec.tcp ? RunLoad(spec) : RunWrk(spec); }

Measured Run(const Cell& cell, uint16_t port, ProxyPair* pair) {
  LoadSpec spec = cell.spec;
  spec.port = port;
  spec.host = kBenchService;
  if (pair == nullptr) return Measured{Drive(spec)};

  const HandshakeCounts handshakes_before = ReadHandshakeCounts(*pair);
  const auto client_before = pair->client_side.CpuTime();
  const auto server_before = pair->server_side.CpuTime();
  Measured measured{Drive(spec)};
  const HandshakeCounts handshakes_after = ReadHandshakeCounts(*pair);
  if (const uint64_t total = handshakes_after.handshakes - handshakes_before.handshakes;
      total > 0) {
    measured.resumed =
        static_cast<double>(handshakes_after.reused - handshakes_before.reused) / total;
  }
  const auto requests = static_cast<double>(std::max<uint64_t>(measured.load.requests, 1));
  measured.client_cpu_us =
      static_cast<double>((pair->client_side.CpuTime() - client_before).count()) / requests;
  measured.server_cpu_us =
      static_cast<double>((pair->server_side.CpuTime() - server_before).count()) / requests;
  return measured;
}

std::string SelfPath() {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec).string();
}

// One cell's three runs: direct, then both proxy pairs, in an order that alternates by round
// so that drift over a round does not favour one.
Row RunCell(const Cell& cell, int round, const Backend& backend, std::vector<ProxyPair>& ours,
            std::vector<ProxyPair>& haproxy) {
  Row row;
  row.cell = cell.name;
  row.direct = Run(cell, cell.spec.tcp ? backend.tcp_port() : backend.http_port(), nullptr);
  ProxyPair& our_pair = ours[cell.pair];
  ProxyPair& their_pair = haproxy[cell.pair];
  if (round % 2 == 0) {
    row.ours = Run(cell, our_pair.port, &our_pair);
    row.haproxy = Run(cell, their_pair.port, &their_pair);
  } else {
    row.haproxy = Run(cell, their_pair.port, &their_pair);
    row.ours = Run(cell, our_pair.port, &our_pair);
  }
  if (!cell.spec.new_connection_each) row.ours.resumed = -1;  // a handful of handshakes
  return row;
}

int Main(int argc, char** argv) {
  Options options;
  CLI::App app("Two mutual-TLS proxy hops, ours against HAProxy's, against direct");
  AddOptions(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);  // 0 for --help; a refused command line exits non-zero with why
  }
  const std::vector<Cell> cells = Cells(options);
  if (std::none_of(cells.begin(), cells.end(), [&](const Cell& cell) {
        return cell.name.find(options.only) != std::string::npos;
      })) {
    std::fprintf(stderr,
                 "--only '%s' names no cell; cells are named like 'http 64KiB c16 TLS1.2'\n",
                 options.only.c_str());
    return 2;
  }
  RequireTool("wrk");
  RequireTool("haproxy");
  const BenchPki pki = MakeBenchPki();
  char dir_template[] = "/tmp/proxy_bench.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) Fatal("cannot create a folder under /tmp");
  const std::string dir = dir_template;
  WriteHaproxyPem(pki, dir);
  Backend backend;

  std::vector<ProxyPair> ours;
  std::vector<ProxyPair> haproxy;
  for (const PairSpec& spec : PairSpecs()) {
    const uint16_t app = spec.tcp ? backend.tcp_port() : backend.http_port();
    ours.push_back(StartSidecarPair(spec, pki, app, dir, SelfPath()));
    haproxy.push_back(StartHaproxyPair(spec, app, dir));
  }

  PrintHeader();
  std::vector<Row> rows;
  for (int round = 0; round < options.rounds; ++round) {
    for (const Cell& cell : Cells(options)) {
      if (!options.only.empty() && cell.name.find(options.only) == std::string::npos) continue;
      rows.push_back(RunCell(cell, round, backend, ours, haproxy));
      PrintRow(rows.back());
    }
  }
  if (options.rounds > 1) {
    std::printf("\nmedian of %d rounds\n", options.rounds);
    PrintHeader();
    for (const Row& row : Medians(rows)) PrintRow(row);
  }
  if (options.markdown) PrintMarkdown(Medians(rows));

  for (ProxyPair& pair : ours) pair.Stop();
  for (ProxyPair& pair : haproxy) pair.Stop();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace crossmesh::bench

int main(int argc, char** argv) {
  // A child started by StartSidecarPair: one of our proxies, alone, until SIGTERM. Logging at
  // warn, as HAProxy here logs nothing per request.
  if (argc == 3 && std::strcmp(argv[1], "--run-proxy") == 0) {
    spdlog::set_level(spdlog::level::warn);
    return crossmesh::proxy::RunProxyFromConfigFile(argv[2]);
  }
  spdlog::set_level(spdlog::level::warn);
  return crossmesh::bench::Main(argc, argv);
}
