// What yelb-ui's forwarding did, for scenario expectations (kept apart from upstream_pool.h so
// the public yelb_ui.h needs no Asio header).
#pragma once

#include <cstdint>

namespace crossmesh::yelb {

struct UpstreamCounters {
  uint64_t forwarded = 0;           // answers relayed from the upstream
  uint64_t connections_opened = 0;  // TCP connections made to the upstream
  uint64_t failures = 0;            // 502 / 504 answers
};

}  // namespace crossmesh::yelb
