#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {

Watchdog::Watchdog(const boost::asio::any_io_executor& executor) : executor_(executor) {}

Watchdog::~Watchdog() {
  try {
    Disarm();
  } catch (const boost::system::system_error&) {
    // cancel() only throws if the reactor is gone, when there is nothing left to cancel.
  }
}

void Watchdog::Arm(std::chrono::milliseconds after, std::function<void()> on_expire) {
  Disarm();
  if (state_) state_->expired = false;
  if (after.count() <= 0) return;
  if (!state_) state_ = std::make_shared<State>(executor_);
  armed_ = true;
  const uint64_t generation = state_->generation;
  state_->timer.expires_after(after);
  // The handler holds the state, not the Watchdog, so it is safe after the Watchdog is gone;
  // the generation check makes a disarmed (or re-armed) deadline a no-op even if its handler
  // was already queued.
  state_->timer.async_wait([state = state_, generation,
                            on_expire = std::move(on_expire)](const boost::system::error_code& ec) {
    if (ec || state->generation != generation) return;
    state->expired = true;
    on_expire();
  });
}

void Watchdog::Disarm() {
  if (!armed_) return;
  armed_ = false;
  ++state_->generation;
  state_->timer.cancel();
}

bool Watchdog::expired() const { return state_ && state_->expired; }

}  // namespace crossmesh::proxy
