#include "harness/manifests/api_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace crossmesh::manifests {
namespace {

using nlohmann::json;

// Fields of the CRD specs that steer the controller and have no place in the API.
const std::set<std::string, std::less<>> kCrdOnly = {
    "awsName",           "podSelector", "meshRef", "namespaceSelector", "gatewayRouteSelector",
    "virtualGatewayRef", "meshOwner",   "routes"};

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The CRD writes "certificateARN" and "certificateAuthorityARNs"; the API "...Arn(s)". Either
// spelling is read, as the controller's case-insensitive JSON decoding did.
std::string ApiKey(const std::string& key) {
  for (const char* api : {"certificateArn", "certificateAuthorityArns"}) {
    if (EqualIgnoringCase(key, api)) return api;
  }
  return key;
}

// Nulls dropped (an empty "logging:" means no logging), ARN spellings made the API's.
json Normalize(const json& in) {
  if (in.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : in.items()) {
      if (!value.is_null()) out[ApiKey(key)] = Normalize(value);
    }
    return out;
  }
  if (in.is_array()) {
    json out = json::array();
    for (const auto& item : in) out.push_back(Normalize(item));
    return out;
  }
  return in;
}

json WithoutCrdFields(const json& spec) {
  json out = Normalize(spec.is_object() ? spec : json::object());
  for (const auto& key : kCrdOnly) out.erase(key);
  return out;
}

Result<std::string> RefName(std::string_view kind, const json& ref, const std::string& ns,
                            const RefResolver& refs) {
  std::string name = ref.value("name", "");
  std::string ref_ns = ref.value("namespace", ns);
  return refs.Name(kind, name, ref_ns.empty() ? ns : ref_ns);
}

// A virtualServiceRef or virtualServiceARN becomes the API's virtualServiceName.
Status ResolveServiceRef(json& holder, const std::string& ns, const RefResolver& refs) {
  Result<std::string> name = std::string();
  if (holder.contains("virtualServiceRef")) {
    name = RefName("VirtualService", holder["virtualServiceRef"], ns, refs);
  } else if (holder.contains("virtualServiceARN")) {
    name = refs.NameFromArn("virtualService", holder["virtualServiceARN"].get<std::string>());
  } else {
    return Status::Ok();
  }
  if (!name.ok()) return name.status();
  holder.erase("virtualServiceRef");
  holder.erase("virtualServiceARN");
  holder["virtualServiceName"] = *name;
  return Status::Ok();
}

Status ResolveBackends(json& spec, const std::string& ns, const RefResolver& refs) {
  if (!spec.contains("backends")) return Status::Ok();
  for (auto& backend : spec["backends"]) {
    if (backend.contains("virtualService")) {
      CM_RETURN_IF_ERROR(ResolveServiceRef(backend["virtualService"], ns, refs));
    }
  }
  return Status::Ok();
}

Status ResolveTargets(json& action, const std::string& ns, const RefResolver& refs) {
  if (!action.contains("weightedTargets")) return Status::Ok();
  for (auto& target : action["weightedTargets"]) {
    Result<std::string> name = std::string();
    if (target.contains("virtualNodeRef")) {
      name = RefName("VirtualNode", target["virtualNodeRef"], ns, refs);
    } else if (target.contains("virtualNodeARN")) {
      name = refs.NameFromArn("virtualNode", target["virtualNodeARN"].get<std::string>());
    } else {
      continue;
    }
    if (!name.ok()) return name.status();
    target.erase("virtualNodeRef");
    target.erase("virtualNodeARN");
    target["virtualNode"] = *name;
  }
  return Status::Ok();
}

Status ResolveProvider(json& spec, const std::string& ns, const RefResolver& refs) {
  if (!spec.contains("provider")) return Status::Ok();
  json& provider = spec["provider"];
  if (provider.contains("virtualNode")) {
    auto name =
        RefName("VirtualNode", provider["virtualNode"].value("virtualNodeRef", json()), ns, refs);
    if (!name.ok()) return name.status();
    provider["virtualNode"] = {{"virtualNodeName", *name}};
  }
  if (provider.contains("virtualRouter")) {
    auto name = RefName("VirtualRouter",
                        provider["virtualRouter"].value("virtualRouterRef", json()), ns, refs);
    if (!name.ok()) return name.status();
    provider["virtualRouter"] = {{"virtualRouterName", *name}};
  }
  return Status::Ok();
}

Status ResolveGatewayTargets(json& spec, const std::string& ns, const RefResolver& refs) {
  for (const char* kind : {"httpRoute", "http2Route", "grpcRoute"}) {
    if (!spec.contains(kind) || !spec[kind].contains("action")) continue;
    json& action = spec[kind]["action"];
    if (action.contains("target") && action["target"].contains("virtualService")) {
      CM_RETURN_IF_ERROR(ResolveServiceRef(action["target"]["virtualService"], ns, refs));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<json> ToApiRouteSpec(const json& route, const std::string& ns, const RefResolver& refs) {
  json spec = Normalize(route);
  spec.erase("name");
  for (const char* kind : {"httpRoute", "http2Route", "tcpRoute", "grpcRoute"}) {
    if (spec.contains(kind) && spec[kind].contains("action")) {
      CM_RETURN_IF_ERROR(ResolveTargets(spec[kind]["action"], ns, refs));
    }
  }
  return spec;
}

Result<json> ToApiSpec(const K8sObject& object, const RefResolver& refs) {
  json spec = WithoutCrdFields(object.spec());
  const std::string& ns = object.meta.namespace_;
  std::string_view kind = object.kind();
  if (kind == "VirtualNode") {
    CM_RETURN_IF_ERROR(ResolveBackends(spec, ns, refs));
  } else if (kind == "VirtualService") {
    CM_RETURN_IF_ERROR(ResolveProvider(spec, ns, refs));
  } else if (kind == "GatewayRoute") {
    CM_RETURN_IF_ERROR(ResolveGatewayTargets(spec, ns, refs));
  }
  return spec;
}

}  // namespace crossmesh::manifests
