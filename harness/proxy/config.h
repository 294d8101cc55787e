// ProxyConfig: everything one sidecar proxy needs, as plain data. The control plane renders one
// per virtual node (or gateway) from App Mesh state and hands it to ProxyRuntime::Start/Update;
// RunProxyFromConfigFile reads the same shape from JSON (config_json.h, README.md).
//
// The types name App Mesh concepts but hold only what the data path needs. TLS material is never
// inline: listeners and clusters name secrets in a SecretStore (the SDS role). ACM and SDS
// certificates are pushed there by the control plane; file certificates are declared in
// `file_secrets` and loaded by a FileWatcher, so every reference is a secret name.
//
// How the proxy reads a cluster (appmesh-tls-semantics.md 1.5, implemented in
// upstream_tls_plan.h):
//   - `tls_policy` is the effective client policy (per-backend, else backendDefaults; the
//     control plane picks). It applies when present, enforce is true and `ports` is empty or
//     holds `mesh_port`. Then TLS is originated with its validation and client certificate,
//     whatever the target listener is (a DISABLED target fails with WRONG_VERSION_NUMBER).
//   - Otherwise `target_tls` describes the target's listener: STRICT or PERMISSIVE still gets
//     TLS ("TLS (auto)"), validated by `target_tls.auto_validation` (the control plane sets it
//     for ACM certificates: the root CA and the discovery name; nullopt for file/sds = none).
//   - Otherwise plaintext.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/clock.h"
#include "emulator/core/status.h"

namespace crossmesh::proxy {

// The error code of every configuration the proxy refuses (Envoy rejects such an update).
inline constexpr const char* kInvalidConfiguration = "InvalidConfiguration";
// A socket the configuration asks for could not be had (a port another process holds).
inline constexpr const char* kPortUnavailable = "PortUnavailable";

using Milliseconds = std::chrono::milliseconds;

enum class TlsMode { kStrict, kPermissive, kDisabled };

// App Mesh's listener protocols. http2 and grpc are HTTP/2 towards the app and between proxies;
// downstream, every HTTP port also takes the other framing (Envoy's codec AUTO).
enum class Protocol { kHttp, kHttp2, kGrpc, kTcp };

// True for every protocol but tcp: requests are routed and answered as HTTP.
inline bool IsHttp(Protocol protocol) { return protocol != Protocol::kTcp; }
// True when upstream connections speak HTTP/2 (with prior knowledge).
inline bool UsesHttp2(Protocol protocol) {
  return protocol == Protocol::kHttp2 || protocol == Protocol::kGrpc;
}

enum class TlsVersion { kTls12, kTls13 };

struct Endpoint {
  std::string host;  // an IPv4/IPv6 literal; loopback only (127.0.0.0/8, ::1)
  uint16_t port = 0;

  std::string ToString() const;  // "127.0.1.5:4567"
  bool operator==(const Endpoint&) const = default;
};

// --- Inbound -------------------------------------------------------------------------------

// The server side of mutual TLS (ListenerTls.validation).
struct ListenerValidation {
  std::string trust_secret;            // a ValidationContext secret: the CA PEMs to trust
  std::vector<std::string> san_exact;  // a client SAN must equal one; empty: chain only
  // When false a client without a certificate is let in and counted in ssl.no_certificate
  // (the reference leaves this open, 1.4); App Mesh's observed behaviour is true.
  bool require_client_certificate = true;

  bool operator==(const ListenerValidation&) const = default;
};

struct ListenerTls {
  TlsMode mode = TlsMode::kStrict;
  // A TlsCertificate secret. Required by the App Mesh API even for DISABLED, where it is unused.
  std::string certificate_secret;
  std::optional<ListenerValidation> validation;

  bool operator==(const ListenerTls&) const = default;
};

// The largest limit a proxy file takes in a connection_pool.
inline constexpr size_t kMaxPoolLimit = 1'000'000;

// A listener's `connectionPool` in App Mesh: Envoy's circuit breakers on the way to its app
// (CircuitBreaker). 0: no limit (max_pending_requests 0: none wait).
struct AppConnectionPool {
  size_t max_connections = 0;          // http, tcp: requests (connections) at the app at once
  size_t max_pending_requests = 1024;  // http: requests waiting for one of those (Envoy's default)
  size_t max_requests = 0;             // http2, grpc: requests at the app at once

