// Conversion between std::chrono::system_clock time points and ASN1_TIME, at whole seconds
// (X.509 times carry no fractions; RFC 5280 4.1.2.5).
#pragma once

#include <openssl/asn1.h>

#include <chrono>
#include <ctime>
#include <string>

#include "emulator/core/status.h"

namespace crossmesh::pki {

using TimePoint = std::chrono::system_clock::time_point;

// Seconds since the epoch, rounded down.
std::time_t ToUnixSeconds(TimePoint time);

// Sets `target` to `time`: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280).
Status SetAsn1Time(ASN1_TIME* target, TimePoint time);

// The time `time` denotes; MalformedCertificateException when it does not parse.
Result<TimePoint> FromAsn1Time(const ASN1_TIME* time);

// "2026-08-01T12:00:00Z", for messages.
std::string FormatUtc(TimePoint time);

}  // namespace crossmesh::pki
