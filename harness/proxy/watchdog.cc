#include "harness/proxy/watchdog.h"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <utility>
#include <vector>

namespace crossmesh::proxy {

namespace asio = boost::asio;

namespace {

class WatchdogPool;

}  // namespace

// A deadline is kept lazily: arming again with a later deadline (the common case, an idle
// time pushed back by each request) leaves the waiting timer alone, and disarming does not
// cancel it; when it fires early it waits again for the deadline of the moment. Profiles of
// a sidecar showed a timer set and cancelled (and the cancellation's completion run) several
// times per request.
struct Watchdog::State {
  State(const asio::any_io_executor& executor, WatchdogPool* owner)
      : executor(executor), timer(executor), pool(owner) {}

  asio::any_io_executor executor;
  asio::steady_timer timer;
  WatchdogPool* pool;
  std::chrono::steady_clock::time_point deadline;
  std::function<void()> on_expire;
  uint64_t wait_id = 0;  // only the latest wait's completion counts
  bool waiting = false;
  bool armed = false;
  bool expired = false;
};

namespace {

// Lets a watchdog's state, with its timer still waiting, go to the next watchdog of the same
// executor (the next request of a connection) instead of being cancelled and freed. One per
// execution context, so no state outlives the context's timers.
class WatchdogPool : public asio::execution_context::service {
 public:
  using key_type = WatchdogPool;
  static inline asio::execution_context::id id;  // NOLINT(readability-identifier-naming)

  explicit WatchdogPool(asio::execution_context& context) : service(context) {}

  std::shared_ptr<Watchdog::State> Take(const asio::any_io_executor& executor) {
    {
      std::lock_guard lock(mutex_);
      // Only a few from the top: with strands, states of other connections pile up there.
      const size_t look = std::min<size_t>(idle_.size(), 8);
      for (size_t i = idle_.size(); i > idle_.size() - look; --i) {
        if (idle_[i - 1]->executor != executor) continue;
        std::swap(idle_[i - 1], idle_.back());
        std::shared_ptr<Watchdog::State> state = std::move(idle_.back());
        idle_.pop_back();
        return state;
      }
    }
    return std::make_shared<Watchdog::State>(executor, this);
  }

  void Give(std::shared_ptr<Watchdog::State> state) {
    state->armed = false;
    state->expired = false;
    state->on_expire = nullptr;
    std::lock_guard lock(mutex_);
    if (closed_ || idle_.size() >= kMaxIdle) {
      CancelWait(*state);
      return;
    }
    idle_.push_back(std::move(state));
  }

 private:
  static constexpr size_t kMaxIdle = 1024;

  static void CancelWait(Watchdog::State& state) {
    try {
      state.timer.cancel();
    } catch (const boost::system::system_error&) {
      // cancel() only throws if the reactor is gone, when there is nothing left to cancel.
    }
  }

  void shutdown() override {
    std::vector<std::shared_ptr<Watchdog::State>> idle;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      idle.swap(idle_);
    }
    for (const auto& state : idle) CancelWait(*state);
  }

  std::mutex mutex_;
  std::vector<std::shared_ptr<Watchdog::State>> idle_;
  bool closed_ = false;
};

void WaitForDeadline(const std::shared_ptr<Watchdog::State>& state);

void OnDeadlineTimer(const std::shared_ptr<Watchdog::State>& state, uint64_t wait_id,
                     const boost::system::error_code& ec) {
  if (wait_id != state->wait_id) return;
  state->waiting = false;
  if (ec || !state->armed) return;
  if (std::chrono::steady_clock::now() < state->deadline) {
    WaitForDeadline(state);
    return;
  }
  state->armed = false;
  state->expired = true;
  // Moved out first: the callback may end the watchdog, whose state then serves another.
  const std::function<void()> fire = std::move(state->on_expire);
  fire();
}

void WaitForDeadline(const std::shared_ptr<Watchdog::State>& state) {
  state->timer.expires_at(state->deadline);  // an earlier wait completes, overtaken
  state->waiting = true;
  const uint64_t wait_id = ++state->wait_id;
  state->timer.async_wait([state, wait_id](const boost::system::error_code& ec) {
    OnDeadlineTimer(state, wait_id, ec);
  });
}

}  // namespace

Watchdog::Watchdog(const asio::any_io_executor& executor) : executor_(executor) {}

Watchdog::~Watchdog() {
  if (state_) state_->pool->Give(std::move(state_));
}

void Watchdog::Arm(std::chrono::milliseconds after, std::function<void()> on_expire) {
  if (after.count() <= 0) {
    Disarm();
    if (state_) state_->expired = false;
    return;
  }
  if (!state_) {
    auto& pool = asio::use_service<WatchdogPool>(asio::query(executor_, asio::execution::context));
    state_ = pool.Take(executor_);
  }
  state_->deadline = std::chrono::steady_clock::now() + after;
  state_->on_expire = std::move(on_expire);
  state_->armed = true;
  state_->expired = false;
  if (!state_->waiting || state_->timer.expiry() > state_->deadline) WaitForDeadline(state_);
}

void Watchdog::Disarm() {
  if (state_) state_->armed = false;
}

bool Watchdog::expired() const { return state_ && state_->expired; }

}  // namespace crossmesh::proxy
