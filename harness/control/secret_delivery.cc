#include "harness/control/secret_delivery.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "emulator/acmpca/model/acmpca_model.h"
#include "emulator/emulator.h"

namespace crossmesh::control {
namespace {

constexpr std::string_view kBeginCertificate = "-----BEGIN CERTIFICATE-----";

// The last certificate of a PEM chain: the root a leaf's chain ends at.
std::string LastPemCertificate(const std::string& chain) {
  size_t at = chain.rfind(kBeginCertificate);
  return at == std::string::npos ? std::string() : chain.substr(at);
}

std::string JoinPem(const std::string& first, const std::string& second) {
  if (second.empty()) return first;
  std::string out = first;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + second;
}

void AddProblem(SyncReport& report, const SecretNeed& need, const Status& status) {
  NodeProblem problem{need.node, status.code(), status.message()};
  auto same = [&](const NodeProblem& p) {
    return p.node == problem.node && p.message == problem.message;
  };
  if (std::none_of(report.problems.begin(), report.problems.end(), same)) {
    report.problems.push_back(std::move(problem));
  }
}

}  // namespace

SecretDelivery::SecretDelivery(Emulator& emulator, proxy::SecretStore& store,
                               std::chrono::seconds delay, bool delay_first_delivery)
    : emulator_(emulator), store_(store), delay_(delay), delay_first_(delay_first_delivery) {}

Result<acm::CertificateMaterial> SecretDelivery::FetchMaterial(const SecretNeed& need) {
  const Account* account = emulator_.accounts().FindById(need.account);
  if (!account) {
    return Error("AccessDeniedException",
                 fmt::format("virtual node {} belongs to account {}, which is not configured",
                             need.node, need.account));
  }
  const std::string& arn = need.arns.front();
  auto material = emulator_.Call(account->name, need.region, [&](const CallContext&) {
    return acm::GetCertificateMaterial(emulator_.store(), arn);
  });
  if (!material.ok()) {
    return Error(material.status().code(),
                 fmt::format("virtual node {} uses ACM certificate {}: {}", need.node, arn,
                             material.status().message()));
  }
  return material;
}

Status SecretDelivery::CheckNode(const RenderedNode& node) {
  for (const SecretNeed& need : node.secrets) {
    if (need.kind != SecretNeed::Kind::kAcmCertificate) continue;
    // A certificate still being issued, or one whose issuance failed, is not a reason to refuse
    // the node: its proxy starts and waits for the secret as Envoy waits on SDS, and only the
    // connections that need it fail ("Secret is not supplied by SDS").
    auto material = FetchMaterial(need);
    const std::string code = material.ok() ? "" : material.status().code();
    if (!material.ok() && code != "RequestInProgressException" && code != "InvalidStateException") {
      return material.status();
    }
    if (material.ok() && material->account != need.account) {
      return Error("AccessDeniedException",
                   fmt::format("virtual node {} (account {}) uses ACM certificate {} of account "
                               "{}; a listener certificate is exported only as the node's own "
                               "account",
                               need.node, need.account, need.arns.front(), material->account));
    }
  }
  return Status::Ok();
}

void SecretDelivery::OnCertificateChange(const acm::CertificateChange& change) {
  auto it = certificates_.find(change.certificate_arn);
  if (it == certificates_.end()) return;  // no proxy uses it
  CertificateState& state = it->second;

  bool renewed = change.kind == acm::ChangeKind::kRenewed && !state.delivered_serial.empty() &&
                 change.serial != state.delivered_serial;
  bool issued_late = change.kind == acm::ChangeKind::kIssued && state.delivered_serial.empty();
  if (!renewed && !issued_late) return;

  TimePoint due = renewed || delay_first_ ? change.at + delay_ : change.at;
  if (!state.due || due < *state.due) state.due = due;
  if (renewed) stale_roots_.insert(AcmRootSecretName(change.certificate_arn));
  spdlog::debug("control: certificate {} {} (serial {}), delivery at {}", change.certificate_arn,
                acm::ChangeKindName(change.kind), change.serial, FormatIso8601(due));
}

void SecretDelivery::DeliverCertificate(const SecretNeed& need, TimePoint now, SyncReport& report) {
  auto [it, first_time] = certificates_.try_emplace(need.name);
  CertificateState& state = it->second;
  if (first_time) state.due = delay_first_ ? now + delay_ : now;
  if (!state.due) return;  // delivered and current
  if (*state.due > now) {
    report.pending_secrets.push_back(need.name);
    return;
  }

  auto material = FetchMaterial(need);
  if (!material.ok()) {
    // Still being issued: the secret stays missing ("Secret is not supplied by SDS").
    if (material.status().code() == "RequestInProgressException") {
      report.pending_secrets.push_back(need.name);
    } else {
      AddProblem(report, need, material.status());
    }
    return;
  }
  if (material->account != need.account) {
    AddProblem(report, need,
               Error("AccessDeniedException",
                     fmt::format("virtual node {} (account {}) may not export certificate {} of "
                                 "account {}",
                                 need.node, need.account, need.name, material->account)));
    return;
  }
  state.due.reset();
  if (material->serial == state.delivered_serial) return;

  Status pushed = store_.PushCertificate(
      need.name, JoinPem(material->certificate_pem, material->certificate_chain_pem),
      material->private_key_pem);
  if (!pushed.ok()) {
    AddProblem(report, need, pushed);
    return;
  }
  bool rotation = !state.delivered_serial.empty();
  state.delivered_serial = material->serial;
  report.pushed_secrets.push_back(need.name);
  spdlog::info("control: {} {} to the proxies (serial {})", need.name,
               rotation ? "cert rotated" : "cert delivered", material->serial);
}

void SecretDelivery::DeliverTrust(const SecretNeed& need, SyncReport& report) {
  const Account* account = emulator_.accounts().FindById(need.account);
  if (!account) return;

  // As the node's account, through ACM-PCA's own authorization (a RAM share for another
  // account's CA): the proxy role's acm-pca:GetCertificateAuthorityCertificate.
  std::string bundle;
  for (const std::string& ca_arn : need.arns) {
    auto ca = emulator_.Call(account->name, need.region, [&](const CallContext& ctx) {
      return acmpca::GetCertificateAuthorityCertificate(emulator_.store(), ctx, ca_arn);
    });
    if (!ca.ok()) {
      AddProblem(report, need,
                 Error(ca.status().code(),
                       fmt::format("virtual node {} (account {}) cannot trust CA {}: {}", need.node,
                                   need.account, ca_arn, ca.status().message())));
      continue;
    }
    bundle = JoinPem(JoinPem(bundle, ca->certificate_pem), ca->chain_pem);
  }
  if (bundle.empty()) {
    // Nothing allowed: never supplied. A proxy that asks afresh (restart) loses what it held.
    if (refetch_.erase(need.name) > 0 && bundles_.erase(need.name) > 0) store_.Remove(need.name);
    return;
  }
  refetch_.erase(need.name);

  auto [it, inserted] = bundles_.try_emplace(need.name);
  if (!inserted && it->second == bundle) return;
  if (Status pushed = store_.PushValidationContext(need.name, bundle); !pushed.ok()) {
    AddProblem(report, need, pushed);
    return;
  }
  it->second = bundle;
  report.pushed_secrets.push_back(need.name);
  spdlog::info("control: trust bundle {} delivered", need.name);
}

void SecretDelivery::DeliverRoot(const SecretNeed& need, SyncReport& report) {
  if (bundles_.contains(need.name) && !stale_roots_.contains(need.name)) return;
  auto material = FetchMaterial(need);
  if (!material.ok()) {
    if (material.status().code() != "RequestInProgressException") {
      AddProblem(report, need, material.status());
    }
    return;
  }
  stale_roots_.erase(need.name);
  std::string root =
      LastPemCertificate(material->certificate_chain_pem.empty() ? material->certificate_pem
                                                                 : material->certificate_chain_pem);
  auto [it, inserted] = bundles_.try_emplace(need.name);
  if (!inserted && it->second == root) return;
  if (Status pushed = store_.PushValidationContext(need.name, root); !pushed.ok()) {
    AddProblem(report, need, pushed);
    return;
  }
  it->second = root;
  report.pushed_secrets.push_back(need.name);
  spdlog::debug("control: automatic root trust {} delivered", need.name);
}

void SecretDelivery::Deliver(const std::vector<SecretNeed>& needs, TimePoint now,
                             SyncReport& report) {
  std::set<std::string> done;
  for (const SecretNeed& need : needs) {
    if (!done.insert(need.name).second) continue;
    switch (need.kind) {
      case SecretNeed::Kind::kAcmCertificate:
        DeliverCertificate(need, now, report);
        break;
      case SecretNeed::Kind::kAcmTrust:
        DeliverTrust(need, report);
        break;
      case SecretNeed::Kind::kAcmRoot:
        DeliverRoot(need, report);
        break;
    }
  }
}

void SecretDelivery::Forget(const std::vector<SecretNeed>& needs) {
  for (const SecretNeed& need : needs) {
    if (need.kind == SecretNeed::Kind::kAcmTrust) refetch_.insert(need.name);
    if (need.kind == SecretNeed::Kind::kAcmRoot) stale_roots_.insert(need.name);
  }
}

std::string SecretDelivery::DeliveredSerial(const std::string& name) const {
  auto it = certificates_.find(name);
  return it == certificates_.end() ? std::string() : it->second.delivered_serial;
}

}  // namespace crossmesh::control
