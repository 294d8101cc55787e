#include "harness/proxy/proxy_runtime.h"

#include <pthread.h>
#include <ctime>

namespace crossmesh::proxy {

// With one thread, telling Asio so lets handlers posted from that thread skip the scheduler's
// wake-ups (a `crossmesh proxy` process, as benchmarked, runs one).
ProxyRuntime::ProxyRuntime(Options options)
    : ioc_(options.threads <= 1 ? 1 : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT),
      work_(boost::asio::make_work_guard(ioc_)) {
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
    thread_ids_.push_back(threads_.back().native_handle());
  }
}

ProxyRuntime::~ProxyRuntime() {
  StopAll();
  work_.reset();
  ioc_.stop();
  for (std::thread& thread : threads_) thread.join();
}

Result<std::shared_ptr<Proxy>> ProxyRuntime::Start(ProxyConfig config) {
  std::lock_guard lock(mutex_);
  if (proxies_.count(config.name) != 0) {
    return Error("AlreadyExists", "a proxy named " + config.name + " is already running");
  }
  Result<std::shared_ptr<Proxy>> proxy =
      Proxy::Start(ioc_, secrets_, std::move(config), threads_.size() == 1);
  if (proxy.ok()) proxies_[proxy.value()->name()] = proxy.value();
  return proxy;
}

Status ProxyRuntime::Update(ProxyConfig config) {
  std::shared_ptr<Proxy> proxy = Find(config.name);
  if (proxy == nullptr) return Error("NotFound", "no proxy named " + config.name + " is running");
  return proxy->Update(std::move(config));
}

Status ProxyRuntime::Stop(const std::string& name) {
  std::shared_ptr<Proxy> proxy;
  {
    std::lock_guard lock(mutex_);
    auto it = proxies_.find(name);
    if (it == proxies_.end()) return Error("NotFound", "no proxy named " + name + " is running");
    proxy = it->second;
    proxies_.erase(it);
  }
  proxy->Stop();
  return Status::Ok();
}

void ProxyRuntime::StopAll() {
  std::map<std::string, std::shared_ptr<Proxy>> proxies;
  {
    std::lock_guard lock(mutex_);
    proxies.swap(proxies_);
  }
  for (auto& [name, proxy] : proxies) proxy->Stop();
}

std::shared_ptr<Proxy> ProxyRuntime::Find(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = proxies_.find(name);
  return it == proxies_.end() ? nullptr : it->second;
}

std::chrono::nanoseconds ProxyRuntime::CpuTime() const {
  std::chrono::nanoseconds total{0};
  for (const pthread_t id : thread_ids_) {
    clockid_t clock{};
    timespec used{};
    if (pthread_getcpuclockid(id, &clock) != 0 || clock_gettime(clock, &used) != 0) {
      continue;
    }
    total += std::chrono::seconds(used.tv_sec) + std::chrono::nanoseconds(used.tv_nsec);
  }
  return total;
}

std::vector<std::string> ProxyRuntime::Names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, proxy] : proxies_) names.push_back(name);
  return names;
}

}  // namespace crossmesh::proxy
