// Routes, virtual routers, virtual services, gateway routes and meshes; the per-kind lookups.
#include <map>
#include <string>

#include "harness/manifests/appmesh_schema.h"

namespace crossmesh::manifests::shapes {
namespace {

using namespace schema;  // NOLINT(google-build-using-namespace): shape tables read better

const std::vector<std::string> kMethods = {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS",
                                           "PATCH",   "POST",   "PUT", "TRACE"};

SchemaPtr WeightedTarget(Dialect d) {
  if (d == Dialect::kApi) {
    return Obj("weighted target",
               {Req("virtualNode", Str()), Req("weight", Int(0, 100)), Opt("port", Port())});
  }
  return WithUnion("weighted target",
                   {Opt("virtualNodeRef", Ref("virtual node reference")),
                    Opt("virtualNodeARN", Str(ValueFormat::kVirtualNodeArn)),
                    Req("weight", Int(0, 100)), Opt("port", Port())},
                   {"virtualNodeRef", "virtualNodeARN"}, "");
}

SchemaPtr Targets(Dialect d) {
  return Obj("route action", {Req("weightedTargets", List(WeightedTarget(d), 1, 10))});
}

SchemaPtr MatchRange() {
  return Obj("match range", {Req("start", Int(INT64_MIN)), Req("end", Int(INT64_MIN))});
}

SchemaPtr HeaderMatch() {
  return OneOf("header match",
               {Opt("exact", Str()), Opt("prefix", Str()), Opt("range", MatchRange()),
                Opt("regex", Str()), Opt("suffix", Str())});
}

SchemaPtr Headers() {
  return List(
      Obj("header", {Req("name", Str()), Opt("invert", Bool()), Opt("match", HeaderMatch())}), 1,
      10);
}

SchemaPtr PathMatch() { return OneOf("path match", {Opt("exact", Str()), Opt("regex", Str())}); }

SchemaPtr QueryParameters() {
  auto match = Obj("query parameter match", {Opt("exact", Str())});
  return List(Obj("query parameter", {Req("name", Str()), Opt("match", match)}), 1, 10);
}

SchemaPtr HttpTimeout() {
  return Obj("HTTP timeout", {Opt("perRequest", Duration()), Opt("idle", Duration())});
}

SchemaPtr HttpRoute(Dialect d) {
  auto match =
      Obj("HTTP route match",
          {Opt("prefix", Str()), Opt("path", PathMatch()),
           Opt("queryParameters", QueryParameters()), Opt("method", Enum(kMethods)),
           Opt("scheme", Enum({"http", "https"})), Opt("headers", Headers()), Opt("port", Port())});
  auto retry = Obj(
      "HTTP retry policy",
      {Req("maxRetries", Int(0)), Req("perRetryTimeout", Duration()),
       Opt("httpRetryEvents",
           List(Enum({"server-error", "gateway-error", "client-error", "stream-error"}), 1, 25)),
       Opt("tcpRetryEvents", List(Enum({"connection-error"}), 1, 1))});
  return Obj("HTTP route", {Req("match", match), Req("action", Targets(d)),
                            Opt("retryPolicy", retry), Opt("timeout", HttpTimeout())});
}

SchemaPtr TcpRoute(Dialect d) {
  return Obj("TCP route", {Req("action", Targets(d)),
                           Opt("match", Obj("TCP route match", {Opt("port", Port())})),
                           Opt("timeout", Obj("TCP timeout", {Opt("idle", Duration())}))});
}

SchemaPtr GrpcMetadata() {
  return List(Obj("gRPC metadata",
                  {Req("name", Str()), Opt("invert", Bool()), Opt("match", HeaderMatch())}),
              1, 10);
}

SchemaPtr GrpcRoute(Dialect d) {
  auto match = Obj("gRPC route match", {Opt("serviceName", Str()), Opt("methodName", Str()),
                                        Opt("metadata", GrpcMetadata()), Opt("port", Port())});
  auto retry = Obj(
      "gRPC retry policy",
      {Req("maxRetries", Int(0)), Req("perRetryTimeout", Duration()),
       Opt("grpcRetryEvents", List(Enum({"cancelled", "deadline-exceeded", "internal",
                                         "resource-exhausted", "unavailable"}),
                                   1, 5)),
       Opt("httpRetryEvents",
           List(Enum({"server-error", "gateway-error", "client-error", "stream-error"}), 1, 25)),
       Opt("tcpRetryEvents", List(Enum({"connection-error"}), 1, 1))});
  return Obj("gRPC route", {Req("match", match), Req("action", Targets(d)),
                            Opt("retryPolicy", retry), Opt("timeout", HttpTimeout())});
}

SchemaPtr HostnameMatch() {
  return OneOf("hostname match", {Opt("exact", Str()), Opt("suffix", Str())});
}

SchemaPtr GatewayTarget(Dialect d) {
  SchemaPtr service;
  if (d == Dialect::kApi) {
    service = Obj("gateway route virtual service", {Req("virtualServiceName", Str())});
  } else {
    service = OneOf("gateway route virtual service",
                    {Opt("virtualServiceRef", Ref("virtual service reference")),
                     Opt("virtualServiceARN", Str(ValueFormat::kVirtualServiceArn))});
  }
  return Obj("gateway route target", {Req("virtualService", service), Opt("port", Port())});
}

SchemaPtr EnabledDisabled() { return Enum({"ENABLED", "DISABLED"}); }

SchemaPtr HttpGatewayRoute(Dialect d) {
  auto match =
      Obj("HTTP gateway route match",
          {Opt("prefix", Str()), Opt("path", PathMatch()),
           Opt("queryParameters", QueryParameters()), Opt("method", Enum(kMethods)),
           Opt("hostname", HostnameMatch()), Opt("headers", Headers()), Opt("port", Port())});
  auto rewrite = Obj(
      "HTTP gateway route rewrite",
      {Opt("prefix",
           Obj("prefix rewrite", {Opt("defaultPrefix", EnabledDisabled()), Opt("value", Str())})),
       Opt("path", Obj("path rewrite", {Opt("exact", Str())})),
       Opt("hostname",
           Obj("hostname rewrite", {Opt("defaultTargetHostname", EnabledDisabled())}))});
  auto action =
      Obj("HTTP gateway route action", {Req("target", GatewayTarget(d)), Opt("rewrite", rewrite)});
  return Obj("HTTP gateway route", {Req("match", match), Req("action", action)});
}

SchemaPtr GrpcGatewayRoute(Dialect d) {
  auto match =
      Obj("gRPC gateway route match", {Opt("serviceName", Str()), Opt("hostname", HostnameMatch()),
                                       Opt("metadata", GrpcMetadata()), Opt("port", Port())});
  auto rewrite = Obj("gRPC gateway route rewrite",
                     {Opt("hostname", Obj("hostname rewrite",
                                          {Opt("defaultTargetHostname", EnabledDisabled())}))});
  auto action =
      Obj("gRPC gateway route action", {Req("target", GatewayTarget(d)), Opt("rewrite", rewrite)});
  return Obj("gRPC gateway route", {Req("match", match), Req("action", action)});
}

SchemaPtr Tags() { return List(Obj("tag", {Req("key", Str()), Opt("value", Str())}), 0, 50); }

SchemaPtr InputDocument(std::vector<Field> names, const SchemaPtr& spec, bool spec_required) {
  std::vector<Field> fields = std::move(names);
  fields.push_back(spec_required ? Req("spec", spec) : Opt("spec", spec));
  fields.push_back(Opt("clientToken", Str()));
  fields.push_back(Opt("tags", Tags()));
  return Obj("App Mesh input", std::move(fields));
}

}  // namespace

SchemaPtr RouteSpec(Dialect d, bool named) {
  std::vector<Field> fields = {Opt("httpRoute", HttpRoute(d)), Opt("http2Route", HttpRoute(d)),
                               Opt("tcpRoute", TcpRoute(d)), Opt("grpcRoute", GrpcRoute(d)),
                               Opt("priority", Int(0, 1000))};
  if (named) fields.insert(fields.begin(), Req("name", Str()));
  return WithUnion(named ? "route" : "route spec", std::move(fields),
                   {"httpRoute", "http2Route", "tcpRoute", "grpcRoute"}, "");
}

SchemaPtr VirtualRouterSpec(Dialect d) {
  auto listener = Obj("virtual router listener", {Req("portMapping", PortMapping(false))});
  if (d == Dialect::kApi) return Obj("virtual router spec", {Opt("listeners", List(listener, 1))});
  return Obj("virtual router spec",
             {Opt("awsName", Str()), Opt("listeners", List(listener, 1, 1)),
              Opt("routes", List(RouteSpec(d, true))), Opt("meshRef", MeshRef())});
}

SchemaPtr VirtualServiceSpec(Dialect d) {
  SchemaPtr provider;
  if (d == Dialect::kApi) {
    provider = AtMostOne(
        "virtual service provider",
        {Opt("virtualNode", Obj("virtual node provider", {Req("virtualNodeName", Str())})),
         Opt("virtualRouter", Obj("virtual router provider", {Req("virtualRouterName", Str())}))});
    return Obj("virtual service spec", {Opt("provider", provider)});
  }
  provider = AtMostOne(
      "virtual service provider",
      {Opt("virtualNode",
           Obj("virtual node provider", {Req("virtualNodeRef", Ref("virtual node reference"))})),
       Opt("virtualRouter", Obj("virtual router provider",
                                {Req("virtualRouterRef", Ref("virtual router reference"))}))});
  return Obj("virtual service spec",
             {Opt("awsName", Str()), Req("provider", provider), Opt("meshRef", MeshRef())});
}

SchemaPtr GatewayRouteSpec(Dialect d) {
  std::vector<Field> fields = {
      Opt("httpRoute", HttpGatewayRoute(d)), Opt("http2Route", HttpGatewayRoute(d)),
      Opt("grpcRoute", GrpcGatewayRoute(d)), Opt("priority", Int(0, 1000))};
  if (d == Dialect::kCrd) {
    auto gateway_ref =
        Obj("virtual gateway reference",
            {Req("name", Str(ValueFormat::kKubernetesName)),
             Opt("namespace", Str(ValueFormat::kKubernetesLabel)), Opt("uid", Str())});
    fields.insert(fields.begin(), Opt("awsName", Str()));
    fields.push_back(Opt("virtualGatewayRef", gateway_ref));
    fields.push_back(Opt("meshRef", MeshRef()));
  }
  return WithUnion("gateway route spec", std::move(fields),
                   {"httpRoute", "http2Route", "grpcRoute"}, "");
}

SchemaPtr MeshSpec(Dialect d) {
  std::vector<Field> fields = {
      Opt("egressFilter", Obj("egress filter", {Req("type", Enum({"ALLOW_ALL", "DROP_ALL"}))})),
      Opt("serviceDiscovery", Obj("mesh service discovery",
                                  {Opt("ipPreference", Enum({"IPv6_PREFERRED", "IPv4_PREFERRED",
                                                             "IPv4_ONLY", "IPv6_ONLY"}))}))};
  if (d == Dialect::kCrd) {
    fields.insert(fields.begin(),
                  {Opt("awsName", Str()), Opt("namespaceSelector", LabelSelector())});
    fields.push_back(Opt("meshOwner", Str(ValueFormat::kAccountId)));
  }
  return Obj("mesh spec", std::move(fields));
}

}  // namespace crossmesh::manifests::shapes

