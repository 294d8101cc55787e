#include "emulator/acmpca/model/signer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <mutex>

#include "emulator/acmpca/model/ca_store.h"
#include "emulator/acmpca/model/certificate_rows.h"
#include "emulator/pki/certificate_template.h"
#include "emulator/pki/hex.h"

namespace crossmesh::acmpca {
namespace {

// Parsed signers by CA ARN. A CA's key never changes and its ARN (a random UUID) names that one
// key for good, so an entry is valid for as long as the CA's certificate is the one it was parsed
// with; the key's row is not even read on a hit.
class SignerCache {
 public:
  std::shared_ptr<const CaSigner> Find(const std::string& arn, std::string_view certificate_pem) {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(arn);
    if (found == entries_.end() || found->second->certificate_pem != certificate_pem) {
      return nullptr;
    }
    return found->second;
  }

  void Put(const std::string& arn, std::shared_ptr<const CaSigner> signer) {
    std::lock_guard lock(mutex_);
    // Bounded so a long scenario creating many CAs does not keep every key forever.
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_[arn] = std::move(signer);
  }

 private:
  static constexpr size_t kMaxEntries = 256;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const CaSigner>> entries_;
};

SignerCache& Cache() {
  static SignerCache cache;
  return cache;
}

Result<std::shared_ptr<const CaSigner>> ParseSigner(const CaRecord& ca,
                                                    const std::string& key_pem) {
  auto key = pki::PrivateKey::FromPem(key_pem);
  if (!key.ok()) {
    return Error("InternalFailure",
                 "the stored key of " + ca.arn + " does not load: " + key.status().message());
  }
  std::optional<pki::Certificate> certificate;
  if (ca.has_certificate()) {
    auto parsed = pki::Certificate::FromPem(ca.certificate_pem);
    if (!parsed.ok()) {
      return Error("InternalFailure", "the stored certificate of " + ca.arn +
                                          " does not load: " + parsed.status().message());
    }
    certificate = std::move(*parsed);
  }
  auto signer = std::make_shared<CaSigner>(
      CaSigner{std::move(*key), std::move(certificate), ca.certificate_pem, nullptr});
  // Prepared from the members, which the shared entry keeps at fixed addresses.
  auto prepared =
      pki::PreparedCa::Create(signer->key, signer->certificate ? &*signer->certificate : nullptr);
  if (!prepared.ok()) {
    return Error("InternalFailure",
                 "cannot prepare " + ca.arn + " for signing: " + prepared.status().message());
  }
  signer->prepared = std::move(*prepared);
  return std::shared_ptr<const CaSigner>(std::move(signer));
}

}  // namespace

Result<std::shared_ptr<const CaSigner>> LoadSigner(Store& store, const CaRecord& ca) {
  if (auto cached = Cache().Find(ca.arn, ca.certificate_pem)) return cached;

  auto key_pem = LoadCaPrivateKeyPem(store, ca);
  if (!key_pem.ok()) return key_pem.status();
  auto signer = ParseSigner(ca, *key_pem);
  if (!signer.ok()) return signer.status();
  Cache().Put(ca.arn, *signer);
  return signer;
}

Result<StoredCertificate> IssueAndStore(Store& store, const CaRecord& ca,
                                        const IssueAndStoreInput& input, TimePoint now) {
  auto signer = LoadSigner(store, ca);
  if (!signer.ok()) return signer.status();
  const CaSigner& material = **signer;
  pki::SigningCa signing_ca{&material.key, material.certificate ? &*material.certificate : nullptr,
                            material.prepared.get()};

  auto slot = NextSerialSlot(store);
  if (!slot.ok()) return slot.status();
  pki::IssueOptions options = input.options;
  options.serial = slot->serial;
  auto der = pki::IssueDerFromCsr(*input.csr, signing_ca, options);
  if (!der.ok()) return der.status();

  // Recorded as the certificate carries them: the serial chosen here, the window in whole
  // seconds.
  const std::string id = pki::HexLower(slot->serial);
  StoredCertificate issued{MakeCertificateArn(ca.arn, id), pki::CertificateDerToPem(*der),
                           pki::ColonHexLower(slot->serial), WholeSeconds(options.not_before),
                           WholeSeconds(options.not_after)};
  CertificateRow row{&ca,
                     slot->row,
                     id,
                     issued.serial_colon_hex,
                     issued.pem,
                     pki::TemplateName(options.certificate_template),
                     input.requester_account,
                     now,
                     issued.not_after,
                     input.idempotency_token,
                     input.request_hash};
  CM_RETURN_IF_ERROR(InsertCertificateRow(store, row));
  spdlog::debug("certificate issued arn={} template={} requester={}", issued.arn,
                pki::TemplateName(input.options.certificate_template), input.requester_account);
  return issued;
}

std::string IssuedChainPem(const CaRecord& ca) {
  if (!ca.has_certificate()) return {};
  std::string chain = ca.certificate_pem;
  if (!chain.empty() && chain.back() != '\n') chain += '\n';
  chain += ca.chain_pem;
  return chain;
}

TimePoint WholeSeconds(TimePoint time) {
  return std::chrono::time_point_cast<std::chrono::seconds>(time);
}

TimePoint DefaultNotBefore(const CaRecord& ca, TimePoint now) {
  TimePoint backdated = WholeSeconds(now) - std::chrono::minutes(60);
  if (ca.not_before && *ca.not_before > backdated) return *ca.not_before;
  return backdated;
}

}  // namespace crossmesh::acmpca
