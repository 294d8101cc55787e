// Random identifiers: request ids, resource UUIDs, hex ids. All from OpenSSL's CSPRNG.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace crossmesh {

// Fills `out` from OpenSSL's CSPRNG, drawn in blocks: a RAND_bytes call costs more than the few
// bytes an identifier needs. Throws when the generator fails (nothing is safe to hand out then).
void FillRandom(std::span<uint8_t> out);

std::string NewUuid();               // "1b4e28ba-2fa1-4d2e-883f-0016d3cca427" (version 4)
bool IsUuid(std::string_view text);  // 8-4-4-4-12 hex digits, as NewUuid writes them
std::string NewHexId(size_t bytes);  // lowercase hex, 2 * bytes characters
std::string HexEncode(std::string_view bytes);
std::string Sha256Hex(std::string_view data);

}  // namespace crossmesh
