#include "harness/proxy/handshake_recorder.h"

#include <spdlog/spdlog.h>

namespace crossmesh::proxy {
namespace {

void CountFailure(SslStats& stats, FailureKind kind) {
  switch (kind) {
    case FailureKind::kVerifyChain:
      stats.fail_verify_error.Inc();
      break;
    case FailureKind::kVerifySan:
      stats.fail_verify_san.Inc();
      break;
    case FailureKind::kNoPeerCertificate:
      stats.fail_verify_no_cert.Inc();
      break;
    default:
      // Envoy's connection_error: TLS errors other than failed verification.
      stats.connection_error.Inc();
      break;
  }
}

void CountSuccess(SslStats& stats, const HandshakeRecord& record) {
  stats.handshake.Inc();
  stats.ssl.Get("versions." + record.version).Inc();
  stats.ssl.Get("ciphers." + record.cipher).Inc();
  if (record.session_reused) stats.session_reused.Inc();
  if (record.side == HandshakeSide::kServer && !record.client_certificate_presented) {
    stats.no_certificate.Inc();
  }
}

void FillNegotiated(TlsStream& stream, HandshakeRecord& record) {
  SSL* ssl = stream.ssl();
  record.version = SSL_get_version(ssl);
  record.cipher = SSL_get_cipher_name(ssl);
  record.session_reused = SSL_session_reused(ssl) == 1;
  if (X509* own = SSL_get_certificate(ssl); own != nullptr) {
    record.local_certificate = FactsOf(pki::Certificate::Share(own));
  }
  if (X509* peer = SSL_get0_peer_certificate(ssl); peer != nullptr) {
    record.peer_certificate = FactsOf(pki::Certificate::Share(peer));
  }
  record.client_certificate_presented = record.side == HandshakeSide::kServer
                                            ? record.peer_certificate.has_value()
                                            : stream.state().sent_client_certificate;
}

void LogFailure(const HandshakeSite& site, const HandshakeRecord& record) {
  spdlog::debug("{}: tls handshake failed ({} {} peer {}): {}", site.proxy,
                site.side == HandshakeSide::kServer ? "listener" : "cluster", site.scope,
                record.peer_address, record.failure);
}

}  // namespace

CertificateFacts FactsOf(const pki::Certificate& certificate) {
  CertificateFacts facts;
  facts.subject = certificate.subject_string();
  facts.issuer = certificate.issuer_string();
  facts.serial_hex = certificate.serial_hex();
  facts.dns_sans = certificate.dns_names();
  facts.not_after = certificate.not_after();
  return facts;
}

void RecordHandshake(const HandshakeSite& site, TlsStream& stream,
                     const TransportFailure& failure) {
  HandshakeRecord record;
  record.at = Clock::now();
  record.proxy = site.proxy;
  record.side = site.side;
  record.scope = site.scope;
  record.local_address = stream.LocalAddress();
  record.peer_address = stream.PeerAddress();
  record.ok = !failure.failed();
  if (record.ok) {
    FillNegotiated(stream, record);
    CountSuccess(*site.stats, record);
  } else {
    record.failure = TransportFailureReason(failure, site.error_style);
    if (record.failure.empty()) record.failure = failure.message;
    CountFailure(*site.stats, failure.kind);
    LogFailure(site, record);
  }
  site.log->Add(std::move(record));
}

void RecordHandshakeNotStarted(const HandshakeSite& site, const std::string& local_address,
                               const std::string& peer_address, const TransportFailure& failure) {
  HandshakeRecord record;
  record.at = Clock::now();
  record.proxy = site.proxy;
  record.side = site.side;
  record.scope = site.scope;
  record.local_address = local_address;
  record.peer_address = peer_address;
  record.failure = TransportFailureReason(failure, site.error_style);
  CountFailure(*site.stats, failure.kind);
  LogFailure(site, record);
  site.log->Add(std::move(record));
}

}  // namespace crossmesh::proxy
