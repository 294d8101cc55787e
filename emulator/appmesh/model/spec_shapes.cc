// The App Mesh spec shapes, transcribed from the App Mesh API model (2019-01-25, as botocore
// ships it) by gen_spec_shapes.py: every structure, union, list and scalar reachable from the
// seven resource specs and the tag list, with the model's bounds and enums.
//
// One shape per line: `Name struct|union [*]member:Shape ...` (`*` = required; long lines
// continue indented), `Name list Element [min..max]`, `Name string|integer|long [min..max]
// [enum a|b]`, `Name boolean`. Patterns in the model are not transcribed (see COVERAGE.md).
#include <string_view>

namespace crossmesh::appmesh {

std::string_view SpecShapeTable() {
  static constexpr std::string_view kTable = R"shapes(
MeshSpec struct egressFilter:EgressFilter serviceDiscovery:MeshServiceDiscovery
EgressFilter struct *type:EgressFilterType
EgressFilterType string enum ALLOW_ALL|DROP_ALL
MeshServiceDiscovery struct ipPreference:IpPreference
IpPreference string enum IPv6_PREFERRED|IPv4_PREFERRED|IPv4_ONLY|IPv6_ONLY
VirtualNodeSpec struct backendDefaults:BackendDefaults backends:Backends listeners:Listeners
  logging:Logging serviceDiscovery:ServiceDiscovery
BackendDefaults struct clientPolicy:ClientPolicy
ClientPolicy struct tls:ClientPolicyTls
ClientPolicyTls struct certificate:ClientTlsCertificate enforce:Boolean ports:PortSet
  *validation:TlsValidationContext
ClientTlsCertificate union file:ListenerTlsFileCertificate sds:ListenerTlsSdsCertificate
ListenerTlsFileCertificate struct *certificateChain:FilePath *privateKey:FilePath
FilePath string 1..255
ListenerTlsSdsCertificate struct *secretName:SdsSecretName
SdsSecretName string
Boolean boolean
PortSet list PortNumber
PortNumber integer 1..65535
TlsValidationContext struct subjectAlternativeNames:SubjectAlternativeNames
  *trust:TlsValidationContextTrust
SubjectAlternativeNames struct *match:SubjectAlternativeNameMatchers
SubjectAlternativeNameMatchers struct *exact:SubjectAlternativeNameList
SubjectAlternativeNameList list SubjectAlternativeName
SubjectAlternativeName string 1..254
TlsValidationContextTrust union acm:TlsValidationContextAcmTrust
  file:TlsValidationContextFileTrust sds:TlsValidationContextSdsTrust
TlsValidationContextAcmTrust struct *certificateAuthorityArns:CertificateAuthorityArns
CertificateAuthorityArns list Arn 1..3
Arn string
TlsValidationContextFileTrust struct *certificateChain:FilePath
TlsValidationContextSdsTrust struct *secretName:SdsSecretName
Backends list Backend
Backend union virtualService:VirtualServiceBackend
VirtualServiceBackend struct clientPolicy:ClientPolicy *virtualServiceName:ServiceName
ServiceName string
Listeners list Listener
Listener struct connectionPool:VirtualNodeConnectionPool healthCheck:HealthCheckPolicy
  outlierDetection:OutlierDetection *portMapping:PortMapping timeout:ListenerTimeout
  tls:ListenerTls
VirtualNodeConnectionPool union grpc:VirtualNodeGrpcConnectionPool
  http:VirtualNodeHttpConnectionPool http2:VirtualNodeHttp2ConnectionPool
  tcp:VirtualNodeTcpConnectionPool
VirtualNodeGrpcConnectionPool struct *maxRequests:MaxRequests
MaxRequests integer 1..
VirtualNodeHttpConnectionPool struct *maxConnections:MaxConnections
  maxPendingRequests:MaxPendingRequests
MaxConnections integer 1..
MaxPendingRequests integer 1..
VirtualNodeHttp2ConnectionPool struct *maxRequests:MaxRequests
VirtualNodeTcpConnectionPool struct *maxConnections:MaxConnections
HealthCheckPolicy struct *healthyThreshold:HealthCheckThreshold
  *intervalMillis:HealthCheckIntervalMillis path:String port:PortNumber *protocol:PortProtocol
  *timeoutMillis:HealthCheckTimeoutMillis *unhealthyThreshold:HealthCheckThreshold
HealthCheckThreshold integer 2..10
HealthCheckIntervalMillis long 5000..300000
String string
PortProtocol string enum http|tcp|http2|grpc
HealthCheckTimeoutMillis long 2000..60000
OutlierDetection struct *baseEjectionDuration:Duration *interval:Duration
  *maxEjectionPercent:OutlierDetectionMaxEjectionPercent
  *maxServerErrors:OutlierDetectionMaxServerErrors
Duration struct unit:DurationUnit value:DurationValue
DurationUnit string enum s|ms
DurationValue long 0..
OutlierDetectionMaxEjectionPercent integer 0..100
OutlierDetectionMaxServerErrors long 1..
PortMapping struct *port:PortNumber *protocol:PortProtocol
ListenerTimeout union grpc:GrpcTimeout http:HttpTimeout http2:HttpTimeout tcp:TcpTimeout
GrpcTimeout struct idle:Duration perRequest:Duration
HttpTimeout struct idle:Duration perRequest:Duration
TcpTimeout struct idle:Duration
ListenerTls struct *certificate:ListenerTlsCertificate *mode:ListenerTlsMode
  validation:ListenerTlsValidationContext
ListenerTlsCertificate union acm:ListenerTlsAcmCertificate file:ListenerTlsFileCertificate
  sds:ListenerTlsSdsCertificate
ListenerTlsAcmCertificate struct *certificateArn:Arn
ListenerTlsMode string enum STRICT|PERMISSIVE|DISABLED
ListenerTlsValidationContext struct subjectAlternativeNames:SubjectAlternativeNames
  *trust:ListenerTlsValidationContextTrust
ListenerTlsValidationContextTrust union file:TlsValidationContextFileTrust
  sds:TlsValidationContextSdsTrust
Logging struct accessLog:AccessLog
AccessLog union file:FileAccessLog
FileAccessLog struct format:LoggingFormat *path:FilePath
LoggingFormat union json:JsonFormat text:TextFormat
JsonFormat list JsonFormatRef
JsonFormatRef struct *key:JsonKey *value:JsonValue
JsonKey string 1..100
JsonValue string 1..100
TextFormat string 1..1000
ServiceDiscovery union awsCloudMap:AwsCloudMapServiceDiscovery dns:DnsServiceDiscovery
AwsCloudMapServiceDiscovery struct attributes:AwsCloudMapInstanceAttributes
  ipPreference:IpPreference *namespaceName:AwsCloudMapName *serviceName:AwsCloudMapName
AwsCloudMapInstanceAttributes list AwsCloudMapInstanceAttribute
AwsCloudMapInstanceAttribute struct *key:AwsCloudMapInstanceAttributeKey
  *value:AwsCloudMapInstanceAttributeValue
AwsCloudMapInstanceAttributeKey string 1..255
AwsCloudMapInstanceAttributeValue string 1..1024
AwsCloudMapName string 1..1024
DnsServiceDiscovery struct *hostname:Hostname ipPreference:IpPreference
  responseType:DnsResponseType
Hostname string
DnsResponseType string enum LOADBALANCER|ENDPOINTS
VirtualServiceSpec struct provider:VirtualServiceProvider
VirtualServiceProvider union virtualNode:VirtualNodeServiceProvider
  virtualRouter:VirtualRouterServiceProvider
VirtualNodeServiceProvider struct *virtualNodeName:ResourceName
ResourceName string 1..255
VirtualRouterServiceProvider struct *virtualRouterName:ResourceName
VirtualRouterSpec struct listeners:VirtualRouterListeners
VirtualRouterListeners list VirtualRouterListener
VirtualRouterListener struct *portMapping:PortMapping
RouteSpec struct grpcRoute:GrpcRoute http2Route:HttpRoute httpRoute:HttpRoute
  priority:RoutePriority tcpRoute:TcpRoute
GrpcRoute struct *action:GrpcRouteAction *match:GrpcRouteMatch retryPolicy:GrpcRetryPolicy
  timeout:GrpcTimeout
GrpcRouteAction struct *weightedTargets:WeightedTargets
WeightedTargets list WeightedTarget 1..10
WeightedTarget struct port:ListenerPort *virtualNode:ResourceName *weight:PercentInt
ListenerPort integer 1..65535
PercentInt integer 0..100
GrpcRouteMatch struct metadata:GrpcRouteMetadataList methodName:MethodName port:ListenerPort
  serviceName:ServiceName
GrpcRouteMetadataList list GrpcRouteMetadata 1..10
GrpcRouteMetadata struct invert:Boolean match:GrpcRouteMetadataMatchMethod *name:HeaderName
GrpcRouteMetadataMatchMethod union exact:HeaderMatch prefix:HeaderMatch range:MatchRange
  regex:HeaderMatch suffix:HeaderMatch
HeaderMatch string 1..255
MatchRange struct *end:Long *start:Long
Long long
HeaderName string 1..50
MethodName string 1..50
GrpcRetryPolicy struct grpcRetryEvents:GrpcRetryPolicyEvents
  httpRetryEvents:HttpRetryPolicyEvents *maxRetries:MaxRetries *perRetryTimeout:Duration
  tcpRetryEvents:TcpRetryPolicyEvents
GrpcRetryPolicyEvents list GrpcRetryPolicyEvent 1..5
GrpcRetryPolicyEvent string enum
  cancelled|deadline-exceeded|internal|resource-exhausted|unavailable
HttpRetryPolicyEvents list HttpRetryPolicyEvent 1..25
HttpRetryPolicyEvent string 1..25
MaxRetries long 0..
TcpRetryPolicyEvents list TcpRetryPolicyEvent 1..1
TcpRetryPolicyEvent string enum connection-error
HttpRoute struct *action:HttpRouteAction *match:HttpRouteMatch retryPolicy:HttpRetryPolicy
  timeout:HttpTimeout
HttpRouteAction struct *weightedTargets:WeightedTargets
HttpRouteMatch struct headers:HttpRouteHeaders method:HttpMethod path:HttpPathMatch
  port:ListenerPort prefix:String queryParameters:HttpQueryParameters scheme:HttpScheme
HttpRouteHeaders list HttpRouteHeader 1..10
HttpRouteHeader struct invert:Boolean match:HeaderMatchMethod *name:HeaderName
HeaderMatchMethod union exact:HeaderMatch prefix:HeaderMatch range:MatchRange regex:HeaderMatch
  suffix:HeaderMatch
HttpMethod string enum GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH
HttpPathMatch struct exact:HttpPathExact regex:HttpPathRegex
HttpPathExact string 1..255
HttpPathRegex string 1..255
HttpQueryParameters list HttpQueryParameter 1..10
HttpQueryParameter struct match:QueryParameterMatch *name:QueryParameterName
QueryParameterMatch struct exact:String
QueryParameterName string
HttpScheme string enum http|https
HttpRetryPolicy struct httpRetryEvents:HttpRetryPolicyEvents *maxRetries:MaxRetries
  *perRetryTimeout:Duration tcpRetryEvents:TcpRetryPolicyEvents
RoutePriority integer 0..1000
TcpRoute struct *action:TcpRouteAction match:TcpRouteMatch timeout:TcpTimeout
TcpRouteAction struct *weightedTargets:WeightedTargets
TcpRouteMatch struct port:ListenerPort
VirtualGatewaySpec struct backendDefaults:VirtualGatewayBackendDefaults
  *listeners:VirtualGatewayListeners logging:VirtualGatewayLogging
VirtualGatewayBackendDefaults struct clientPolicy:VirtualGatewayClientPolicy
VirtualGatewayClientPolicy struct tls:VirtualGatewayClientPolicyTls
VirtualGatewayClientPolicyTls struct certificate:VirtualGatewayClientTlsCertificate
  enforce:Boolean ports:PortSet *validation:VirtualGatewayTlsValidationContext
VirtualGatewayClientTlsCertificate union file:VirtualGatewayListenerTlsFileCertificate
  sds:VirtualGatewayListenerTlsSdsCertificate
VirtualGatewayListenerTlsFileCertificate struct *certificateChain:FilePath *privateKey:FilePath
VirtualGatewayListenerTlsSdsCertificate struct *secretName:VirtualGatewaySdsSecretName
VirtualGatewaySdsSecretName string
VirtualGatewayTlsValidationContext struct subjectAlternativeNames:SubjectAlternativeNames
  *trust:VirtualGatewayTlsValidationContextTrust
VirtualGatewayTlsValidationContextTrust union acm:VirtualGatewayTlsValidationContextAcmTrust
  file:VirtualGatewayTlsValidationContextFileTrust
  sds:VirtualGatewayTlsValidationContextSdsTrust
VirtualGatewayTlsValidationContextAcmTrust struct
  *certificateAuthorityArns:VirtualGatewayCertificateAuthorityArns
VirtualGatewayCertificateAuthorityArns list Arn 1..3
VirtualGatewayTlsValidationContextFileTrust struct *certificateChain:FilePath
VirtualGatewayTlsValidationContextSdsTrust struct *secretName:VirtualGatewaySdsSecretName
VirtualGatewayListeners list VirtualGatewayListener
VirtualGatewayListener struct connectionPool:VirtualGatewayConnectionPool
  healthCheck:VirtualGatewayHealthCheckPolicy *portMapping:VirtualGatewayPortMapping
  tls:VirtualGatewayListenerTls
VirtualGatewayConnectionPool union grpc:VirtualGatewayGrpcConnectionPool
  http:VirtualGatewayHttpConnectionPool http2:VirtualGatewayHttp2ConnectionPool
VirtualGatewayGrpcConnectionPool struct *maxRequests:MaxRequests
VirtualGatewayHttpConnectionPool struct *maxConnections:MaxConnections
  maxPendingRequests:MaxPendingRequests
VirtualGatewayHttp2ConnectionPool struct *maxRequests:MaxRequests
VirtualGatewayHealthCheckPolicy struct *healthyThreshold:VirtualGatewayHealthCheckThreshold
  *intervalMillis:VirtualGatewayHealthCheckIntervalMillis path:String port:PortNumber
  *protocol:VirtualGatewayPortProtocol *timeoutMillis:VirtualGatewayHealthCheckTimeoutMillis
  *unhealthyThreshold:VirtualGatewayHealthCheckThreshold
VirtualGatewayHealthCheckThreshold integer 2..10
VirtualGatewayHealthCheckIntervalMillis long 5000..300000
VirtualGatewayPortProtocol string enum http|http2|grpc
VirtualGatewayHealthCheckTimeoutMillis long 2000..60000
VirtualGatewayPortMapping struct *port:PortNumber *protocol:VirtualGatewayPortProtocol
VirtualGatewayListenerTls struct *certificate:VirtualGatewayListenerTlsCertificate
  *mode:VirtualGatewayListenerTlsMode validation:VirtualGatewayListenerTlsValidationContext
VirtualGatewayListenerTlsCertificate union acm:VirtualGatewayListenerTlsAcmCertificate
  file:VirtualGatewayListenerTlsFileCertificate sds:VirtualGatewayListenerTlsSdsCertificate
VirtualGatewayListenerTlsAcmCertificate struct *certificateArn:Arn
VirtualGatewayListenerTlsMode string enum STRICT|PERMISSIVE|DISABLED
VirtualGatewayListenerTlsValidationContext struct
  subjectAlternativeNames:SubjectAlternativeNames
  *trust:VirtualGatewayListenerTlsValidationContextTrust
VirtualGatewayListenerTlsValidationContextTrust union
  file:VirtualGatewayTlsValidationContextFileTrust
  sds:VirtualGatewayTlsValidationContextSdsTrust
VirtualGatewayLogging struct accessLog:VirtualGatewayAccessLog
VirtualGatewayAccessLog union file:VirtualGatewayFileAccessLog
VirtualGatewayFileAccessLog struct format:LoggingFormat *path:FilePath
GatewayRouteSpec struct grpcRoute:GrpcGatewayRoute http2Route:HttpGatewayRoute
  httpRoute:HttpGatewayRoute priority:GatewayRoutePriority
GrpcGatewayRoute struct *action:GrpcGatewayRouteAction *match:GrpcGatewayRouteMatch
GrpcGatewayRouteAction struct rewrite:GrpcGatewayRouteRewrite *target:GatewayRouteTarget
GrpcGatewayRouteRewrite struct hostname:GatewayRouteHostnameRewrite
GatewayRouteHostnameRewrite struct defaultTargetHostname:DefaultGatewayRouteRewrite
DefaultGatewayRouteRewrite string enum ENABLED|DISABLED
GatewayRouteTarget struct port:ListenerPort *virtualService:GatewayRouteVirtualService
GatewayRouteVirtualService struct *virtualServiceName:ResourceName
GrpcGatewayRouteMatch struct hostname:GatewayRouteHostnameMatch
  metadata:GrpcGatewayRouteMetadataList port:ListenerPort serviceName:ServiceName
GatewayRouteHostnameMatch struct exact:ExactHostName suffix:SuffixHostname
ExactHostName string 1..253
SuffixHostname string 1..253
GrpcGatewayRouteMetadataList list GrpcGatewayRouteMetadata 1..10
GrpcGatewayRouteMetadata struct invert:Boolean match:GrpcMetadataMatchMethod *name:HeaderName
GrpcMetadataMatchMethod union exact:HeaderMatch prefix:HeaderMatch range:MatchRange
  regex:HeaderMatch suffix:HeaderMatch
HttpGatewayRoute struct *action:HttpGatewayRouteAction *match:HttpGatewayRouteMatch
HttpGatewayRouteAction struct rewrite:HttpGatewayRouteRewrite *target:GatewayRouteTarget
HttpGatewayRouteRewrite struct hostname:GatewayRouteHostnameRewrite
  path:HttpGatewayRoutePathRewrite prefix:HttpGatewayRoutePrefixRewrite
HttpGatewayRoutePathRewrite struct exact:HttpPathExact
HttpGatewayRoutePrefixRewrite struct defaultPrefix:DefaultGatewayRouteRewrite
  value:HttpGatewayRoutePrefix
HttpGatewayRoutePrefix string 1..255
HttpGatewayRouteMatch struct headers:HttpGatewayRouteHeaders hostname:GatewayRouteHostnameMatch
  method:HttpMethod path:HttpPathMatch port:ListenerPort prefix:String
  queryParameters:HttpQueryParameters
HttpGatewayRouteHeaders list HttpGatewayRouteHeader 1..10
HttpGatewayRouteHeader struct invert:Boolean match:HeaderMatchMethod *name:HeaderName
GatewayRoutePriority integer 0..1000
TagList list TagRef 0..50
TagRef struct *key:TagKey *value:TagValue
TagKey string 1..128
TagValue string 0..256
)shapes";
  return kTable;
}

}  // namespace crossmesh::appmesh
