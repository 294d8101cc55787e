#include "emulator/pki/hex.h"

#include <string_view>

namespace crossmesh::pki {
namespace {

constexpr std::string_view kDigits = "0123456789abcdef";

std::string Render(std::span<const uint8_t> bytes, bool colons) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (uint8_t byte : bytes) {
    if (colons && !out.empty()) out += ':';
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0f];
  }
  return out;
}

}  // namespace

std::string HexLower(std::span<const uint8_t> bytes) { return Render(bytes, false); }
std::string ColonHexLower(std::span<const uint8_t> bytes) { return Render(bytes, true); }

}  // namespace crossmesh::pki
