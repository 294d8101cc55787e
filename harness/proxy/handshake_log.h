// HandshakeLog: what each TLS handshake of a proxy negotiated, per hop and per side, so a
// scenario can compare the proxies' own view with what the wire tap saw (harness/tap).
//
// A record is kept for every handshake attempt, successful or not: on the server side
// (inbound listeners) and the client side (clusters). Endpoints let a caller pair records:
// a client record's `local_address` is the tap's downstream peer, a server record's
// `peer_address` is the tap's upstream local address. Bounded: the newest `capacity` records.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/clock.h"

namespace crossmesh::proxy {

struct CertificateFacts {
  std::string subject;  // RFC 2253
  std::string issuer;   // RFC 2253
  std::string serial_hex;
  std::vector<std::string> dns_sans;
  TimePoint not_after;
};

enum class HandshakeSide { kServer, kClient };

struct HandshakeRecord {
  uint64_t sequence = 0;  // per proxy, from 1
  TimePoint at;           // wall clock
  std::string proxy;
  HandshakeSide side = HandshakeSide::kServer;
  std::string scope;          // listener stat prefix or cluster name
  std::string local_address;  // "127.0.0.1:40112"
  std::string peer_address;

  bool ok = false;
  std::string failure;  // Envoy's transport failure reason when !ok
  std::string version;  // "TLSv1.2"
  std::string cipher;   // OpenSSL name: "ECDHE-ECDSA-AES128-GCM-SHA256"
  bool session_reused = false;
  std::optional<CertificateFacts> local_certificate;  // what this proxy presented
  std::optional<CertificateFacts> peer_certificate;   // what the peer presented
  // Server side: the client presented one. Client side: this proxy presented one.
  bool client_certificate_presented = false;
};

class HandshakeLog {
 public:
  explicit HandshakeLog(size_t capacity) : capacity_(capacity) {}

  void Add(HandshakeRecord record);  // fills sequence
  std::vector<HandshakeRecord> Records() const;
  uint64_t total() const;

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  uint64_t next_sequence_ = 1;
  std::deque<HandshakeRecord> records_;
};

}  // namespace crossmesh::proxy
