// TLS wire format, read from captured bytes alone (RFC 5246, RFC 8446): record headers, and
// the cleartext handshake messages a tap can see: ClientHello, ServerHello (with the
// supported_versions extension that carries the real TLS 1.3 version), and the TLS 1.2
// Certificate message, whose certificates are DER X.509.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace crossmesh::tap {

inline constexpr uint8_t kChangeCipherSpec = 20;
inline constexpr uint8_t kAlert = 21;
inline constexpr uint8_t kHandshake = 22;
inline constexpr uint8_t kApplicationData = 23;

inline constexpr uint8_t kClientHello = 1;
inline constexpr uint8_t kServerHello = 2;
inline constexpr uint8_t kCertificate = 11;
inline constexpr uint8_t kCertificateRequest = 13;
inline constexpr uint8_t kServerHelloDone = 14;

inline constexpr size_t kRecordHeaderSize = 5;
// TLSCiphertext may carry up to 2^14 + 2048 bytes (RFC 5246 6.2.3); TLS 1.3 allows less.
inline constexpr size_t kMaxRecordLength = 16384 + 2048;

struct RecordHeader {
  uint8_t type = 0;
  uint16_t version = 0;
  uint16_t length = 0;
};

// Reads a record header; the reason it is not one (a plaintext byte, a bad version, an
// impossible length) in `problem` otherwise.
std::optional<RecordHeader> ParseRecordHeader(std::span<const uint8_t> bytes, std::string& problem);

struct ServerHello {
  uint16_t version = 0;  // supported_versions when present, else legacy_version
  uint16_t cipher_suite = 0;
  bool hello_retry_request = false;  // RFC 8446 4.1.3: the special random value
};

// The body of a ServerHello handshake message (after the 4-byte message header).
std::optional<ServerHello> ParseServerHello(std::span<const uint8_t> body);

// True when the body parses as a ClientHello (versions offered in `max_offered`).
bool ParseClientHello(std::span<const uint8_t> body, uint16_t& max_offered);

// The DER certificates of a TLS 1.2 Certificate message body, leaf first; nullopt when the
// lengths do not add up.
std::optional<std::vector<std::vector<uint8_t>>> ParseCertificateList(
    std::span<const uint8_t> body);

// "TLSv1.2" for 0x0303, ...
std::string VersionName(uint16_t version);
// OpenSSL's name for an IANA cipher suite ("ECDHE-ECDSA-AES128-GCM-SHA256",
// "TLS_AES_128_GCM_SHA256"), the same names the proxies record; "0x%04x" when unknown.
std::string CipherSuiteName(uint16_t suite);

}  // namespace crossmesh::tap
