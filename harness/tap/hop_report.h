// What a tap proves about a hop, from the bytes alone: per connection (TapConnection) and for
// the hop as a whole (HopReport). A hop is "encrypted" when every connection of its client
// proxy carried TLS records from its first byte in both directions and no plaintext marker
// crossed it; foreign connections (from other addresses) are only counted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/core/clock.h"

namespace crossmesh::tap {

struct WireCertificate {
  std::string subject;  // RFC 2253
  std::string issuer;   // RFC 2253
  std::string serial_hex;
  std::vector<std::string> dns_sans;
};

struct TapConnection {
  uint64_t index = 0;                  // from 1, in accept order
  TimePoint started;                   // wall clock, when the tap accepted it
  std::string client_address;          // the client proxy's end, as the tap saw it
  std::string upstream_local_address;  // the tap's end toward the server proxy
  // Not from the hop's client proxy (another local process dialled the tap): relayed, but no
  // part of the hop's verdict or facts.
  bool foreign = false;

  bool tls_from_first_byte = false;  // both directions, once bytes flowed
  bool server_hello_seen = false;
  std::string tls_version;  // from ServerHello (supported_versions for 1.3)
  std::string cipher;       // OpenSSL name of the selected suite
  bool resumed = false;     // TLS 1.2 abbreviated handshake: no Certificate on the wire
  // TLS 1.2 only: the Certificate messages are cleartext. Under 1.3 they are encrypted.
  bool certificates_visible = false;
  std::vector<WireCertificate> server_chain;  // leaf first
  bool client_certificate_requested = false;
  bool client_certificate_present = false;
  std::vector<WireCertificate> client_chain;
  std::string cleartext_alert;  // "fatal handshake_failure(40)" when one crossed unencrypted

  bool plaintext_marker_seen = false;
  std::vector<std::string> markers_seen;
  uint64_t bytes_client_to_server = 0;
  uint64_t bytes_server_to_client = 0;
  uint64_t application_data_records = 0;
  std::vector<std::string> problems;

  bool encrypted() const {
    return tls_from_first_byte && !plaintext_marker_seen && problems.empty();
  }
};

struct HopReport {
  std::string from;
  std::string to;
  bool encrypted = false;
  std::string tls_version;  // of the newest connection with a ServerHello
  std::string cipher;
  bool certificates_encrypted = false;  // TLS 1.3: the tap cannot see them
  std::string server_cert_issuer;       // of the newest connection with visible certificates
  std::string server_cert_serial;
  std::vector<std::string> server_cert_sans;
  bool client_cert_present = false;
  std::string client_cert_issuer;
  bool plaintext_marker_seen = false;
  std::vector<std::string> problems;       // "connection 3: ..."
  std::vector<TapConnection> connections;  // the client proxy's only
  uint64_t foreign_connections = 0;        // from other addresses: counted, not judged

  // One line for logs: "yelb-ui -> yelb-appserver: encrypted TLSv1.2 ECDHE-... server cert
  // serial ... issuer ...; client cert issuer ...".
  std::string Summary() const;
};

// The hop's facts from its connections, foreign ones counted and otherwise left out.
HopReport Summarize(std::string from, std::string to, std::vector<TapConnection> connections);

}  // namespace crossmesh::tap
