#include "emulator/core/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cctype>

namespace crossmesh {

VirtualClock::VirtualClock(WallSource wall) : wall_(std::move(wall)) {}

TimePoint VirtualClock::Now() const {
  std::lock_guard lock(mutex_);
  return wall_() + offset_;
}

std::chrono::seconds VirtualClock::Offset() const {
  std::lock_guard lock(mutex_);
  return offset_;
}

void VirtualClock::MoveTo(TimePoint target) {
  std::lock_guard lock(mutex_);
  auto wanted = std::chrono::ceil<std::chrono::seconds>(target - wall_());
  if (wanted > offset_) offset_ = wanted;
}

void VirtualClock::SetOffset(std::chrono::seconds offset) {
  std::lock_guard lock(mutex_);
  offset_ = offset;
}

Result<std::chrono::seconds> ParseDuration(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Error("InvalidParameterValue",
                 fmt::format("invalid duration '{}': {}; use forms like 30s, 90m, 12h, 340d, 2w, "
                             "13mo, 1y or 1d12h",
                             text, why));
  };
  if (text.empty()) return invalid("it is empty");

  long long total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) return invalid("expected a number");
    if (i - start > 9) return invalid("number too large");
    long long value = std::stoll(std::string(text.substr(start, i - start)));

    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    long long scale = 0;
    if (unit.empty() || unit == "s") {
      scale = 1;
    } else if (unit == "m") {
      scale = 60;
    } else if (unit == "h") {
      scale = 3600;
    } else if (unit == "d") {
      scale = 86400;
    } else if (unit == "w") {
      scale = 7 * 86400;
    } else if (unit == "mo") {
      scale = 30 * 86400;
    } else if (unit == "y") {
      scale = 365 * 86400;
    } else {
      return invalid(fmt::format("unknown unit '{}'", unit));
    }
    total += value * scale;
  }
  return std::chrono::seconds(total);
}

std::string FormatIso8601(TimePoint t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

double EpochSeconds(TimePoint t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return static_cast<double>(ms) / 1000.0;
}

int64_t ToMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint FromMillis(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace crossmesh