namespace crossmesh::manifests {

SchemaPtr AppMeshSpecSchema(std::string_view kind) {
  using namespace shapes;  // NOLINT(google-build-using-namespace)
  static const std::map<std::string, SchemaPtr, std::less<>> kSpecs = {
      {"Mesh", MeshSpec(Dialect::kCrd)},
      {"VirtualNode", VirtualNodeSpec(Dialect::kCrd)},
      {"VirtualService", VirtualServiceSpec(Dialect::kCrd)},
      {"VirtualRouter", VirtualRouterSpec(Dialect::kCrd)},
      {"VirtualGateway", VirtualGatewaySpec(Dialect::kCrd)},
      {"GatewayRoute", GatewayRouteSpec(Dialect::kCrd)},
  };
  auto it = kSpecs.find(kind);
  return it == kSpecs.end() ? nullptr : it->second;
}

SchemaPtr AppMeshInputSchema(std::string_view resource) {
  using namespace shapes;  // NOLINT(google-build-using-namespace)
  using schema::Opt;
  using schema::Req;
  using schema::Str;
  const Dialect d = Dialect::kApi;
  auto owner = Opt("meshOwner", Str(ValueFormat::kAccountId));
  static const std::map<std::string, SchemaPtr, std::less<>> kInputs = {
      {"Mesh", InputDocument({Req("meshName", Str())}, MeshSpec(d), false)},
      {"VirtualNode", InputDocument({Req("meshName", Str()), Req("virtualNodeName", Str()), owner},
                                    VirtualNodeSpec(d), true)},
      {"VirtualService",
       InputDocument({Req("meshName", Str()), Req("virtualServiceName", Str()), owner},
                     VirtualServiceSpec(d), true)},
      {"VirtualRouter",
       InputDocument({Req("meshName", Str()), Req("virtualRouterName", Str()), owner},
                     VirtualRouterSpec(d), true)},
      {"Route", InputDocument({Req("meshName", Str()), Req("virtualRouterName", Str()),
                               Req("routeName", Str()), owner},
                              RouteSpec(d, false), true)},
      {"VirtualGateway",
       InputDocument({Req("meshName", Str()), Req("virtualGatewayName", Str()), owner},
                     VirtualGatewaySpec(d), true)},
      {"GatewayRoute", InputDocument({Req("meshName", Str()), Req("virtualGatewayName", Str()),
                                      Req("gatewayRouteName", Str()), owner},
                                     GatewayRouteSpec(d), true)},
  };
  auto it = kInputs.find(resource);
  return it == kInputs.end() ? nullptr : it->second;
}

}  // namespace crossmesh::manifests
