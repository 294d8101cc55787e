// Writing DER (X.690) by hand, for the few structures assembled from parts that are already
// encoded: a TLV around contents, and OpenSSL objects encoded into a string.
#pragma once

#include <openssl/asn1.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "emulator/core/status.h"

namespace crossmesh::pki {

namespace der {
inline constexpr uint8_t kBoolean = 0x01;
inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kBitString = 0x03;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kObjectIdentifier = 0x06;
inline constexpr uint8_t kSequence = 0x30;
// Context-specific, constructed: [n] EXPLICIT.
constexpr uint8_t Explicit(int n) { return static_cast<uint8_t>(0xa0 | n); }
}  // namespace der

// Appends tag, definite length and `contents` to `out`.
void AppendTlv(std::string& out, uint8_t tag, std::string_view contents);
std::string Tlv(uint8_t tag, std::string_view contents);

// The DER of `value` by its i2d function; empty when OpenSSL fails to encode it.
template <typename T, typename Encode>
std::string EncodeDer(const T* value, Encode encode) {
  unsigned char* data = nullptr;
  const int length = encode(value, &data);
  std::string out;
  if (length > 0) out.assign(reinterpret_cast<const char*>(data), static_cast<size_t>(length));
  OPENSSL_free(data);
  return out;
}

}  // namespace crossmesh::pki
