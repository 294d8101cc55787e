// Stats: one proxy's counters and gauges under Envoy's names ("listener.127.0.0.1_15000.ssl.
// handshake", "cluster.<name>.upstream_rq_2xx", "server.days_until_first_cert_expiring"), and
// their /stats text form ("name: value", sorted).
//
// Counters live as long as the Stats object and never move, so hot paths resolve a Counter once
// and then increment it without locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace crossmesh::proxy {

class Counter {
 public:
  void Inc(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Stats {
 public:
  // The counter named `name`, created at zero on first use.
  Counter& GetCounter(std::string_view name);
  // A gauge whose value is computed when read (days until a certificate expires, ...).
  void SetGauge(const std::string& name, std::function<int64_t()> read);
  void RemoveGauge(const std::string& name);

  // Current value of a counter or gauge; 0 when unknown.
  int64_t Value(std::string_view name) const;
  // Every stat as "name: value\n", sorted by name; only those `keep` keeps, when set.
  std::string RenderText(const std::function<bool(const std::string&)>& keep = nullptr) const;
  std::map<std::string, int64_t> Snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Counter>, std::less<>> counters_;
  std::map<std::string, std::function<int64_t()>, std::less<>> gauges_;
};

// A prefix into a Stats object: StatScope(stats, "cluster.foo.").Get("upstream_rq_total").
class StatScope {
 public:
  StatScope(Stats& stats, std::string prefix) : stats_(&stats), prefix_(std::move(prefix)) {}
  Counter& Get(std::string_view name) const;
  const std::string& prefix() const { return prefix_; }
  Stats& stats() const { return *stats_; }

 private:
  Stats* stats_;
  std::string prefix_;
};

// The ssl.* counters of one listener or cluster, resolved once (ssl_stats.rst).
struct SslStats {
  explicit SslStats(const StatScope& scope);

  StatScope ssl;  // "<scope>ssl." for versions.*, ciphers.*, curves.*
  Counter& handshake;
  Counter& connection_error;  // TLS errors that are not certificate verification failures
  Counter& fail_verify_error;
  Counter& fail_verify_san;
  Counter& fail_verify_no_cert;
  Counter& no_certificate;  // successful handshakes without a client certificate
  Counter& session_reused;
};

// "listener.127.0.0.1_15000." as Envoy names a listener's stats.
std::string ListenerStatPrefix(std::string_view address, uint16_t port);
// "cluster.<name>."
std::string ClusterStatPrefix(std::string_view cluster);

}  // namespace crossmesh::proxy
