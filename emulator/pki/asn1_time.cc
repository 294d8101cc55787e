#include "emulator/pki/asn1_time.h"

#include <array>
#include <cstdio>
#include <string>

#include "emulator/pki/errors.h"
#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {

std::time_t ToUnixSeconds(TimePoint time) {
  return static_cast<std::time_t>(
      std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count());
}

Status SetAsn1Time(ASN1_TIME* target, TimePoint time) {
  if (target == nullptr || ASN1_TIME_set(target, ToUnixSeconds(time)) == nullptr) {
    return OpenSslFailure(kInvalidArgs,
                          "cannot encode the time " + FormatUtc(time) + " as an X.509 time");
  }
  return Status::Ok();
}

Result<TimePoint> FromAsn1Time(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
    return OpenSslFailure(kMalformedCertificate, "the certificate holds an unreadable time");
  }
  using namespace std::chrono;
  const year_month_day date{year{parts.tm_year + 1900}, month{unsigned(parts.tm_mon + 1)},
                            day{unsigned(parts.tm_mday)}};
  return TimePoint(sys_days(date) + hours(parts.tm_hour) + minutes(parts.tm_min) +
                   seconds(parts.tm_sec));
}

std::string FormatUtc(TimePoint time) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto days = floor<std::chrono::days>(secs);
  const year_month_day date(days);
  const hh_mm_ss clock(secs - days);
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02u-%02uT%02d:%02d:%02dZ", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), int(clock.hours().count()),
                int(clock.minutes().count()), int(clock.seconds().count()));
  return text.data();
}

}  // namespace crossmesh::pki
