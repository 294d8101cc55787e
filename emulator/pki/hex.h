// Hex renderings of byte strings: plain ("0a1b") and colon-separated ("0a:1b"), both lowercase,
// the forms ACM-PCA uses for certificate serials.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace crossmesh::pki {

std::string HexLower(std::span<const uint8_t> bytes);
std::string ColonHexLower(std::span<const uint8_t> bytes);

}  // namespace crossmesh::pki
