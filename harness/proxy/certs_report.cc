#include "harness/proxy/certs_report.h"

#include <algorithm>
#include <limits>

#include "emulator/pki/asn1_time.h"

namespace crossmesh::proxy {
namespace {

using nlohmann::json;
constexpr auto kDay = std::chrono::hours(24);

int64_t DaysLeft(const pki::Certificate& certificate, TimePoint now) {
  if (certificate.not_after() <= now) return 0;
  return std::chrono::duration_cast<std::chrono::hours>(certificate.not_after() - now) / kDay;
}

// `path`: the file it was read from, or empty (given inline or pushed): Envoy's "<inline>".
json CertificateJson(const pki::Certificate& certificate, TimePoint now, const std::string& path) {
  json sans = json::array();
  for (const pki::AltName& name : certificate.alt_names()) {
    if (name.kind != "email") sans.push_back({{name.kind, name.value}});  // as Envoy's /certs
  }
  return {{"path", path.empty() ? std::string("<inline>") : path},
          {"serial_number", certificate.serial_hex()},
          {"subject", certificate.subject_string()},
          {"subject_alt_names", std::move(sans)},
          {"days_until_expiration", std::to_string(DaysLeft(certificate, now))},
          {"valid_from", pki::FormatUtc(certificate.not_before())},
          {"expiration_time", pki::FormatUtc(certificate.not_after())}};
}

// Every context the snapshot uses, with the listener or cluster it belongs to. A context whose
// secret has not arrived is skipped, as Envoy lists only loaded certificates.
std::vector<std::pair<std::string, std::shared_ptr<TlsContext>>> Contexts(
    const ProxySnapshot& snapshot) {
  std::vector<std::pair<std::string, std::shared_ptr<TlsContext>>> contexts;
  for (const auto& [name, inbound] : snapshot.inbound) {
    if (!inbound->tls) continue;
    auto current = inbound->tls->Current();
    if (current.ok()) contexts.emplace_back("listener " + name, current.value());
  }
  for (const auto& [name, cluster] : snapshot.clusters) {
    if (!cluster->tls) continue;
    auto current = cluster->tls->Current();
    if (current.ok()) contexts.emplace_back("cluster " + name, current.value());
  }
  return contexts;
}

}  // namespace

json CertsJson(const ProxySnapshot& snapshot) {
  const TimePoint now = snapshot.clock();
  json certificates = json::array();
  for (const auto& [owner, context] : Contexts(snapshot)) {
    json chain = json::array();
    json cas = json::array();
    for (const auto& certificate : context->certificate_chain()) {
      chain.push_back(CertificateJson(certificate, now, context->certificate_path()));
    }
    for (const auto& certificate : context->trusted_cas()) {
      cas.push_back(CertificateJson(certificate, now, context->trusted_ca_path()));
    }
    certificates.push_back({{"owner", owner}, {"cert_chain", chain}, {"ca_cert", cas}});
  }
  return {{"certificates", std::move(certificates)}};
}

int64_t DaysUntilFirstCertExpiring(const ProxySnapshot& snapshot) {
  const TimePoint now = snapshot.clock();
  int64_t days = std::numeric_limits<int32_t>::max();
  for (const auto& [owner, context] : Contexts(snapshot)) {
    for (const auto& certificate : context->certificate_chain()) {
      days = std::min(days, DaysLeft(certificate, now));
    }
    for (const auto& certificate : context->trusted_cas()) {
      days = std::min(days, DaysLeft(certificate, now));
    }
  }
  return days;
}

}  // namespace crossmesh::proxy
