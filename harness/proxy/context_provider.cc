#include "harness/proxy/context_provider.h"

#include <spdlog/spdlog.h>

#include "emulator/core/clock.h"
#include "harness/proxy/envoy_errors.h"

namespace crossmesh::proxy {
namespace {

Result<TlsCertificate> CertificateOf(const SecretPtr& secret) {
  if (!secret->certificate) {
    return Error(kInvalidConfiguration, "secret " + secret->name + " holds no certificate");
  }
  return *secret->certificate;
}

Result<ValidationContext> CasOf(const SecretPtr& secret) {
  if (!secret->validation) {
    return Error(kInvalidConfiguration, "secret " + secret->name + " holds no trusted CAs");
  }
  return *secret->validation;
}

// Served all the same (a client may not check dates), but the user is told why clients that
// do will refuse it, on the proxy's clock.
void WarnIfOutsideValidity(const std::string& listener, const TlsCertificate& certificate,
                           TimePoint now) {
  const pki::Certificate& leaf = certificate.chain.front();
  if (now > leaf.not_after()) {
    spdlog::warn(
        "listener {}: certificate serial {} expired at {}; clients that check it "
        "refuse the handshake (certificate has expired)",
        listener, leaf.serial_hex(), FormatIso8601(leaf.not_after()));
  } else if (now < leaf.not_before()) {
    spdlog::warn(
        "listener {}: certificate serial {} is valid only from {}; clients that check "
        "it refuse the handshake (certificate is not yet valid)",
        listener, leaf.serial_hex(), FormatIso8601(leaf.not_before()));
  }
}

}  // namespace

ContextProvider::ContextProvider(const SecretStore& store, std::vector<std::string> secret_names,
                                 Builder builder, std::string what)
    : store_(store),
      names_(std::move(secret_names)),
      builder_(std::move(builder)),
      what_(std::move(what)) {}

Result<std::shared_ptr<TlsContext>> ContextProvider::Current() {
  std::vector<uint64_t> versions = store_.Versions(names_);
  std::lock_guard lock(mutex_);
  if (built_ && versions == built_versions_) return current_;

  std::vector<SecretPtr> secrets;
  for (const std::string& name : names_) {
    SecretPtr secret = store_.Get(name);
    if (secret == nullptr) {
      // Not cached: the secret may arrive any moment, and the next connection must see it.
      return Status(kSecretMissingCode, kSecretNotSupplied);
    }
    secrets.push_back(std::move(secret));
  }
  const bool rotated = built_;
  built_ = true;
  current_ = builder_(secrets);
  built_versions_ = std::move(versions);
  if (!current_.ok()) {
    spdlog::warn("tls context not built: {}: {}", what_, current_.status().message());
  } else if (rotated) {
    const auto& chain = current_.value()->certificate_chain();
    spdlog::info("cert rotated: {} now presents serial {}", what_,
                 chain.empty() ? std::string("(none)") : chain.front().serial_hex());
  }
  return current_;
}

std::unique_ptr<ContextProvider> MakeListenerContextProvider(
    const SecretStore& store, const Listener& listener, const TlsSettings& settings,
    const std::function<TimePoint()>& clock) {
  const ListenerTls& tls = *listener.tls;
  std::vector<std::string> names = {tls.certificate_secret};
  if (tls.validation) names.push_back(tls.validation->trust_secret);

  const bool http = IsHttp(listener.protocol);
  auto builder = [tls, settings, clock, http, name = listener.name](
                     const std::vector<SecretPtr>& secrets) -> Result<std::shared_ptr<TlsContext>> {
    ServerContextSpec spec;
    Result<TlsCertificate> certificate = CertificateOf(secrets[0]);
    if (!certificate.ok()) return certificate.status();
    spec.certificate = std::move(certificate).value();
    if (clock && !spec.certificate.chain.empty()) {
      WarnIfOutsideValidity(name, spec.certificate, clock());
    }
    if (tls.validation) {
      Result<ValidationContext> cas = CasOf(secrets[1]);
      if (!cas.ok()) return cas.status();
      // No SAN list on the listener: the client's chain is checked and nothing else (1.4).
      spec.client_validation = VerifySpec{cas->trusted_cas, tls.validation->san_exact,
                                          tls.validation->require_client_certificate, cas->path};
    }
    spec.versions = settings.downstream;
    spec.session_cache = settings.session_resumption;
    spec.clock = clock;
    spec.alpn_http = http;
    return TlsContext::CreateServer(spec);
  };
  return std::make_unique<ContextProvider>(store, std::move(names), std::move(builder),
                                           "listener " + listener.name);
}

std::unique_ptr<ContextProvider> MakeClusterContextProvider(
    const SecretStore& store, const Cluster& cluster, const UpstreamTlsPlan& plan,
    const TlsSettings& settings, const std::function<TimePoint()>& clock) {
  std::vector<std::string> names;
  const bool has_trust = plan.validation && !plan.validation->trust_secret.empty();
  if (has_trust) names.push_back(plan.validation->trust_secret);
  if (!plan.client_certificate_secret.empty()) names.push_back(plan.client_certificate_secret);

  const bool h2 = UsesHttp2(cluster.protocol);
  auto builder = [plan, has_trust, settings, clock, h2](
                     const std::vector<SecretPtr>& secrets) -> Result<std::shared_ptr<TlsContext>> {
    ClientContextSpec spec;
    size_t next = 0;
    if (plan.validation) {
      VerifySpec verify;
      verify.san_names = SanNames(*plan.validation);
      if (has_trust) {
        Result<ValidationContext> cas = CasOf(secrets[next++]);
        if (!cas.ok()) return cas.status();
        verify.trusted_cas = cas->trusted_cas;
        verify.trusted_ca_path = cas->path;
      }
      spec.server_validation = std::move(verify);
    }
    if (!plan.client_certificate_secret.empty()) {
      Result<TlsCertificate> certificate = CertificateOf(secrets[next]);
      if (!certificate.ok()) return certificate.status();
      spec.client_certificate = std::move(certificate).value();
    }
    spec.versions = settings.upstream;
    spec.session_cache = settings.session_resumption;
    spec.clock = clock;
    spec.alpn_h2 = h2;
    return TlsContext::CreateClient(spec);
  };
  return std::make_unique<ContextProvider>(store, std::move(names), std::move(builder),
                                           "cluster " + cluster.name);
}

}  // namespace crossmesh::proxy
