#include "harness/proxy/watchdog.h"

#include <boost/asio/steady_timer.hpp>
#include <utility>

namespace crossmesh::proxy {

namespace asio = boost::asio;

// A deadline is kept lazily: arming again with a later deadline (an idle time pushed back by
// each read or request) leaves the waiting timer alone, and disarming does not cancel it; when
// it fires early it waits again for the deadline of the moment. Profiles of a sidecar showed
// a timer set and cancelled (and the cancellation's completion run) several times per
// request. Destroying the watchdog cancels the wait, so a finished connection leaves no
// timer behind (an io_context's run() returns once its work is done).
struct Watchdog::State {
  explicit State(const asio::any_io_executor& executor) : timer(executor) {}

  asio::steady_timer timer;
  std::chrono::steady_clock::time_point deadline;
  std::function<void()> on_expire;
  uint64_t wait_id = 0;  // only the latest wait's completion counts
  bool waiting = false;
  bool armed = false;
  bool expired = false;
};

namespace {

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
  // Moved out first: the callback may end the watchdog, or arm it again.
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
  if (!state_ || !state_->waiting) return;
  state_->armed = false;
  state_->on_expire = nullptr;
  try {
    state_->timer.cancel();
  } catch (const boost::system::system_error&) {
    // cancel() only throws if the reactor is gone, when there is nothing left to cancel.
  }
}

void Watchdog::Arm(std::chrono::milliseconds after, std::function<void()> on_expire) {
  if (after.count() <= 0) {
    Disarm();
    if (state_) state_->expired = false;
    return;
  }
  if (!state_) state_ = std::make_shared<State>(executor_);
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
