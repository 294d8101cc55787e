// Subject Alternative Name checks on a peer certificate, with DNS semantics: a wildcard SAN on
// the certificate ("*.example.com") covers exactly one leftmost label ("api.example.com", not
// "example.com" nor "a.b.example.com"); comparison ignores ASCII case. Envoy applies the same
// rule to its exact DNS matchers, and App Mesh's discovery-name rule accepts wildcard
// certificates (appmesh-tls-semantics.md 1.6).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crossmesh::proxy {

// True when certificate SAN `san` covers the configured name `expected`.
bool DnsSanMatches(std::string_view san, std::string_view expected);

// True when one of `sans` covers one of `expected`.
bool AnySanMatches(const std::vector<std::string>& sans, const std::vector<std::string>& expected);

}  // namespace crossmesh::proxy
