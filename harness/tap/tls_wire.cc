#include "harness/tap/tls_wire.h"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <mutex>

namespace crossmesh::tap {
namespace {

constexpr uint16_t kSupportedVersions = 43;

// RFC 8446 4.1.3: SHA-256("HelloRetryRequest").
constexpr std::array<uint8_t, 32> kHelloRetryRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// A bounds-checked cursor over a byte span; any overrun makes ok() false for good.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }
  size_t left() const { return ok_ ? bytes_.size() - offset_ : 0; }
  uint32_t Int(size_t width) {
    if (!Need(width)) return 0;
    uint32_t value = 0;
    for (size_t i = 0; i < width; ++i) value = (value << 8) | bytes_[offset_ + i];
    offset_ += width;
    return value;
  }
  std::span<const uint8_t> Bytes(size_t n) {
    if (!Need(n)) return {};
    auto out = bytes_.subspan(offset_, n);
    offset_ += n;
    return out;
  }
  // A vector with a `width`-byte length prefix.
  std::span<const uint8_t> Prefixed(size_t width) { return Bytes(Int(width)); }

 private:
  bool Need(size_t n) {
    if (!ok_ || bytes_.size() - offset_ < n) ok_ = false;
    return ok_;
  }
  std::span<const uint8_t> bytes_;
  size_t offset_ = 0;
  bool ok_ = true;
};

bool IsTlsVersion(uint16_t version) { return version >= 0x0301 && version <= 0x0304; }

// IANA id -> OpenSSL name for every suite this OpenSSL knows, built once.
const std::map<uint16_t, std::string>& SuiteNames() {
  static const std::map<uint16_t, std::string> names = [] {
    std::map<uint16_t, std::string> table;
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_method()), SSL_CTX_free);
    if (ctx == nullptr) return table;
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL");
    STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
      const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
      table[SSL_CIPHER_get_protocol_id(cipher)] = SSL_CIPHER_get_name(cipher);
    }
    return table;
  }();
  return names;
}

}  // namespace

std::optional<RecordHeader> ParseRecordHeader(std::span<const uint8_t> bytes,
                                              std::string& problem) {
  Reader in(bytes.first(std::min(bytes.size(), kRecordHeaderSize)));
  RecordHeader header;
  header.type = static_cast<uint8_t>(in.Int(1));
  header.version = static_cast<uint16_t>(in.Int(2));
  header.length = static_cast<uint16_t>(in.Int(2));
  if (!in.ok()) {
    problem = "truncated record header";
    return std::nullopt;
  }
  if (header.type < kChangeCipherSpec || header.type > kApplicationData) {
    problem = fmt::format("byte 0x{:02x} is not a TLS content type (20-23)", header.type);
    return std::nullopt;
  }
  if (!IsTlsVersion(header.version)) {
    problem = fmt::format("record version 0x{:04x} is not TLS (0x0301-0x0304)", header.version);
    return std::nullopt;
  }
  if (header.length == 0 || header.length > kMaxRecordLength) {
    problem = fmt::format("record length {} is impossible", header.length);
    return std::nullopt;
  }
  return header;
}

std::optional<ServerHello> ParseServerHello(std::span<const uint8_t> body) {
  Reader in(body);
  ServerHello hello;
  hello.version = static_cast<uint16_t>(in.Int(2));
  auto random = in.Bytes(32);
  in.Prefixed(1);  // legacy_session_id_echo
  hello.cipher_suite = static_cast<uint16_t>(in.Int(2));
  in.Int(1);  // legacy_compression_method
  if (!in.ok()) return std::nullopt;
  hello.hello_retry_request = std::equal(random.begin(), random.end(), kHelloRetryRandom.begin());
  if (in.left() == 0) return hello;  // no extensions (TLS 1.2 may omit them)
  Reader extensions(in.Prefixed(2));
  while (extensions.ok() && extensions.left() >= 4) {
    const uint32_t type = extensions.Int(2);
    auto data = extensions.Prefixed(2);
    if (type == kSupportedVersions && data.size() == 2) {
      hello.version = static_cast<uint16_t>((data[0] << 8) | data[1]);
    }
  }
  if (!in.ok() || !extensions.ok()) return std::nullopt;
  return hello;
}

bool ParseClientHello(std::span<const uint8_t> body, uint16_t& max_offered) {
  Reader in(body);
  max_offered = static_cast<uint16_t>(in.Int(2));
  in.Bytes(32);
  in.Prefixed(1);  // legacy_session_id
  in.Prefixed(2);  // cipher_suites
  in.Prefixed(1);  // legacy_compression_methods
  if (!in.ok()) return false;
  if (in.left() == 0) return true;
  Reader extensions(in.Prefixed(2));
  while (extensions.ok() && extensions.left() >= 4) {
    const uint32_t type = extensions.Int(2);
    Reader data(extensions.Prefixed(2));
    if (type != kSupportedVersions) continue;
    Reader versions(data.Prefixed(1));
    while (versions.ok() && versions.left() >= 2) {
      max_offered = std::max(max_offered, static_cast<uint16_t>(versions.Int(2)));
    }
  }
  return in.ok() && extensions.ok();
}

std::optional<std::vector<std::vector<uint8_t>>> ParseCertificateList(
    std::span<const uint8_t> body) {
  Reader in(body);
  Reader list(in.Prefixed(3));
  std::vector<std::vector<uint8_t>> certificates;
  while (list.ok() && list.left() > 0) {
    auto der = list.Prefixed(3);
    if (!list.ok()) break;
    certificates.emplace_back(der.begin(), der.end());
  }
  if (!in.ok() || !list.ok() || in.left() != 0) return std::nullopt;
  return certificates;
}

std::string VersionName(uint16_t version) {
  switch (version) {
    case 0x0301:
      return "TLSv1";
    case 0x0302:
      return "TLSv1.1";
    case 0x0303:
      return "TLSv1.2";
    case 0x0304:
      return "TLSv1.3";
    default:
      return fmt::format("0x{:04x}", version);
  }
}

std::string CipherSuiteName(uint16_t suite) {
  const auto& names = SuiteNames();
  auto it = names.find(suite);
  return it == names.end() ? fmt::format("0x{:04x}", suite) : it->second;
}

}  // namespace crossmesh::tap
