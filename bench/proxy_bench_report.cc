#include "bench/proxy_bench_report.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace crossmesh::bench {
namespace {

std::string Percent(double share) {
  return share < 0 ? "-" : std::to_string(static_cast<int>(share * 100 + 0.5)) + "%";
}

double Ratio(const Row& row) {
  return row.haproxy.load.rps() > 0 ? row.ours.load.rps() / row.haproxy.load.rps() : 0;
}

// Failed requests (wrk's socket errors and non-2xx answers) as direct/ours/HAProxy.
std::string Errors(const Row& row) {
  return std::to_string(row.direct.load.errors) + "/" + std::to_string(row.ours.load.errors) + "/" +
         std::to_string(row.haproxy.load.errors);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The median of one figure of `field` over `runs`; requests/s is carried as requests over
// one second so that LoadResult::rps() gives it back.
Measured MedianOf(const std::vector<const Measured*>& runs) {
  auto median = [&](const std::function<double(const Measured&)>& figure) {
    std::vector<double> values;
    for (const Measured* run : runs) values.push_back(figure(*run));
    return Median(values);
  };
  Measured out;
  out.load.seconds = 1;
  out.load.requests = static_cast<uint64_t>(median([](const Measured& m) { return m.load.rps(); }));
  out.load.p50_us = median([](const Measured& m) { return m.load.p50_us; });
  out.load.p99_us = median([](const Measured& m) { return m.load.p99_us; });
  out.client_cpu_us = median([](const Measured& m) { return m.client_cpu_us; });
  out.server_cpu_us = median([](const Measured& m) { return m.server_cpu_us; });
  out.resumed = median([](const Measured& m) { return m.resumed; });
  for (const Measured* run : runs) out.load.errors += run->load.errors;
  return out;
}

}  // namespace

void PrintHeader() {
  std::printf("%-28s %8s %6s | %8s %6s %7s %9s %4s | %8s %6s %7s %9s | %5s %4s\n", "cell",
              "direct/s", "p99ms", "ours/s", "p50ms", "p99ms", "cpu c/s", "res", "hap/s", "p50ms",
              "p99ms", "cpu c/s", "o/h", "errs d/o/h");
}

void PrintRow(const Row& row) {
  const Measured& ours = row.ours;
  const Measured& hap = row.haproxy;
  std::printf(
      "%-28s %8.0f %6.2f | %8.0f %6.2f %7.2f %4.0f/%4.0f %4s | %8.0f %6.2f %7.2f %4.0f/%4.0f | "
      "%5.2f %s\n",
      row.cell.c_str(), row.direct.load.rps(), row.direct.load.p99_us / 1e3, ours.load.rps(),
      ours.load.p50_us / 1e3, ours.load.p99_us / 1e3, ours.client_cpu_us, ours.server_cpu_us,
      Percent(ours.resumed).c_str(), hap.load.rps(), hap.load.p50_us / 1e3, hap.load.p99_us / 1e3,
      hap.client_cpu_us, hap.server_cpu_us, Ratio(row), Errors(row).c_str());
  std::fflush(stdout);
}

std::vector<Row> Medians(const std::vector<Row>& rows) {
  std::vector<std::string> cells;
  for (const Row& row : rows) {
    if (std::find(cells.begin(), cells.end(), row.cell) == cells.end()) cells.push_back(row.cell);
  }
  std::vector<Row> medians;
  for (const std::string& cell : cells) {
    std::vector<const Measured*> direct, ours, haproxy;
    for (const Row& row : rows) {
      if (row.cell != cell) continue;
      direct.push_back(&row.direct);
      ours.push_back(&row.ours);
      haproxy.push_back(&row.haproxy);
    }
    medians.push_back(Row{cell, MedianOf(direct), MedianOf(ours), MedianOf(haproxy)});
  }
  return medians;
}

void PrintMarkdown(const std::vector<Row>& rows) {
  std::printf(
      "| cell | direct req/s | ours req/s | ours p50 / p99 ms | ours CPU us/req (client / server)"
      " | HAProxy req/s | HAProxy p50 / p99 ms | HAProxy CPU us/req (client / server) | ours / "
      "HAProxy |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& row : rows) {
    const Measured& ours = row.ours;
    const Measured& hap = row.haproxy;
    std::printf(
        "| %s | %.0f | %.0f | %.2f / %.2f | %.0f / %.0f | %.0f | %.2f / %.2f | %.0f / %.0f | "
        "%.2f |\n",
        row.cell.c_str(), row.direct.load.rps(), ours.load.rps(), ours.load.p50_us / 1e3,
        ours.load.p99_us / 1e3, ours.client_cpu_us, ours.server_cpu_us, hap.load.rps(),
        hap.load.p50_us / 1e3, hap.load.p99_us / 1e3, hap.client_cpu_us, hap.server_cpu_us,
        Ratio(row));
  }
}

}  // namespace crossmesh::bench
