#include "emulator/acmpca/model/validity.h"

#include <fmt/format.h>

#include <string>

#include "emulator/acmpca/model/signer.h"

namespace crossmesh::acmpca {
namespace {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_days;

// 2255-03-14: system_clock counts nanoseconds in 64 bits, which ends in 2262.
constexpr int64_t kMaxEpochSeconds = 9'000'000'000;

Status TooFar(std::string_view what) {
  return Error("InvalidArgsException",
               fmt::format("{} ends after 2255-03-14, the latest time crossmesh can represent; "
                           "choose an earlier end",
                           what));
}

int64_t ToSeconds(TimePoint time) {
  return std::chrono::duration_cast<seconds>(time.time_since_epoch()).count();
}

Result<TimePoint> FromEpochSeconds(int64_t value, std::string_view what) {
  if (value < 0 || value > kMaxEpochSeconds) return TooFar(what);
  return TimePoint(seconds(value));
}

// "491231235959" (UTCTime: YY >= 50 is 19YY) or "20491231235959" (GeneralizedTime).
Result<TimePoint> ParseEndDate(int64_t value) {
  std::string digits = std::to_string(value);
  auto invalid = [&] {
    return Error("InvalidArgsException",
                 fmt::format("Validity END_DATE {} is not a date: use YYMMDDHHMMSS or "
                             "YYYYMMDDHHMMSS, for example 20491231235959",
                             value));
  };
  if (digits.size() != 12 && digits.size() != 14) return invalid();

  auto field = [&](size_t at, size_t length) { return std::stoi(digits.substr(at, length)); };
  size_t year_digits = digits.size() == 14 ? 4 : 2;
  int year = field(0, year_digits);
  if (year_digits == 2) year += year >= 50 ? 1900 : 2000;
  size_t at = year_digits;
  int month = field(at, 2), day = field(at + 2, 2);
  int hour = field(at + 4, 2), minute = field(at + 6, 2), second = field(at + 8, 2);

  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                   std::chrono::day(day)};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return invalid();
  int64_t epoch_seconds = int64_t{sys_days(date).time_since_epoch().count()} * 86400 +
                          int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
  return FromEpochSeconds(epoch_seconds, fmt::format("Validity END_DATE {}", value));
}

}  // namespace

TimePoint AddMonths(TimePoint time, int64_t months) {
  sys_days day = std::chrono::floor<days>(time);
  auto time_of_day = time - day;
  std::chrono::year_month_day date{day};
  auto month = std::chrono::year_month{date.year(), date.month()} +
               std::chrono::months(static_cast<int>(months));
  auto last =
      std::chrono::year_month_day_last{month.year(), std::chrono::month_day_last{month.month()}};
  std::chrono::day clamped = std::min(date.day(), last.day());
  return TimePoint(sys_days(month / clamped)) + time_of_day;
}

Result<TimePoint> ResolveNotAfter(const Validity& validity, TimePoint now) {
  TimePoint start = WholeSeconds(now);
  const int64_t value = validity.value;
  // Bounds checked before the arithmetic, so huge values cannot overflow.
  const int64_t horizon_days = (kMaxEpochSeconds - ToSeconds(start)) / 86400;
  switch (validity.type) {
    case ValidityType::kEndDate:
      return ParseEndDate(value);
    case ValidityType::kAbsolute:
      return FromEpochSeconds(value, fmt::format("Validity ABSOLUTE {}", value));
    case ValidityType::kDays:
      if (value > horizon_days) return TooFar(fmt::format("Validity {} DAYS", value));
      return start + days(value);
    case ValidityType::kMonths:
      if (value > horizon_days / 31) return TooFar(fmt::format("Validity {} MONTHS", value));
      return AddMonths(start, value);
    case ValidityType::kYears:
      if (value > horizon_days / 366) return TooFar(fmt::format("Validity {} YEARS", value));
      return AddMonths(start, value * 12);
  }
  return Error("InvalidArgsException", "unknown Validity Type");
}

Result<TimePoint> ResolveNotBefore(const Validity& validity) {
  switch (validity.type) {
    case ValidityType::kAbsolute:
      return FromEpochSeconds(validity.value,
                              fmt::format("ValidityNotBefore ABSOLUTE {}", validity.value));
    case ValidityType::kEndDate:
      return ParseEndDate(validity.value);
    default:
      return Error("InvalidArgsException",
                   fmt::format("ValidityNotBefore must be an explicit time (Type ABSOLUTE, Unix "
                               "seconds); {} is relative",
                               NameOf(kValidityTypeNames, validity.type)));
  }
}

}  // namespace crossmesh::acmpca
