#include "emulator/core/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

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

Result<std::chrono::milliseconds> ParseDurationMs(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Error("InvalidParameterValue",
                 fmt::format("invalid duration '{}': {}; use forms like 250ms, 30s, 90m, 12h, "
                             "340d, 2w, 13mo, 1y, 1d12h or 12 months",
                             text, why));
  };
  // A month is 30 days and a year 365, as certificate validity periods count them.
  static const std::map<std::string_view, double> kMilliseconds = {
      {"ms", 1},           {"millisecond", 1}, {"milliseconds", 1}, {"msec", 1},
      {"", 1e3},           {"s", 1e3},         {"sec", 1e3},        {"second", 1e3},
      {"seconds", 1e3},    {"m", 6e4},         {"min", 6e4},        {"minute", 6e4},
      {"minutes", 6e4},    {"h", 3.6e6},       {"hour", 3.6e6},     {"hours", 3.6e6},
      {"d", 8.64e7},       {"day", 8.64e7},    {"days", 8.64e7},    {"w", 6.048e8},
      {"week", 6.048e8},   {"weeks", 6.048e8}, {"mo", 2.592e9},     {"month", 2.592e9},
      {"months", 2.592e9}, {"y", 3.1536e10},   {"year", 3.1536e10}, {"years", 3.1536e10}};
  auto is = [&](size_t i, auto predicate) {
    return i < text.size() && predicate(static_cast<unsigned char>(text[i]));
  };
  auto skip_spaces = [&](size_t& i) {
    while (is(i, [](unsigned char c) { return std::isspace(c); })) ++i;
  };

  double total = 0;
  int terms = 0;
  bool bare_number = false;  // seconds, but only alone: in "1y2" the 2 is a typo, not 2 s
  size_t i = 0;
  skip_spaces(i);
  if (i == text.size()) return invalid("it is empty");
  if (text[i] == '-') return invalid("the virtual clock only moves forward; give a positive span");
  while (i < text.size()) {
    size_t start = i;
    while (is(i, [](unsigned char c) { return std::isdigit(c) || c == '.'; })) ++i;
    std::string number(text.substr(start, i - start));
    if (number.empty() || number.front() == '.' || number.back() == '.' ||
        std::count(number.begin(), number.end(), '.') > 1) {
      return invalid("expected a number");
    }
    if (number.size() > 12) return invalid("number too large");
    skip_spaces(i);

    size_t unit_start = i;
    while (is(i, [](unsigned char c) { return std::isalpha(c); })) ++i;
    auto unit = kMilliseconds.find(text.substr(unit_start, i - unit_start));
    if (unit == kMilliseconds.end()) {
      return invalid(fmt::format("unknown unit '{}'", text.substr(unit_start, i - unit_start)));
    }
    total += std::stod(number) * unit->second;
    bare_number |= unit->first.empty();
    ++terms;
    skip_spaces(i);
  }
  if (bare_number && terms > 1) {
    return invalid("a number without its unit in a combined duration; give every part a unit");
  }
  if (total > 1e15) return invalid("number too large");
  return std::chrono::milliseconds(static_cast<int64_t>(total));
}

Result<std::chrono::seconds> ParseDuration(std::string_view text) {
  auto parsed = ParseDurationMs(text);
  if (!parsed.ok()) return parsed.status();
  return std::chrono::duration_cast<std::chrono::seconds>(*parsed);
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
