#include "harness/tap/hop_report.h"

#include <fmt/format.h>

#include <vector>

namespace crossmesh::tap {

HopReport Summarize(std::string from, std::string to, std::vector<TapConnection> connections) {
  HopReport report;
  report.from = std::move(from);
  report.to = std::move(to);

  // Anyone on the host can dial the tap; only the client proxy's connections are the hop's.
  std::erase_if(connections, [&report](const TapConnection& connection) {
    if (connection.foreign) ++report.foreign_connections;
    return connection.foreign;
  });

  report.encrypted = !connections.empty();
  for (const TapConnection& connection : connections) {
    report.encrypted = report.encrypted && connection.encrypted();
    report.plaintext_marker_seen = report.plaintext_marker_seen || connection.plaintext_marker_seen;
    for (const std::string& problem : connection.problems) {
      report.problems.push_back(fmt::format("connection {}: {}", connection.index, problem));
    }
    if (connection.server_hello_seen) {
      report.tls_version = connection.tls_version;
      report.cipher = connection.cipher;
      report.certificates_encrypted = connection.tls_version == "TLSv1.3";
    }
    if (connection.certificates_visible && !connection.server_chain.empty()) {
      const WireCertificate& leaf = connection.server_chain.front();
      report.server_cert_issuer = leaf.issuer;
      report.server_cert_serial = leaf.serial_hex;
      report.server_cert_sans = leaf.dns_sans;
      report.client_cert_present = connection.client_certificate_present;
      report.client_cert_issuer =
          connection.client_chain.empty() ? std::string() : connection.client_chain.front().issuer;
    }
  }
  if (connections.empty()) report.problems.emplace_back("no connection crossed the tap");
  report.connections = std::move(connections);
  return report;
}

std::string HopReport::Summary() const {
  std::string text = fmt::format("{} -> {}: {} ({} connections)", from, to,
                                 encrypted ? "encrypted" : "NOT ENCRYPTED", connections.size());
  if (!tls_version.empty()) text += fmt::format(" {} {}", tls_version, cipher);
  if (certificates_encrypted) {
    text += "; certificates encrypted on the wire (TLS 1.3)";
  } else if (!server_cert_serial.empty()) {
    text +=
        fmt::format("; server cert serial {} issuer {}", server_cert_serial, server_cert_issuer);
    text += client_cert_present ? fmt::format("; client cert issuer {}", client_cert_issuer)
                                : std::string("; no client cert");
  }
  if (plaintext_marker_seen) text += "; PLAINTEXT MARKER SEEN";
  if (foreign_connections > 0) {
    text += fmt::format("; {} foreign connections not judged", foreign_connections);
  }
  for (const std::string& problem : problems) text += "; " + problem;
  return text;
}

}  // namespace crossmesh::tap
