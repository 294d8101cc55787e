// Watchdog: runs a callback (usually "close this connection") when a deadline passes first:
// handshake, connect and idle timeouts. Must be used from the strand of the connection it
// guards; disarming (or destroying) it guarantees the callback will not run.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
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

 private:
  struct State {
    explicit State(const boost::asio::any_io_executor& executor) : timer(executor) {}
    boost::asio::steady_timer timer;
    uint64_t generation = 0;
    bool expired = false;
  };
  boost::asio::any_io_executor executor_;
  // Made on the first Arm: many watchdogs of a request are never armed (no idle limit), and
  // a timer and its state per request showed among the allocations in profiles.
  std::shared_ptr<State> state_;
  bool armed_ = false;
};

}  // namespace crossmesh::proxy
