#include "harness/tap/connection_analyzer.h"

#include <fmt/format.h>

#include <algorithm>

#include "emulator/pki/certificate.h"

namespace crossmesh::tap {
namespace {

constexpr uint16_t kTls13 = 0x0304;

const char* DirectionName(Direction direction) {
  return direction == Direction::kClientToServer ? "client->server" : "server->client";
}

std::string AlertName(uint8_t description) {
  switch (description) {
    case 0:
      return "close_notify";
    case 10:
      return "unexpected_message";
    case 40:
      return "handshake_failure";
    case 42:
      return "bad_certificate";
    case 45:
      return "certificate_expired";
    case 46:
      return "certificate_unknown";
    case 48:
      return "unknown_ca";
    case 70:
      return "protocol_version";
    case 116:
      return "certificate_required";
    default:
      return "alert";
  }
}

}  // namespace

ConnectionAnalyzer::ConnectionAnalyzer(std::vector<std::string> markers)
    : markers_(std::move(markers)) {
  result_.tls_from_first_byte = true;
}

void ConnectionAnalyzer::Problem(Direction direction, const std::string& what) {
  result_.problems.push_back(fmt::format("{}: {}", DirectionName(direction), what));
}

void ConnectionAnalyzer::Feed(Direction direction, std::span<const uint8_t> bytes) {
  Side& side = sides_[static_cast<int>(direction)];
  if (direction == Direction::kClientToServer) {
    result_.bytes_client_to_server += bytes.size();
  } else {
    result_.bytes_server_to_client += bytes.size();
  }
  CheckMarkers(side, bytes);
  if (side.framing_broken) return;
  side.pending.insert(side.pending.end(), bytes.begin(), bytes.end());
  Frame(direction, side);
}

// Cuts complete records off the front of `side.pending`. A header that is not TLS breaks the
// framing for good: there is no way to find the next record boundary after it.
void ConnectionAnalyzer::Frame(Direction direction, Side& side) {
  size_t used = 0;
  while (side.pending.size() - used >= kRecordHeaderSize) {
    std::span<const uint8_t> rest(side.pending.data() + used, side.pending.size() - used);
    std::string problem;
    std::optional<RecordHeader> header = ParseRecordHeader(rest, problem);
    if (!header) {
      const uint64_t at = side.offset + used;
      if (at == 0) result_.tls_from_first_byte = false;
      Problem(direction, fmt::format("not TLS at byte {}: {}", at, problem));
      side.framing_broken = true;
      side.pending.clear();
      return;
    }
    if (rest.size() < kRecordHeaderSize + header->length) break;
    OnRecord(direction, *header, rest.subspan(kRecordHeaderSize, header->length));
    used += kRecordHeaderSize + header->length;
  }
  side.pending.erase(side.pending.begin(), side.pending.begin() + static_cast<ptrdiff_t>(used));
  side.offset += used;
}

void ConnectionAnalyzer::OnRecord(Direction direction, const RecordHeader& header,
                                  std::span<const uint8_t> payload) {
  Side& side = sides_[static_cast<int>(direction)];
  switch (header.type) {
    case kHandshake:
      // TLS 1.2 Finished (after ChangeCipherSpec) is encrypted; TLS 1.3 encrypted handshake
      // messages travel as application_data records, so type 22 is always cleartext there.
      if (!side.cipher_active) OnHandshake(direction, payload);
      break;
    case kChangeCipherSpec:
      if (version_ != kTls13) {
        side.cipher_active = true;
        if (direction == Direction::kServerToClient && result_.server_hello_seen &&
            !server_certificate_seen_) {
          result_.resumed = true;  // the abbreviated handshake: straight to ChangeCipherSpec
        }
      }
      break;
    case kAlert:
      if (!side.cipher_active && version_ != kTls13) OnAlert(payload);
      break;
    case kApplicationData:
      ++result_.application_data_records;
      if (version_ != kTls13 && !side.cipher_active) {
        Problem(direction, "application data before the handshake finished");
      }
      break;
    default:
      break;
  }
}

void ConnectionAnalyzer::OnHandshake(Direction direction, std::span<const uint8_t> payload) {
  std::vector<uint8_t>& buffer = sides_[static_cast<int>(direction)].handshake;
  buffer.insert(buffer.end(), payload.begin(), payload.end());
  size_t used = 0;
  while (buffer.size() - used >= 4) {
    const uint8_t type = buffer[used];
    const size_t length = (size_t{buffer[used + 1]} << 16) | (size_t{buffer[used + 2]} << 8) |
                          size_t{buffer[used + 3]};
    if (buffer.size() - used - 4 < length) break;
    OnHandshakeMessage(direction, type, std::span<const uint8_t>(buffer.data() + used + 4, length));
    used += 4 + length;
  }
  buffer.erase(buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(used));
}

void ConnectionAnalyzer::OnHandshakeMessage(Direction direction, uint8_t type,
                                            std::span<const uint8_t> body) {
  const bool from_server = direction == Direction::kServerToClient;
  if (!from_server && type == kClientHello) {
    uint16_t offered = 0;
    if (!ParseClientHello(body, offered)) Problem(direction, "a ClientHello that does not parse");
  } else if (from_server && type == kServerHello) {
    std::optional<ServerHello> hello = ParseServerHello(body);
    if (!hello) {
      Problem(direction, "a ServerHello that does not parse");
      return;
    }
    version_ = hello->version;
    result_.server_hello_seen = true;
    result_.tls_version = VersionName(hello->version);
    result_.cipher = CipherSuiteName(hello->cipher_suite);
  } else if (type == kCertificate && version_ != kTls13) {
    OnCertificates(direction, body);
  } else if (from_server && type == kCertificateRequest) {
    result_.client_certificate_requested = true;
  }
}

void ConnectionAnalyzer::OnCertificates(Direction direction, std::span<const uint8_t> body) {
  auto list = ParseCertificateList(body);
  if (!list) {
    Problem(direction, "a Certificate message whose lengths do not add up");
    return;
  }
  std::vector<WireCertificate> chain;
  for (const std::vector<uint8_t>& der : *list) {
    Result<pki::Certificate> parsed = pki::Certificate::FromDer(der);
    if (!parsed.ok()) {
      Problem(direction, "a certificate that is not DER X.509: " + parsed.status().message());
      continue;
    }
    chain.push_back({parsed->subject_string(), parsed->issuer_string(), parsed->serial_hex(),
                     parsed->dns_names()});
  }
  if (direction == Direction::kServerToClient) {
    server_certificate_seen_ = true;
    result_.certificates_visible = true;
    result_.server_chain = std::move(chain);
  } else {
    result_.client_certificate_present = !chain.empty();
    result_.client_chain = std::move(chain);
  }
}

void ConnectionAnalyzer::OnAlert(std::span<const uint8_t> payload) {
  if (payload.size() < 2 || !result_.cleartext_alert.empty()) return;
  result_.cleartext_alert = fmt::format("{} {}({})", payload[0] == 2 ? "fatal" : "warning",
                                        AlertName(payload[1]), payload[1]);
}

void ConnectionAnalyzer::CheckMarkers(Side& side, std::span<const uint8_t> bytes) {
  if (markers_.empty()) return;
  std::string window = side.marker_tail;
  window.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  size_t longest = 0;
  for (const std::string& marker : markers_) {
    longest = std::max(longest, marker.size());
    if (window.find(marker) == std::string::npos) continue;
    result_.plaintext_marker_seen = true;
    if (std::find(result_.markers_seen.begin(), result_.markers_seen.end(), marker) ==
        result_.markers_seen.end()) {
      result_.markers_seen.push_back(marker);
    }
  }
  // Keep enough to catch a marker split across two reads.
  const size_t keep = longest > 0 ? longest - 1 : 0;
  side.marker_tail = window.size() > keep ? window.substr(window.size() - keep) : window;
}

void ConnectionAnalyzer::Finish() {
  for (int i = 0; i < 2; ++i) {
    if (!sides_[i].framing_broken && !sides_[i].pending.empty()) {
      Problem(static_cast<Direction>(i),
              fmt::format("the connection ended inside a record ({} bytes left)",
                          sides_[i].pending.size()));
    }
  }
  if (result_.bytes_client_to_server == 0) result_.tls_from_first_byte = false;
}

}  // namespace crossmesh::tap
