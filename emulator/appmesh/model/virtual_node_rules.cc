// Listener and backend rules of virtual nodes and virtual gateways.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "emulator/appmesh/model/spec_rules.h"

namespace crossmesh::appmesh {
namespace {

using nlohmann::json;

// The only member a union-valued listener setting sets.
std::string OnlyMember(const json& object) { return object.begin().key(); }

// A listener's timeout and connection pool are per protocol, and must be the listener's own.
Status CheckPerProtocolMembers(const json& listener, const std::string& path) {
  std::string protocol = listener["portMapping"]["protocol"];
  for (const char* member : {"timeout", "connectionPool"}) {
    if (!listener.contains(member)) continue;
    std::string set = OnlyMember(listener[member]);
    if (set != protocol) {
      return BadRequest(fmt::format("{}.{} sets {}, but the listener's protocol is {}; set {}.{}",
                                    path, member, set, protocol, member, protocol));
    }
  }
  return Status::Ok();
}

Status CheckUniqueBackends(const json& spec) {
  if (!spec.contains("backends")) return Status::Ok();
  std::set<std::string> seen;
  const json& backends = spec["backends"];
  for (size_t i = 0; i < backends.size(); ++i) {
    std::string name = backends[i]["virtualService"]["virtualServiceName"];
    if (!seen.insert(name).second) {
      return BadRequest(
          fmt::format("spec.backends[{}] names virtual service {} again; each "
                      "backend may appear once",
                      i, name));
    }
  }
  return Status::Ok();
}

// The hostname the node's endpoints resolve by, and the name its certificate must carry when a
// client has no SAN list: a DNS name (letters, digits, '-', '_', dots), 1 to 253 characters.
Status CheckDnsHostname(const json& spec) {
  const json* dns = nullptr;
  if (spec.contains("serviceDiscovery") && spec["serviceDiscovery"].contains("dns")) {
    dns = &spec["serviceDiscovery"]["dns"];
  }
  if (dns == nullptr || !dns->contains("hostname")) return Status::Ok();
  const std::string hostname = (*dns)["hostname"].get<std::string>();
  const bool dns_characters = std::all_of(hostname.begin(), hostname.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (hostname.empty() || hostname.size() > 253 || !dns_characters) {
    return BadRequest(fmt::format(
        "spec.serviceDiscovery.dns.hostname '{}' is not a DNS name: give 1 to 253 letters, "
        "digits, '-', '_' and dots, such as yelb-appserver.yelb.svc.cluster.local",
        hostname));
  }
  return Status::Ok();
}

}  // namespace

Status CheckUniquePorts(const json& listeners, const std::string& path) {
  std::map<int64_t, size_t> seen;
  for (size_t i = 0; i < listeners.size(); ++i) {
    int64_t port = listeners[i]["portMapping"]["port"];
    auto [it, fresh] = seen.emplace(port, i);
    if (!fresh) {
      return BadRequest(
          fmt::format("{}[{}] uses port {} like {}[{}]; each listener needs its "
                      "own port",
                      path, i, port, path, it->second));
    }
  }
  return Status::Ok();
}

Status CheckVirtualNodeSpec(const MeshView& mesh, const json& spec) {
  (void)mesh;  // backends may name virtual services that do not exist yet (roadmap#372)
  const json listeners = spec.value("listeners", json::array());
  CM_RETURN_IF_ERROR(CheckUniquePorts(listeners, "spec.listeners"));
  for (size_t i = 0; i < listeners.size(); ++i) {
    CM_RETURN_IF_ERROR(CheckPerProtocolMembers(listeners[i], fmt::format("spec.listeners[{}]", i)));
  }
  // API reference, VirtualNodeSpec: "If you specify a listener, then you must specify service
  // discovery information."
  if (!listeners.empty() && !spec.contains("serviceDiscovery")) {
    return BadRequest(
        "spec.serviceDiscovery is required when the virtual node has listeners: "
        "give dns {hostname} or awsCloudMap {namespaceName, serviceName}");
  }
  CM_RETURN_IF_ERROR(CheckDnsHostname(spec));
  return CheckUniqueBackends(spec);
}

Status CheckVirtualGatewaySpec(const MeshView& mesh, const ResourceId& self, const json& spec) {
  const json& listeners = spec["listeners"];
  if (listeners.empty()) {
    return BadRequest("spec.listeners is empty; a virtual gateway needs at least one listener");
  }
  CM_RETURN_IF_ERROR(CheckUniquePorts(listeners, "spec.listeners"));
  for (size_t i = 0; i < listeners.size(); ++i) {
    CM_RETURN_IF_ERROR(CheckPerProtocolMembers(listeners[i], fmt::format("spec.listeners[{}]", i)));
  }
  return CheckGatewayRoutesFit(mesh, self, spec);
}

}  // namespace crossmesh::appmesh
