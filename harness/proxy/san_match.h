// Subject Alternative Name checks on a peer certificate, with DNS semantics: a wildcard SAN on
// the certificate ("*.example.com") covers exactly one leftmost label ("api.example.com", not
// "example.com" nor "a.b.example.com"); comparison ignores ASCII case. Envoy applies the same
// rule to its exact DNS matchers, and App Mesh's discovery-name rule accepts wildcard
// certificates (appmesh-tls-semantics.md 1.6).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/pki/general_names.h"

namespace crossmesh::proxy {

// True when certificate SAN `san` covers the configured name `expected`.
bool DnsSanMatches(std::string_view san, std::string_view expected);

// True when one of a certificate's `sans` matches one of `expected`, as Envoy's exact SAN
// matchers do: a DNS name with the rule above, a URI (a SPIFFE id), email address or IP address
// (in its text form) when equal.
bool AnySanMatches(const std::vector<pki::AltName>& sans, const std::vector<std::string>& expected);

}  // namespace crossmesh::proxy
