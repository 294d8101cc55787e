// YelbUi: Yelb's yelb-ui: serves the Yelb page (ui_page.h) and forwards /api/* to
// yelb-appserver, as the nginx in Yelb's image does (HTTP/1.1, keep-alive, see upstream_pool.h).
// In the mesh the upstream is the ui sidecar's local egress port for yelb-appserver.
//
//   YelbUi ui({.address = "127.0.1.2", .appserver = {"127.0.1.2", 15001}});
//   auto port = ui.Start();   // Result<uint16_t>
//   ...
//   ui.Stop();
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "emulator/core/status.h"
#include "harness/yelb/endpoint.h"
#include "harness/yelb/upstream_counters.h"

namespace boost::asio {
class io_context;
}

namespace crossmesh::yelb {

struct UiOptions {
  std::string address = "127.0.0.1";  // loopback only
  uint16_t port = 0;                  // Yelb's nginx uses 80; 0 picks a free port
  Endpoint appserver{"127.0.0.1", 4567};
  std::string appserver_host = "yelb-appserver:4567";  // Host header sent upstream
  std::chrono::milliseconds upstream_timeout{5000};
  size_t max_idle_upstream = 8;  // idle keep-alive connections to the upstream
  int threads = 2;               // when no io_context is given
};

class YelbUi {
 public:
  // Runs on a small thread pool of its own.
  explicit YelbUi(UiOptions options);
  // Runs on the caller's io_context (the caller runs it).
  YelbUi(UiOptions options, boost::asio::io_context& io_context);
  ~YelbUi();
  YelbUi(const YelbUi&) = delete;
  YelbUi& operator=(const YelbUi&) = delete;

  // Binds and starts serving; the bound port.
  Result<uint16_t> Start();
  // Closes the listener, the client connections and the idle upstream ones. Idempotent.
  void Stop();

  uint16_t port() const;
  std::string Url() const;  // "http://127.0.1.2:8080"
  UpstreamCounters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crossmesh::yelb
