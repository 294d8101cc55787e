#include "emulator/core/ids.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <vector>

namespace crossmesh {
namespace {

std::vector<unsigned char> RandomBytes(size_t n) {
  std::vector<unsigned char> out(n);
  FillRandom(out);
  return out;
}

// One block per thread, handed out once each; a forked child starts a block of its own rather
// than repeat its parent's bytes.
struct RandomBlock {
  std::array<uint8_t, 512> bytes{};
  size_t used = 512;
  pid_t owner = 0;
};

}  // namespace

void FillRandom(std::span<uint8_t> out) {
  thread_local RandomBlock block;
  const pid_t pid = getpid();
  if (block.owner != pid) {
    block.used = block.bytes.size();
    block.owner = pid;
  }
  size_t filled = 0;
  while (filled < out.size()) {
    if (block.used == block.bytes.size()) {
      if (RAND_bytes(block.bytes.data(), static_cast<int>(block.bytes.size())) != 1) {
        // Without randomness no identifier or key is safe to hand out; this is not recoverable.
        throw std::runtime_error("OpenSSL RAND_bytes failed");
      }
      block.used = 0;
    }
    const size_t take = std::min(out.size() - filled, block.bytes.size() - block.used);
    std::copy_n(block.bytes.begin() + static_cast<std::ptrdiff_t>(block.used), take,
                out.begin() + static_cast<std::ptrdiff_t>(filled));
    // Handed-out bytes are not kept where a later reader of this memory could find them.
    std::fill_n(block.bytes.begin() + static_cast<std::ptrdiff_t>(block.used), take, 0);
    block.used += take;
    filled += take;
  }
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

std::string NewHexId(size_t bytes) {
  auto raw = RandomBytes(bytes);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string NewUuid() {
  auto raw = RandomBytes(16);
  raw[6] = (raw[6] & 0x0F) | 0x40;  // version 4
  raw[8] = (raw[8] & 0x3F) | 0x80;  // RFC 4122 variant
  std::string hex = HexEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), 16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace crossmesh