  bool operator==(const AppConnectionPool&) const = default;
};

struct Listener {
  // Stable identity across Update (Envoy's listener name); see FillDefaults.
  std::string name;
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 binds a free port (kept across Update)
  Protocol protocol = Protocol::kHttp;
  std::optional<ListenerTls> tls;  // absent: no TLS, as DISABLED
  Endpoint app;                    // the local application behind the sidecar (plaintext)
  // Cluster name the app is counted under: "cluster.<app_cluster>.upstream_rq_*".
  std::string app_cluster;
  // A routing listener (a virtual gateway's; HTTP only) when set: each request goes through
  // this virtual service's routes to a cluster, exactly as on an outbound port, and `app` /
  // `app_cluster` are unused. Counted once: http.<prefix>.* and the target's cluster.*.
  std::string virtual_service;
  std::string http_stat_prefix = "ingress";  // "http.<prefix>.downstream_rq_*"
  size_t max_connections = 4096;             // beyond: closed at once, downstream_cx_overflow
  // The listener's `timeout` in App Mesh: how long the app has to answer a request (HTTP;
  // 504 "upstream request timeout" after it; App Mesh's default 15 s), and how long a
  // connection may stay idle before it is closed (0: HTTP uses the proxy's http.idle_timeout,
  // TCP has none).
  Milliseconds request_timeout{15000};
  Milliseconds idle_timeout{0};
  AppConnectionPool connection_pool;

  bool operator==(const Listener&) const = default;
};

// --- Routing -------------------------------------------------------------------------------

// App Mesh's MatchRange as Envoy applies it: a whole number in [start, end).
struct IntRange {
  int64_t start = 0;
  int64_t end = 0;

  bool operator==(const IntRange&) const = default;
};

struct HeaderMatch {
  std::string name;  // case-insensitive
  // Exactly one of the following (or `range`) is set; none: the header must be present.
  std::optional<std::string> exact, prefix, suffix, regex;
  bool invert = false;
  std::optional<IntRange> range;  // the value must be a whole number in it

  bool operator==(const HeaderMatch&) const = default;
};

// HttpQueryParameter: the first `name=` of the query (compared as sent, not percent-decoded).
struct QueryParameterMatch {
  std::string name;
  std::optional<std::string> exact;  // none: the parameter must be present

  bool operator==(const QueryParameterMatch&) const = default;
};

// HttpRouteMatch. Every set field must match. An empty RouteMatch matches everything.
struct RouteMatch {
  std::optional<std::string> prefix;      // on the path without the query
  std::optional<std::string> path_exact;  // on the path without the query
  std::optional<std::string> path_regex;  // ECMAScript, whole path
  std::optional<std::string> method;      // "GET", ...
  std::vector<HeaderMatch> headers;
  std::vector<QueryParameterMatch> query_parameters;

  bool operator==(const RouteMatch&) const = default;
};

struct WeightedTarget {
  std::string cluster;  // a Cluster name in ProxyConfig::clusters
  uint32_t weight = 1;  // 0 never picked

  bool operator==(const WeightedTarget&) const = default;
};

// HTTP retry events as App Mesh names them.
enum class HttpRetryEvent { kServerError, kGatewayError, kClientError, kStreamError };

struct RetryPolicy {
  uint32_t max_retries = 0;
  Milliseconds per_retry_timeout{15000};
  std::vector<HttpRetryEvent> http_events;
  bool tcp_connection_error = false;  // tcpRetryEvents: [connection-error]
  // grpcRetryEvents as the gRPC status codes they name (unavailable = 14, ...): an answer
  // whose grpc-status is one of them is retried.
  std::vector<unsigned> grpc_statuses{};

  bool operator==(const RetryPolicy&) const = default;
};

// What a matched request is changed into before it is sent (a gateway route's `rewrite`, with
// App Mesh's defaults made explicit by the control plane).
struct RouteRewrite {
  std::optional<std::string> prefix;  // replaces the part `match.prefix` matched; see Rewritten
  std::optional<std::string> path;    // replaces the whole path; the query is kept
  std::optional<std::string> host;    // the Host header sent on

  bool operator==(const RouteRewrite&) const = default;
};

struct Route {
  std::string name;
  int priority = 1000;  // lower first (App Mesh 0..1000); ties keep configuration order
  RouteMatch match;     // ignored for TCP routes
  std::optional<RouteRewrite> rewrite;
  // Must also hold for the request as `rewrite` left it: a gateway route's target service route,
  // which sees the rewritten path and Host. When `match` holds and this does not, the routes
  // after it are not tried, except the same gateway route's other pairs (same priority, match
  // and rewrite, next in order): no route, 404, as Envoy answers.
  std::optional<RouteMatch> rewritten_match;
  std::vector<WeightedTarget> targets;
  std::optional<RetryPolicy> retry;
  Milliseconds timeout{15000};  // whole request including retries; 0 = none
  // The route's `timeout.idle`: HTTP, how long the upstream may stay silent before the request
  // ends with 408 "stream timeout" (Envoy's route idle_timeout); TCP, how long the spliced
  // connection may stay silent. 0 = none.
  Milliseconds idle_timeout{0};

