#include "harness/manifests/k8s_schema.h"

#include <array>
#include <map>

#include "harness/manifests/appmesh_schema.h"

namespace crossmesh::manifests {
namespace {

using namespace schema;  // NOLINT(google-build-using-namespace): shape tables read better

constexpr std::array<KindInfo, 9> kKinds = {{
    {"Mesh", kAppMeshApiVersion, false, true},
    {"VirtualNode", kAppMeshApiVersion, true, true},
    {"VirtualService", kAppMeshApiVersion, true, true},
    {"VirtualRouter", kAppMeshApiVersion, true, true},
    {"VirtualGateway", kAppMeshApiVersion, true, true},
    {"GatewayRoute", kAppMeshApiVersion, true, true},
    {"Namespace", "v1", false, false},
    {"Service", "v1", true, false},
    {"Deployment", "apps/v1", true, false},
}};

// ObjectMeta: the fields a client may write (server-set ones are accepted and ignored).
SchemaPtr Metadata() {
  return Obj("metadata",
             {Req("name", Str(ValueFormat::kKubernetesName)),
              Opt("namespace", Str(ValueFormat::kKubernetesLabel)), Opt("labels", StrMap()),
              Opt("annotations", StrMap()), Opt("generateName", Str()), Opt("uid", Str()),
              Opt("resourceVersion", Str()), Opt("generation", Int(0)),
              Opt("creationTimestamp", Any()), Opt("deletionTimestamp", Any()),
              Opt("deletionGracePeriodSeconds", Int(0)), Opt("ownerReferences", Any()),
              Opt("finalizers", List(Str())), Opt("managedFields", Any()), Opt("selfLink", Str())});
}

SchemaPtr Build(const KindInfo& kind) {
  SchemaPtr spec = kind.appmesh ? AppMeshSpecSchema(kind.kind) : Any();
  bool spec_required = kind.appmesh && kind.kind != "Mesh";
  return Obj(std::string(kind.kind),
             {Req("apiVersion", Str()), Req("kind", Str()), Req("metadata", Metadata()),
              spec_required ? Req("spec", spec) : Opt("spec", spec), Opt("status", Any())});
}

}  // namespace

const KindInfo* FindKind(std::string_view kind) {
  for (const auto& info : kKinds) {
    if (info.kind == kind) return &info;
  }
  return nullptr;
}

SchemaPtr ManifestSchema(const KindInfo& kind) {
  static const std::map<std::string_view, SchemaPtr> kSchemas = [] {
    std::map<std::string_view, SchemaPtr> schemas;
    for (const auto& info : kKinds) schemas[info.kind] = Build(info);
    return schemas;
  }();
  return kSchemas.at(kind.kind);
}

}  // namespace crossmesh::manifests
