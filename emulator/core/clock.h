// VirtualClock: the emulator's notion of "now" for every expiry and renewal rule.
//
// Virtual time is the wall clock plus an offset that only grows. Scenarios jump months ahead by
// advancing the offset; SigV4 skew checks keep using the wall clock (see auth/sigv4.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>

#include "emulator/core/status.h"

namespace crossmesh {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// 2200-01-01T00:00:00Z: virtual time goes no further (Emulator::AdvanceClock refuses), leaving
// room for validity periods before time points overflow in 2262.
inline constexpr std::time_t kLatestVirtualTime = 7258118400;

class VirtualClock {
 public:
  using WallSource = std::function<TimePoint()>;

  explicit VirtualClock(WallSource wall = [] { return Clock::now(); });

  TimePoint Now() const;
  TimePoint WallNow() const { return wall_(); }
  std::chrono::seconds Offset() const;

  // Moves virtual time so that Now() reads `target` (never backwards: earlier targets are ignored).
  void MoveTo(TimePoint target);
  void SetOffset(std::chrono::seconds offset);

 private:
  WallSource wall_;
  mutable std::mutex mutex_;
  std::chrono::seconds offset_{0};
};

// Parses "250ms", "30s", "90m", "12h", "340d", "2w", "13mo" (30-day months), "1y" (365 days),
// a bare number of seconds, the long unit names ("12 months", "1.5 days"), and several terms
// joined ("1d12h"). The one syntax of `crossmesh clock advance`, the admin API and scenarios.
Result<std::chrono::milliseconds> ParseDurationMs(std::string_view text);
// The same, truncated to whole seconds.
Result<std::chrono::seconds> ParseDuration(std::string_view text);

// "2026-12-04T15:58:08Z"
std::string FormatIso8601(TimePoint t);
// Epoch seconds with millisecond fraction, as AWS JSON protocols send timestamps.
double EpochSeconds(TimePoint t);
// How the store keeps times: integer epoch milliseconds.
int64_t ToMillis(TimePoint t);
TimePoint FromMillis(int64_t ms);

}  // namespace crossmesh
