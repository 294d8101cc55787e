#include "harness/proxy/secret_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "harness/proxy/config.h"

namespace crossmesh::proxy {
namespace {

Status Rejected(const std::string& name, const Status& why) {
  return Error(kInvalidConfiguration, fmt::format("secret {}: {}", name, why.message()));
}

}  // namespace

Status SecretStore::PushCertificate(const std::string& name, std::string_view chain_pem,
                                    std::string_view private_key_pem, std::string path) {
  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificatesPem(chain_pem);
  if (!chain.ok()) return Rejected(name, chain.status());
  Result<pki::PrivateKey> key = pki::PrivateKey::FromPem(private_key_pem);
  if (!key.ok()) return Rejected(name, key.status());
  TlsCertificate certificate;
  certificate.chain = std::move(chain).value();
  certificate.key = std::make_shared<const pki::PrivateKey>(std::move(key).value());
  certificate.path = std::move(path);
  return PushCertificate(name, std::move(certificate));
}

Status SecretStore::PushValidationContext(const std::string& name, std::string_view ca_pem,
                                          std::string path) {
  Result<std::vector<pki::Certificate>> cas = pki::ParseCertificatesPem(ca_pem);
  if (!cas.ok()) return Rejected(name, cas.status());
  PushValidationContext(name, ValidationContext{std::move(cas).value(), std::move(path)});
  return Status::Ok();
}

Status SecretStore::PushCertificate(const std::string& name, TlsCertificate certificate) {
  if (certificate.chain.empty() || certificate.key == nullptr) {
    return Error(kInvalidConfiguration,
                 fmt::format("secret {}: a certificate secret needs a chain and a key", name));
  }
  Status matches = pki::CheckCertificateMatchesKey(certificate.chain.front(), *certificate.key);
  if (!matches.ok()) return Rejected(name, matches);
  Secret secret;
  secret.name = name;
  spdlog::info("secret pushed: {} (certificate serial {})", name,
               certificate.chain.front().serial_hex());
  secret.certificate = std::move(certificate);
  Store(std::move(secret));
  return Status::Ok();
}

void SecretStore::PushValidationContext(const std::string& name, ValidationContext context) {
  Secret secret;
  secret.name = name;
  spdlog::info("secret pushed: {} ({} trusted CA certificates)", name, context.trusted_cas.size());
  secret.validation = std::move(context);
  Store(std::move(secret));
}

void SecretStore::Store(Secret secret) {
  std::lock_guard lock(mutex_);
  secret.version = next_version_++;
  auto shared = std::make_shared<const Secret>(std::move(secret));
  secrets_[shared->name] = std::move(shared);
}

void SecretStore::Remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  secrets_.erase(name);
}

SecretPtr SecretStore::Get(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = secrets_.find(name);
  return it == secrets_.end() ? nullptr : it->second;
}

std::vector<uint64_t> SecretStore::Versions(const std::vector<std::string>& names) const {
  std::vector<uint64_t> versions;
  versions.reserve(names.size());
  std::lock_guard lock(mutex_);
  for (const std::string& name : names) {
    auto it = secrets_.find(name);
    versions.push_back(it == secrets_.end() ? 0 : it->second->version);
  }
  return versions;
}

std::vector<std::string> SecretStore::Names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, secret] : secrets_) names.push_back(name);
  return names;
}

}  // namespace crossmesh::proxy
