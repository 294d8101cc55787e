// Watchdog: runs a callback (usually "close this connection") when a deadline passes first:
// handshake, connect and idle timeouts. Must be used from the strand of the connection it
// guards; disarming (or destroying) it guarantees the callback will not run.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace crossmesh::proxy {

class Watchdog {
 public:
  explicit Watchdog(const boost::asio::any_io_executor& executor);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  Watchdog(Watchdog&&) = delete;
  Watchdog& operator=(Watchdog&&) = delete;

  // Replaces any earlier deadline. A zero or negative `after` disarms.
  void Arm(std::chrono::milliseconds after, std::function<void()> on_expire);
  void Disarm();
  // True when the last armed deadline fired.
  bool expired() const;

  // The timer behind a watchdog and its deadline (watchdog.cc).
  struct State;

 private:
  boost::asio::any_io_executor executor_;
  // Taken on the first Arm: many watchdogs of a request are never armed (no idle limit).
  std::shared_ptr<State> state_;
};

}  // namespace crossmesh::proxy
