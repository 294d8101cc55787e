// ProxyRuntime: many proxies in one process on one small thread pool, and the SecretStore
// they share (the SDS server). This is the API the control plane drives:
//
//   ProxyRuntime runtime({.threads = 2});
//   runtime.secrets().PushCertificate("acm:arn:...:certificate/abc", chain_pem, key_pem);
//   runtime.secrets().PushValidationContext("acmpca:arn:...:certificate-authority/x", ca_pem);
//   Result<std::shared_ptr<Proxy>> ui = runtime.Start(RenderConfigFor("yelb-ui"));
//   runtime.Update(RenderConfigFor("yelb-ui"));   // after a mesh change, same name
//   runtime.secrets().PushCertificate(...);       // after a renewal: a hot rotation
//   runtime.Stop("yelb-ui");
//
// Secret names are global to the runtime, so the control plane should make them unique per
// owner (for example the ACM ARN, which already names the account). All methods are
// thread-safe; none may be called from a thread of the runtime's pool.
#pragma once

#include <pthread.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "emulator/core/status.h"
#include "harness/proxy/config.h"
#include "harness/proxy/proxy.h"
#include "harness/proxy/secret_store.h"

namespace crossmesh::proxy {

class ProxyRuntime {
 public:
  struct Options {
    int threads = 2;
  };

  explicit ProxyRuntime(Options options);
  ProxyRuntime() : ProxyRuntime(Options{}) {}
  // Stops every proxy and joins the pool.
  ~ProxyRuntime();
  ProxyRuntime(const ProxyRuntime&) = delete;
  ProxyRuntime& operator=(const ProxyRuntime&) = delete;
  ProxyRuntime(ProxyRuntime&&) = delete;
  ProxyRuntime& operator=(ProxyRuntime&&) = delete;

  SecretStore& secrets() { return secrets_; }
  boost::asio::io_context& io_context() { return ioc_; }

  // AlreadyExists when a proxy of that name runs; else as Proxy::Start.
  Result<std::shared_ptr<Proxy>> Start(ProxyConfig config);
  // NotFound when no proxy of that name runs; else as Proxy::Update.
  Status Update(ProxyConfig config);
  Status Stop(const std::string& name);
  void StopAll();

  std::shared_ptr<Proxy> Find(const std::string& name) const;
  // CPU time the pool's threads have used so far (all proxies together), for benches.
  std::chrono::nanoseconds CpuTime() const;
  std::vector<std::string> Names() const;

 private:
  SecretStore secrets_;  // first: outlives the io_context and anything its handlers hold
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::vector<pthread_t> thread_ids_;  // for CpuTime
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Proxy>> proxies_;
};

}  // namespace crossmesh::proxy
