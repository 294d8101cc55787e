// CircuitBreaker: Envoy's circuit breakers on the way to a listener's app, as App Mesh's listener
// `connectionPool` sets them. At most `limit` requests are at the app at once (HTTP/1.1: each
// on a connection of its own, so this bounds the connections in use; HTTP/2: streams) or TCP
// connections; up to `queue` more wait their turn, first come first served; one more overflows
// at once. Shared by the listener's connections, which run on different strands.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>

#include "harness/proxy/http_message.h"

namespace crossmesh::proxy {

namespace asio = boost::asio;

class CircuitBreaker : public std::enable_shared_from_this<CircuitBreaker> {
 public:
  // kWaited: entered after waiting for a turn.
  enum class Entry { kEntered, kWaited, kOverflow, kTimedOut };
  // A request's (or connection's) place at the app: the next waiter gets it when it goes.
  using Turn = std::shared_ptr<void>;

  CircuitBreaker(size_t limit, size_t queue) : limit_(limit), queue_max_(queue) {}

  // Takes a turn, waiting at most `wait` for one when all are taken (`turn` is set on
  // kEntered and kWaited). A `cancel`led request stops waiting (kTimedOut).
  asio::awaitable<Entry> Enter(std::chrono::milliseconds wait,
                               const std::shared_ptr<RequestCancel>& cancel, Turn& turn);
  size_t active() const;
  size_t waiting() const;

 private:
  struct Waiter {
    explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    bool granted = false;  // guarded by mutex_
  };

  Turn MakeTurn();
  void Leave();

  mutable std::mutex mutex_;
  const size_t limit_;
  const size_t queue_max_;
  size_t active_ = 0;
  std::deque<std::shared_ptr<Waiter>> queue_;
};

}  // namespace crossmesh::proxy
