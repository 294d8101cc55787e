// YelbAppserver: Yelb's yelb-appserver in C++: its HTTP API on a loopback address (Boost.Beast),
// page views in a real Redis (hiredis) and votes in a real PostgreSQL (libpq). In the mesh, the
// Redis and PostgreSQL endpoints are the appserver sidecar's local TCP egress ports, so those
// hops are mesh hops; in tests they point straight at a DataTier.
//
//   YelbAppserver app({.address = "127.0.2.2", .redis = data.redis(),
//                      .postgres = data.postgres()});
//   auto port = app.Start();   // Result<uint16_t>; port 0 in the options picks a free one
//   ...
//   app.Stop();
//
// Backend connections: a small pool per backend (options.max_idle_connections, default 4) so a
// request does not pay a handshake each time; 0 opens one per query, as Yelb does. The blocking
// client calls run on a thread pool of their own (options.backend_threads), never on the event
// loop, so a shared loop that also runs the sidecars keeps turning while a query waits.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "emulator/core/status.h"
#include "harness/yelb/appserver_routes.h"
#include "harness/yelb/endpoint.h"

namespace boost::asio {
class io_context;
}

namespace crossmesh::yelb {

struct AppserverOptions {
  std::string address = "127.0.0.1";  // loopback only
  uint16_t port = 0;                  // Yelb uses 4567; 0 picks a free port
  Endpoint redis{"127.0.0.1", 6379};
  Endpoint postgres{"127.0.0.1", 5432};
  std::string hostname{};           // what /api/hostname answers; empty: this machine's host name
  size_t max_idle_connections = 4;  // per backend; 0: a new connection per query (as Yelb)
  std::chrono::milliseconds backend_timeout{2000};  // connect, and each command or query
  int backend_threads = 4;
  int threads = 2;  // HTTP threads when no io_context is given
};

class YelbAppserver {
 public:
  // Runs on a small thread pool of its own.
  explicit YelbAppserver(AppserverOptions options);
  // Runs on the caller's io_context (the caller runs it).
  YelbAppserver(AppserverOptions options, boost::asio::io_context& io_context);
  ~YelbAppserver();
  YelbAppserver(const YelbAppserver&) = delete;
  YelbAppserver& operator=(const YelbAppserver&) = delete;

  // Binds and starts serving; the bound port. InvalidConfiguration for a non-loopback address
  // or a port in use.
  Result<uint16_t> Start();
  // Closes the listener and every connection, waits for queries in flight. Idempotent.
  void Stop();

  uint16_t port() const;
  std::string Url() const;  // "http://127.0.2.2:4567"
  AppserverCounters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crossmesh::yelb
