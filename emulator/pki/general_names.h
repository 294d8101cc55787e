// subjectAltName contents: validating DNS names and moving them in and out of GENERAL_NAMES.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/openssl_handles.h"

namespace crossmesh::pki {

// OK for a plausible DNS name: 1-253 characters of letters, digits, '-', '_', '.', and '*'
// only as a whole leftmost label ("*.example.com"). InvalidArgsException otherwise.
Status ValidateDnsName(std::string_view name);

// A GENERAL_NAMES holding one dNSName per entry, after ValidateDnsName on each.
Result<GeneralNamesPtr> MakeDnsGeneralNames(const std::vector<std::string>& dns_names);

// The dNSName entries of `names` in order; other name types (IP, URI, email) are skipped.
std::vector<std::string> DnsNamesOf(const GENERAL_NAMES* names);

// One subjectAltName entry, named as Envoy names them: `kind` "dns", "uri", "email" or
// "ip_address" (dotted IPv4 or RFC 5952 IPv6).
struct AltName {
  std::string kind;
  std::string value;
};
// The DNS, URI, email and IP entries of `names` in order; other types (directory names, ...)
// are skipped.
std::vector<AltName> AltNamesOf(const GENERAL_NAMES* names);

}  // namespace crossmesh::pki
