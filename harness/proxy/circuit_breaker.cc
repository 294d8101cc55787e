#include "harness/proxy/circuit_breaker.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace crossmesh::proxy {

asio::awaitable<CircuitBreaker::Entry> CircuitBreaker::Enter(
    std::chrono::milliseconds wait, const std::shared_ptr<RequestCancel>& cancel, Turn& turn) {
  std::shared_ptr<Waiter> waiter;
  {
    const std::lock_guard lock(mutex_);
    if (active_ < limit_) {
      ++active_;
      turn = MakeTurn();
      co_return Entry::kEntered;
    }
    if (queue_.size() >= queue_max_) co_return Entry::kOverflow;
    if (cancel && cancel->cancelled) co_return Entry::kTimedOut;
    waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
    waiter->timer.expires_after(wait);
    queue_.push_back(waiter);
  }

  // A reset while waiting ends the wait (on the request's own strand, as the timer's).
  if (cancel) cancel->on_cancel = [waiter] { waiter->timer.cancel(); };
  ErrorCode ec;
  co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (cancel) cancel->on_cancel = nullptr;

  const std::lock_guard lock(mutex_);
  if (waiter->granted) {  // the turn was passed on to it (active_ counts it already)
    turn = MakeTurn();
    co_return Entry::kWaited;
  }
  queue_.erase(std::remove(queue_.begin(), queue_.end(), waiter), queue_.end());
  co_return Entry::kTimedOut;
}

size_t CircuitBreaker::active() const {
  const std::lock_guard lock(mutex_);
  return active_;
}

size_t CircuitBreaker::waiting() const {
  const std::lock_guard lock(mutex_);
  return queue_.size();
}

CircuitBreaker::Turn CircuitBreaker::MakeTurn() {
  return Turn(nullptr, [self = shared_from_this()](void*) { self->Leave(); });
}

void CircuitBreaker::Leave() {
  const std::lock_guard lock(mutex_);
  if (queue_.empty()) {
    --active_;
    return;
  }
  // Passed straight on: the waiter wakes on its own strand, where its timer lives.
  std::shared_ptr<Waiter> next = queue_.front();
  queue_.pop_front();
  next->granted = true;
  asio::post(next->timer.get_executor(), [next] { next->timer.cancel(); });
}

}  // namespace crossmesh::proxy
