#include "harness/proxy/stats.h"

#include <fmt/format.h>

namespace crossmesh::proxy {

Counter& Stats::GetCounter(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(name);
  if (it == counters_.end()) {
    it = counters_.emplace(std::string(name), std::make_unique<Counter>()).first;
  }
  return *it->second;
}

void Stats::SetGauge(const std::string& name, std::function<int64_t()> read) {
  std::lock_guard lock(mutex_);
  gauges_[name] = std::move(read);
}

void Stats::RemoveGauge(const std::string& name) {
  std::lock_guard lock(mutex_);
  gauges_.erase(name);
}

int64_t Stats::Value(std::string_view name) const {
  std::function<int64_t()> gauge;
  {
    std::lock_guard lock(mutex_);
    auto counter = counters_.find(name);
    if (counter != counters_.end()) return static_cast<int64_t>(counter->second->value());
    auto it = gauges_.find(name);
    if (it == gauges_.end()) return 0;
    gauge = it->second;
  }
  // Gauges are read outside the lock: they may consult other locked state.
  return gauge();
}

std::map<std::string, int64_t> Stats::Snapshot() const {
  std::map<std::string, int64_t> values;
  std::map<std::string, std::function<int64_t()>, std::less<>> gauges;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, counter] : counters_) {
      values[name] = static_cast<int64_t>(counter->value());
    }
    gauges = gauges_;
  }
  for (const auto& [name, read] : gauges) values[name] = read();
  return values;
}

std::string Stats::RenderText(const std::function<bool(const std::string&)>& keep) const {
  std::string text;
  for (const auto& [name, value] : Snapshot()) {
    if (keep && !keep(name)) continue;
    text += fmt::format("{}: {}\n", name, value);
  }
  return text;
}

Counter& StatScope::Get(std::string_view name) const {
  return stats_->GetCounter(prefix_ + std::string(name));
}

SslStats::SslStats(const StatScope& scope)
    : ssl(scope.stats(), scope.prefix() + "ssl."),
      handshake(ssl.Get("handshake")),
      connection_error(ssl.Get("connection_error")),
      fail_verify_error(ssl.Get("fail_verify_error")),
      fail_verify_san(ssl.Get("fail_verify_san")),
      fail_verify_no_cert(ssl.Get("fail_verify_no_cert")),
      no_certificate(ssl.Get("no_certificate")),
      session_reused(ssl.Get("session_reused")) {}

std::string ListenerStatPrefix(std::string_view address, uint16_t port) {
  return fmt::format("listener.{}_{}.", address, port);
}

std::string ClusterStatPrefix(std::string_view cluster) {
  return fmt::format("cluster.{}.", cluster);
}

}  // namespace crossmesh::proxy
