// The proxy bench's output: one line per cell and round as the runs finish, then, over several
// rounds, the median of each figure per cell, as text or as the README's Markdown table.
#pragma once

#include <string>
#include <vector>

#include "bench/proxy_bench_load.h"

namespace crossmesh::bench {

// One run's figures; CPU microseconds per request for the client-side and the server-side
// proxy; for ours, the share of the client side's handshakes that resumed a session (-1: no
// handshakes, or HAProxy, whose share is not read).
struct Measured {
  LoadResult load;
  double client_cpu_us = 0;
  double server_cpu_us = 0;
  double resumed = -1;
};

// A cell's three runs in one round.
struct Row {
  std::string cell;
  Measured direct;
  Measured ours;
  Measured haproxy;
};

void PrintHeader();
void PrintRow(const Row& row);

// Per cell (in first-seen order), the median over rounds of every figure separately.
std::vector<Row> Medians(const std::vector<Row>& rows);
void PrintMarkdown(const std::vector<Row>& rows);

}  // namespace crossmesh::bench