  bool operator==(const Route&) const = default;
};

// A virtual service as its router resolves it: the route table the outbound side consults.
struct VirtualService {
  std::string name;  // "yelb-appserver.yelb.svc.cluster.local"; also matched as Host
  Protocol protocol = Protocol::kHttp;
  std::vector<Route> routes;

  bool operator==(const VirtualService&) const = default;
};

// --- Outbound ------------------------------------------------------------------------------

enum class OutboundKind {
  kBackend,    // one local port per declared backend: everything goes to `virtual_service`
  kHttpProxy,  // one HTTP port for all backends: the Host header names the virtual service
};

struct Outbound {
  std::string name;  // stable identity across Update; see FillDefaults
  std::string address = "127.0.0.1";
  uint16_t port = 0;
  OutboundKind kind = OutboundKind::kBackend;
  std::string virtual_service;  // kBackend only
  std::string http_stat_prefix = "egress";

  bool operator==(const Outbound&) const = default;
};

// --- Clusters ------------------------------------------------------------------------------

// How a peer's certificate is checked. `trust_secret` empty: no chain check. The SAN rule is
// `san_exact` when non-empty, else `discovery_name` when set, else no SAN check. DNS SANs are
// compared with DNS semantics, so a wildcard certificate SAN ("*.example.com") covers one
// leftmost label, for both rules (Envoy's DNS exact matcher).
struct PeerValidation {
  std::string trust_secret;            // a ValidationContext secret
  std::vector<std::string> san_exact;  // ClientPolicyTls.validation.subjectAlternativeNames
  std::string discovery_name;          // DNS hostname, or Cloud Map "<service>.<namespace>"

  bool operator==(const PeerValidation&) const = default;
};

struct ClientTlsPolicy {
  bool enforce = true;
  std::vector<uint16_t> ports;               // empty: every port; else only these mesh ports
  std::optional<PeerValidation> validation;  // nullopt: no verification at all
  std::string client_certificate_secret;     // empty: none offered (no mTLS)

  bool operator==(const ClientTlsPolicy&) const = default;
};

// The target virtual node's listener as the mesh declares it, for the "no client policy" rows.
struct TargetTls {
  TlsMode mode = TlsMode::kDisabled;  // no tls on the target = kDisabled
  std::optional<PeerValidation> auto_validation;

  bool operator==(const TargetTls&) const = default;
};

struct Cluster {
  // Envoy style: "cds_egress_<mesh>_<virtualNode>_<protocol>_<port>".
  std::string name;
  std::vector<Endpoint> endpoints;  // round robin; loopback addresses
  // Bound before connecting, as a pod's connections leave from its IP; empty: the kernel picks.
  // Lets a hop's tap tell the sidecar's connections from anyone else's. Loopback only.
  std::string source_address;
  uint16_t mesh_port = 0;  // the target listener's port as the mesh sees it (for `ports`)
  std::optional<ClientTlsPolicy> tls_policy;
  TargetTls target_tls;
  Protocol protocol = Protocol::kHttp;  // the target listener's: http2 / grpc speak HTTP/2
  Milliseconds connect_timeout{5000};

  bool operator==(const Cluster&) const = default;
};

// --- The proxy -----------------------------------------------------------------------------

// A certificate (or CA bundle) read from files: at start and again only when a path is
// atomically replaced (rename over it, or a symlink swap), as Envoy does. In-place writes are
// not noticed. Loaded into the SecretStore under `secret_name`.
struct FileSecret {
  std::string secret_name;
  std::string certificate_chain_path;  // with private_key_path: a TlsCertificate secret
  std::string private_key_path;
  std::string trusted_ca_path;  // alone: a ValidationContext secret

  bool operator==(const FileSecret&) const = default;
};

struct TlsVersionBounds {
  TlsVersion min = TlsVersion::kTls12;
  TlsVersion max = TlsVersion::kTls12;

