// Virtual node and virtual gateway shapes, and the small shapes every App Mesh kind uses.
#include "harness/manifests/appmesh_schema.h"

namespace crossmesh::manifests::shapes {
namespace {

using namespace schema;  // NOLINT(google-build-using-namespace): shape tables read better

const std::vector<std::string> kIpPreferences = {"IPv6_PREFERRED", "IPv4_PREFERRED", "IPv4_ONLY",
                                                 "IPv6_ONLY"};

SchemaPtr OutlierDetection() {
  return Obj("outlier detection",
             {Req("maxServerErrors", Int(1)), Req("interval", Duration()),
              Req("baseEjectionDuration", Duration()), Req("maxEjectionPercent", Int(0, 100))});
}

SchemaPtr ListenerTimeout() {
  auto http = Obj("HTTP timeout", {Opt("perRequest", Duration()), Opt("idle", Duration())});
  return AtMostOne("listener timeout", {Opt("tcp", Obj("TCP timeout", {Opt("idle", Duration())})),
                                        Opt("http", http), Opt("http2", http), Opt("grpc", http)});
}

SchemaPtr HttpPool() {
  return Obj("HTTP connection pool",
             {Req("maxConnections", Int(1)), Opt("maxPendingRequests", Int(1))});
}

SchemaPtr RequestsPool(const char* what) { return Obj(what, {Req("maxRequests", Int(1))}); }

SchemaPtr NodeConnectionPool() {
  return AtMostOne("connection pool",
                   {Opt("tcp", Obj("TCP connection pool", {Req("maxConnections", Int(1))})),
                    Opt("http", HttpPool()), Opt("http2", RequestsPool("HTTP/2 connection pool")),
                    Opt("grpc", RequestsPool("gRPC connection pool"))});
}

SchemaPtr Listener(Dialect d) {
  return Obj(
      "listener",
      {Req("portMapping", PortMapping(false)), Opt("healthCheck", HealthCheck(false)),
       Opt("outlierDetection", OutlierDetection()), Opt("connectionPool", NodeConnectionPool()),
       Opt("tls", ListenerTls(d, false)), Opt("timeout", ListenerTimeout())});
}

SchemaPtr ServiceDiscovery() {
  auto attribute = Obj("Cloud Map attribute", {Req("key", Str()), Req("value", Str())});
  auto cloud_map =
      Obj("Cloud Map service discovery",
          {Req("namespaceName", Str()), Req("serviceName", Str()),
           Opt("attributes", List(attribute)), Opt("ipPreference", Enum(kIpPreferences))});
  auto dns = Obj("DNS service discovery", {Req("hostname", Str(ValueFormat::kDnsHostname)),
                                           Opt("responseType", Enum({"LOADBALANCER", "ENDPOINTS"})),
                                           Opt("ipPreference", Enum(kIpPreferences))});
  return OneOf("service discovery", {Opt("awsCloudMap", cloud_map), Opt("dns", dns)});
}

SchemaPtr Logging() {
  auto pair = Obj("log format field", {Req("key", Str()), Req("value", Str())});
  auto format = OneOf("log format", {Opt("json", List(pair)), Opt("text", Str())});
  auto file = Obj("file access log", {Req("path", Str()), Opt("format", format)});
  return Obj("logging", {Opt("accessLog", Obj("access log", {Opt("file", file)}))});
}

SchemaPtr Backend(Dialect d) {
  if (d == Dialect::kApi) {
    return Obj("backend", {Req("virtualService", Obj("virtual service backend",
                                                     {Req("virtualServiceName", Str()),
                                                      Opt("clientPolicy", ClientPolicy(d))}))});
  }
  auto service = WithUnion("virtual service backend",
                           {Opt("virtualServiceRef", Ref("virtual service reference")),
                            Opt("virtualServiceARN", Str(ValueFormat::kVirtualServiceArn)),
                            Opt("clientPolicy", ClientPolicy(d))},
                           {"virtualServiceRef", "virtualServiceARN"}, "");
  return Obj("backend", {Req("virtualService", service)});
}

SchemaPtr GatewayConnectionPool() {
  return AtMostOne("connection pool",
                   {Opt("http", HttpPool()), Opt("http2", RequestsPool("HTTP/2 connection pool")),
                    Opt("grpc", RequestsPool("gRPC connection pool"))});
}

SchemaPtr GatewayListener(Dialect d) {
  return Obj("virtual gateway listener",
             {Req("portMapping", PortMapping(true)), Opt("healthCheck", HealthCheck(true)),
              Opt("tls", ListenerTls(d, true)), Opt("connectionPool", GatewayConnectionPool())});
}

}  // namespace

SchemaPtr Port() { return Int(1, 65535); }

SchemaPtr Duration() {
  return Obj("duration", {Req("unit", Enum({"s", "ms"})), Req("value", Int(0))});
}

SchemaPtr PortMapping(bool gateway) {
  auto protocols =
      gateway ? Enum({"http", "http2", "grpc"}) : Enum({"http", "http2", "grpc", "tcp"});
  return Obj("port mapping", {Req("port", Port()), Req("protocol", protocols)});
}

SchemaPtr LabelSelector() {
  auto requirement =
      Obj("label selector requirement",
          {Req("key", Str()), Req("operator", Enum({"In", "NotIn", "Exists", "DoesNotExist"})),
           Opt("values", List(Str()))});
  return Obj("label selector",
             {Opt("matchLabels", StrMap()), Opt("matchExpressions", List(requirement))});
}

SchemaPtr MeshRef() { return Obj("mesh reference", {Req("name", Str()), Opt("uid", Str())}); }

SchemaPtr Ref(const char* what) {
  return Obj(what, {Req("name", Str(ValueFormat::kKubernetesName)),
                    Opt("namespace", Str(ValueFormat::kKubernetesLabel))});
}

SchemaPtr HealthCheck(bool gateway) {
  auto protocols =
      gateway ? Enum({"http", "http2", "grpc"}) : Enum({"http", "http2", "grpc", "tcp"});
  return Obj("health check",
             {Req("healthyThreshold", Int(2, 10)), Req("intervalMillis", Int(5000, 300000)),
              Opt("path", Str()), Opt("port", Port()), Req("protocol", protocols),
              Req("timeoutMillis", Int(2000, 60000)), Req("unhealthyThreshold", Int(2, 10))});
}

SchemaPtr VirtualNodeSpec(Dialect d) {
  std::vector<Field> fields = {
      Opt("listeners",
          List(Listener(d), 0, d == Dialect::kCrd ? std::optional<int64_t>(1) : std::nullopt)),
      Opt("serviceDiscovery", ServiceDiscovery()), Opt("backends", List(Backend(d))),
      Opt("backendDefaults", BackendDefaults(d)), Opt("logging", Logging())};
  if (d == Dialect::kCrd) {
    fields.insert(fields.begin(), {Opt("awsName", Str()), Opt("podSelector", LabelSelector())});
    fields.push_back(Opt("meshRef", MeshRef()));
  }
  return Obj("virtual node spec", std::move(fields));
}

SchemaPtr VirtualGatewaySpec(Dialect d) {
  auto backend_defaults =
      Obj("virtual gateway backend defaults", {Opt("clientPolicy", ClientPolicy(d))});
  std::vector<Field> fields = {
      Req("listeners", List(GatewayListener(d), 1,
                            d == Dialect::kCrd ? std::optional<int64_t>(1) : std::nullopt)),
      Opt("backendDefaults", backend_defaults), Opt("logging", Logging())};
  if (d == Dialect::kCrd) {
    fields.insert(fields.begin(), {Opt("awsName", Str()), Opt("namespaceSelector", LabelSelector()),
                                   Opt("podSelector", LabelSelector()),
                                   Opt("gatewayRouteSelector", LabelSelector())});
    fields.push_back(Opt("meshRef", MeshRef()));
  }
  return Obj("virtual gateway spec", std::move(fields));
}

}  // namespace crossmesh::manifests::shapes
