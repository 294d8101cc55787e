#include "harness/proxy/san_match.h"

#include <algorithm>
#include <cctype>

#include "harness/proxy/http_message.h"

namespace crossmesh::proxy {

bool DnsSanMatches(std::string_view san, std::string_view expected) {
  if (san.empty() || expected.empty()) return false;
  if (EqualsIgnoreCase(san, expected)) return true;
  if (!san.starts_with("*.")) return false;
  // The wildcard stands for one whole, non-empty leftmost label.
  const size_t dot = expected.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  return EqualsIgnoreCase(san.substr(1), expected.substr(dot));
}

bool AnySanMatches(const std::vector<pki::AltName>& sans,
                   const std::vector<std::string>& expected) {
  for (const pki::AltName& san : sans) {
    for (const std::string& name : expected) {
      const bool matches = san.kind == "dns" ? DnsSanMatches(san.value, name) : san.value == name;
      if (matches) return true;
    }
  }
  return false;
}

}  // namespace crossmesh::proxy
