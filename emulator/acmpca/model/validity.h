// IssueCertificate's Validity and ValidityNotBefore, turned into certificate times.
// See the ACM-PCA API reference, Validity: END_DATE is UTCTime (YYMMDDHHMMSS) or
// GeneralizedTime (YYYYMMDDHHMMSS), ABSOLUTE is Unix seconds, DAYS / MONTHS / YEARS count from
// the moment of issuance (months and years on the calendar).
#pragma once

#include "emulator/acmpca/model/types.h"
#include "emulator/core/clock.h"
#include "emulator/core/status.h"

namespace crossmesh::acmpca {

// The notAfter `validity` asks for when issuing at `now` (whole seconds). InvalidArgsException
// for an END_DATE that is not a date, and for times past what crossmesh represents (year 2255).
Result<TimePoint> ResolveNotAfter(const Validity& validity, TimePoint now);

// The notBefore a ValidityNotBefore asks for: an explicit time, so ABSOLUTE or END_DATE only.
Result<TimePoint> ResolveNotBefore(const Validity& validity);

// Adds calendar months, keeping the time of day and clamping the day to the month's last
// (January 31 plus one month is February 28 or 29).
TimePoint AddMonths(TimePoint time, int64_t months);

}  // namespace crossmesh::acmpca