  bool operator==(const TlsVersionBounds&) const = default;
};

// Envoy's defaults: upstream (client side) 1.2 only, downstream 1.2 to 1.3, so a mesh hop
// negotiates TLS 1.2 as App Mesh's did. The one switch for TLS 1.3 between proxies is
// `upstream.max = kTls13` (AllowTls13BetweenProxies does it).
struct TlsSettings {
  TlsVersionBounds upstream{TlsVersion::kTls12, TlsVersion::kTls12};
  TlsVersionBounds downstream{TlsVersion::kTls12, TlsVersion::kTls13};
  bool session_resumption = true;  // client session cache per endpoint + server tickets
  Milliseconds handshake_timeout{10000};
  // How peeking PERMISSIVE listeners wait for the first byte before treating the connection
  // as plaintext (server-speaks-first protocols send nothing).
  Milliseconds permissive_peek_timeout{1000};

  bool operator==(const TlsSettings&) const = default;
};

// The 503 body layout. kClassic: Envoy ~1.16-1.2x ("reset reason: connection failure,
// transport failure reason: TLS error: 268435581:...:CERTIFICATE_VERIFY_FAILED"), with the
// verification detail appended after a colon. kModern: "TLS_error:|...:<detail>:TLS_error_end".
enum class ErrorStyle { kClassic, kModern };

struct AdminConfig {
  bool enabled = true;
  std::string address = "127.0.0.1";
  uint16_t port = 0;

  bool operator==(const AdminConfig&) const = default;
};

struct HttpLimits {
  size_t max_header_bytes = 60 * 1024;  // Envoy's default max_request_headers_kb
  size_t max_headers_count = 100;       // Envoy's default max_headers_count (trailers too)
  size_t max_body_bytes = 8 * 1024 * 1024;
  Milliseconds idle_timeout{300000};
  // Envoy's http_protocol_options.accept_http_10, false in App Mesh: HTTP/1.0 gets 426.
  bool accept_http_10 = false;

  bool operator==(const HttpLimits&) const = default;
};

struct ProxyConfig {
  std::string name;  // the node, "yelb-ui"; names the proxy in logs and ProxyRuntime
  std::string mesh;  // for names only
  std::vector<Listener> listeners;
  std::vector<Outbound> outbounds;
  std::vector<VirtualService> virtual_services;
  std::vector<Cluster> clusters;
  std::vector<FileSecret> file_secrets;
  TlsSettings tls;
  HttpLimits http;
  ErrorStyle error_style = ErrorStyle::kClassic;
  AdminConfig admin;
  size_t handshake_log_capacity = 8192;  // newest records kept
  // Verification time (and /certs days). Null: the system clock. The harness passes
  // [&clock] { return clock.Now(); } so peers are verified on the emulator's virtual clock.
  std::function<TimePoint()> clock;
};

void AllowTls13BetweenProxies(ProxyConfig& config);

std::string_view TlsModeName(TlsMode mode);                 // "STRICT", "PERMISSIVE", "DISABLED"
std::string_view ProtocolName(Protocol protocol);           // "http", "http2", "grpc", "tcp"
std::string_view TlsVersionName(TlsVersion version);        // "TLSv1.2", "TLSv1.3"
std::string_view HttpRetryEventName(HttpRetryEvent event);  // "server-error", ...
std::optional<TlsMode> ParseTlsMode(std::string_view text);
// "http", "http2", "grpc" -> kHttp; "tcp" -> kTcp.
std::optional<Protocol> ParseProtocol(std::string_view text);
// App Mesh's grpcRetryEvents: cancelled, deadline-exceeded, internal, resource-exhausted,
// unavailable, as gRPC status codes; and back.
std::optional<unsigned> ParseGrpcRetryEvent(std::string_view text);
std::string_view GrpcRetryEventName(unsigned status);
std::optional<TlsVersion> ParseTlsVersion(std::string_view text);  // "TLSv1.2", "1.2"
std::optional<HttpRetryEvent> ParseHttpRetryEvent(std::string_view text);

// Fills defaulted names in place: listeners "ingress_<i>", outbounds "egress_<i>", app clusters
// "cds_ingress_<mesh>_<proxy>_<protocol>_<i>" (listeners with an app only).
void FillDefaults(ProxyConfig& config);

// InvalidConfiguration naming the field by its JSON path ("listeners[1].virtual_service: ...")
// when: a name is missing or repeated, an address is not loopback, a route names an unknown
// cluster, a kBackend outbound or a routing listener names an unknown virtual service (or the
// listener is TCP), a header range has start >= end, a file secret is neither a certificate nor
// a CA bundle. (config_validate.cc)
Status ValidateConfig(const ProxyConfig& config);

}  // namespace crossmesh::proxy
