// HTTP load through wrk (Debian's wrk 4.1), so that direct, our sidecars and HAProxy are all
// measured by the same client, in a process of its own: one wrk thread, N keep-alive
// connections, or a new connection per request ("Connection: close"). Requests/s and the
// p50/p99 latency come from wrk's --latency report.
#pragma once

#include "bench/proxy_bench_load.h"

namespace crossmesh::bench {

// Runs wrk against 127.0.0.1:spec.port for spec.max_time (whole seconds, at least 1; wrk
// takes no finer duration). spec.max_requests does not apply: wrk is bounded by time only.
// Errors count wrk's socket errors and non-2xx responses.
LoadResult RunWrk(const LoadSpec& spec);

}  // namespace crossmesh::bench
