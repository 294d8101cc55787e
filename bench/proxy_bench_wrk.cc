#include "bench/proxy_bench_wrk.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench/proxy_bench_process.h"

namespace crossmesh::bench {
namespace {

// "634.00us", "1.20ms", "2.01s" -> microseconds.
double ParseDuration(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  const std::string unit(end);
  if (unit == "ms") return value * 1e3;
  if (unit == "s") return value * 1e6;
  if (unit == "m") return value * 60e6;
  return value;  // "us"
}

// The number after `label` on the line that starts with it (leading spaces ignored).
bool FindAfter(const std::string& report, const std::string& label, std::string& value) {
  std::istringstream lines(report);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, label.size(), label) != 0) continue;
    std::istringstream rest(line.substr(start + label.size()));
    rest >> value;
    return true;
  }
  return false;
}

// "Socket errors: connect 0, read 3, write 0, timeout 0" -> 3.
uint64_t SocketErrors(const std::string& report) {
  const size_t at = report.find("Socket errors:");
  if (at == std::string::npos) return 0;
  std::istringstream line(report.substr(at, report.find('\n', at) - at));
  std::string word;
  uint64_t total = 0;
  while (line >> word) {
    if (!word.empty() && std::isdigit(static_cast<unsigned char>(word[0]))) {
      total += std::strtoull(word.c_str(), nullptr, 10);
    }
  }
  return total;
}

LoadResult ParseWrkReport(const std::string& report) {
  LoadResult result;
  std::string value;
  // "  40000 requests in 2.00s, 9.00MB read"
  if (const size_t at = report.find(" requests in "); at != std::string::npos) {
    const size_t start = report.rfind('\n', at) + 1;
    result.requests = std::strtoull(report.c_str() + start, nullptr, 10);
    result.seconds = ParseDuration(report.substr(at + 13, report.find(',', at) - at - 13)) / 1e6;
  }
  if (FindAfter(report, "50%", value)) result.p50_us = ParseDuration(value);
  if (FindAfter(report, "99%", value)) result.p99_us = ParseDuration(value);
  if (FindAfter(report, "Non-2xx or 3xx responses:", value)) {
    result.errors += std::strtoull(value.c_str(), nullptr, 10);
  }
  result.errors += SocketErrors(report);
  if (result.requests == 0) std::fprintf(stderr, "proxy_bench: wrk said\n%s\n", report.c_str());
  return result;
}

}  // namespace

LoadResult RunWrk(const LoadSpec& spec) {
  const double seconds = std::chrono::duration<double>(spec.max_time).count();
  const int whole = std::max(1, static_cast<int>(std::lround(seconds)));
  std::vector<std::string> argv = {"wrk",
                                   "-t1",
                                   "-c" + std::to_string(spec.connections),
                                   "-d" + std::to_string(whole) + "s",
                                   "--timeout",
                                   "5s",
                                   "--latency",
                                   "-H",
                                   "Host: " + spec.host};
  if (spec.new_connection_each) {
    argv.insert(argv.end(), {"-H", "Connection: close"});
  }
  argv.push_back("http://127.0.0.1:" + std::to_string(spec.port) + "/bytes/" +
                 std::to_string(spec.body_bytes));
  ChildProcess wrk = ChildProcess::Spawn(argv, true);
  return ParseWrkReport(wrk.ReadAll());
}

}  // namespace crossmesh::bench
