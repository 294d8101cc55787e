#include "harness/manifests/appmesh_rules.h"

#include <fmt/format.h>

#include <map>
#include <optional>

namespace crossmesh::manifests {
namespace {

struct Sink {
  const std::string& file;
  std::vector<Finding>* out;
  void Add(Position pos, Severity severity, std::string rule, std::string message,
           std::string hint) const {
    out->push_back({file, pos, severity, std::move(rule), std::move(message), std::move(hint)});
  }
};

void ListenerNeedsDiscovery(const Node& spec, const std::string& path, const Sink& sink) {
  const MapEntry* listeners = spec.FindEntry("listeners");
  if (!listeners || !listeners->value.IsSequence() || listeners->value.items.empty()) return;
  const Node* discovery = spec.Find("serviceDiscovery");
  if (discovery && !discovery->IsNull()) return;
  sink.Add(listeners->key_pos, Severity::kError, "missing-service-discovery",
           fmt::format("{} has listeners but no serviceDiscovery; the App Mesh controller refuses "
                       "a virtual node whose listener has nowhere to be found",
                       path),
           "add serviceDiscovery.dns.hostname (or serviceDiscovery.awsCloudMap)");
}

// What a backend points at, as one comparable string.
std::optional<std::string> BackendTarget(const Node& backend) {
  const Node* service = backend.Find("virtualService");
  if (!service || !service->IsMap()) return std::nullopt;
  if (const Node* ref = service->Find("virtualServiceRef"); ref && ref->IsMap()) {
    return "ref:" + ref->Text("name") + "/" + ref->Text("namespace");
  }
  for (const char* key : {"virtualServiceARN", "virtualServiceName"}) {
    if (const Node* value = service->Find(key); value && value->IsScalar()) {
      return std::string(key) + ":" + value->scalar;
    }
  }
  return std::nullopt;
}

void BackendsListedOnce(const Node& spec, const std::string& path, const Sink& sink) {
  const Node* backends = spec.Find("backends");
  if (!backends || !backends->IsSequence()) return;
  std::map<std::string, int> first_line;
  for (size_t i = 0; i < backends->items.size(); ++i) {
    const Node& backend = backends->items[i];
    auto target = BackendTarget(backend);
    if (!target) continue;
    auto [it, inserted] = first_line.emplace(*target, backend.pos.line);
    if (inserted) continue;
    sink.Add(backend.pos, Severity::kError, "duplicate-backend",
             fmt::format("{}.backends[{}] names the same virtual service as the backend on line {}",
                         path, i, it->second),
             "list each backend virtual service once");
  }
}

void PermissiveValidation(const Node& spec, const std::string& path, const Sink& sink) {
  const Node* listeners = spec.Find("listeners");
  if (!listeners || !listeners->IsSequence()) return;
  for (size_t i = 0; i < listeners->items.size(); ++i) {
    const Node* tls = listeners->items[i].Find("tls");
    if (!tls || !tls->IsMap() || tls->Text("mode") != "PERMISSIVE") continue;
    const MapEntry* validation = tls->FindEntry("validation");
    if (!validation || validation->value.IsNull()) continue;
    sink.Add(validation->key_pos, Severity::kWarning, "tls-permissive-validation",
             fmt::format("{}.listeners[{}].tls has validation but mode PERMISSIVE, which still "
                         "lets plaintext callers in, so client certificates are not enforced",
                         path, i),
             "set mode: STRICT once every caller presents a certificate");
  }
}

// Every "arn:aws:acm..." scalar under `node`, with where it was written.
void CollectAcmArns(const Node& node, std::vector<const Node*>* arns) {
  if (node.IsScalar() && (node.scalar.rfind("arn:aws:acm:", 0) == 0 ||
                          node.scalar.rfind("arn:aws:acm-pca:", 0) == 0)) {
    arns->push_back(&node);
  }
  for (const auto& entry : node.entries) CollectAcmArns(entry.value, arns);
  for (const auto& item : node.items) CollectAcmArns(item, arns);
}

std::string RegionOf(const std::string& arn) {
  size_t a = arn.find(':', arn.find(':', arn.find(':') + 1) + 1);
  size_t b = arn.find(':', a + 1);
  return a == std::string::npos || b == std::string::npos ? "" : arn.substr(a + 1, b - a - 1);
}

void SameRegion(const Node& spec, const std::string& path, const Sink& sink) {
  std::vector<const Node*> arns;
  CollectAcmArns(spec, &arns);
  const Node* first = nullptr;
  for (const Node* arn : arns) {
    std::string region = RegionOf(arn->scalar);
    if (region.empty()) continue;
    if (!first) {
      first = arn;
    } else if (region != RegionOf(first->scalar)) {
      sink.Add(arn->pos, Severity::kWarning, "tls-region",
               fmt::format("{} names an ACM resource in {} and another in {} (line {}); App Mesh "
                           "needs the certificate and the trusted CAs in the mesh's Region",
                           path, region, RegionOf(first->scalar), first->pos.line),
               "use a certificate and a CA from the Region the mesh runs in");
    }
  }
}

}  // namespace

void CheckAppMeshRules(const Node& spec, std::string_view kind, Dialect dialect,
                       const std::string& path, const std::string& file,
                       std::vector<Finding>* out) {
  if (!spec.IsMap()) return;
  Sink sink{file, out};
  if (kind == "VirtualNode") {
    if (dialect == Dialect::kCrd) ListenerNeedsDiscovery(spec, path, sink);
    BackendsListedOnce(spec, path, sink);
  }
  if (kind == "VirtualNode" || kind == "VirtualGateway") {
    PermissiveValidation(spec, path, sink);
    SameRegion(spec, path, sink);
  }
}

}  // namespace crossmesh::manifests
