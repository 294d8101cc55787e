// ConnectionAnalyzer: follows one tapped connection's bytes in both directions as they pass
// and works out, from the bytes alone, what TapConnection reports: whether every byte was a
// TLS record, the version and cipher from the hellos, the TLS 1.2 certificates, cleartext
// alerts, and whether a known plaintext marker crossed. Streaming: it keeps only an unfinished
// record, an unfinished handshake message and a marker-length tail per direction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "harness/tap/hop_report.h"
#include "harness/tap/tls_wire.h"

namespace crossmesh::tap {

enum class Direction { kClientToServer = 0, kServerToClient = 1 };

class ConnectionAnalyzer {
 public:
  explicit ConnectionAnalyzer(std::vector<std::string> markers);

  void Feed(Direction direction, std::span<const uint8_t> bytes);
  // The connection is over: a record left unfinished is noted.
  void Finish();
  // The facts so far (index, addresses and times are the caller's to fill).
  TapConnection& result() { return result_; }
  const TapConnection& result() const { return result_; }

 private:
  struct Side {
    std::vector<uint8_t> pending;    // bytes of an unfinished record
    std::vector<uint8_t> handshake;  // bytes of unfinished handshake messages
    std::string marker_tail;
    uint64_t offset = 0;  // stream offset of pending.front()
    bool framing_broken = false;
    bool cipher_active = false;  // after this side's ChangeCipherSpec (TLS 1.2)
  };

  void Frame(Direction direction, Side& side);
  void OnRecord(Direction direction, const RecordHeader& header, std::span<const uint8_t> payload);
  void OnHandshake(Direction direction, std::span<const uint8_t> payload);
  void OnHandshakeMessage(Direction direction, uint8_t type, std::span<const uint8_t> body);
  void OnCertificates(Direction direction, std::span<const uint8_t> body);
  void OnAlert(std::span<const uint8_t> payload);
  void CheckMarkers(Side& side, std::span<const uint8_t> bytes);
  void Problem(Direction direction, const std::string& what);

  std::vector<std::string> markers_;
  Side sides_[2];
  uint16_t version_ = 0;
  bool server_certificate_seen_ = false;
  TapConnection result_;
};

}  // namespace crossmesh::tap
