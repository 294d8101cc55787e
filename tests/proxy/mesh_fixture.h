// One mesh hop for the proxy tests, wired as App Mesh would: the app "yelb-ui" talks plaintext
// to its sidecar's backend port; the sidecar applies the client policy towards
// "yelb-appserver"'s sidecar (optionally through a wire tap), whose listener applies its TLS
// mode and forwards to the app behind it. Certificates come from MeshPki: one shared CA (as
// the shared ACM Private CA) and a second, untrusted one.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/proxy/config.h"
#include "harness/proxy/proxy_runtime.h"
#include "harness/tap/tap.h"
#include "tests/proxy/test_app.h"
#include "tests/proxy/test_client.h"
#include "tests/proxy/test_pki.h"

namespace crossmesh::proxy::testing {

inline constexpr const char* kMesh = "am-multi-account-mesh";
inline constexpr const char* kService = "yelb-appserver.yelb.svc.cluster.local";
inline constexpr const char* kServiceName = "yelb-appserver.yelb.svc.cluster.local";
inline constexpr uint16_t kMeshPort = 4567;
std::string ClusterName(Protocol protocol);  // cds_egress_am-multi-account-mesh_yelb-...

// Secrets pushed into a runtime: "server-cert" (SAN kService), "client-cert" (SAN
// yelb-ui.yelb.svc.cluster.local), "mesh-ca" (trust for both), "other-ca" (another CA),
// "rogue-client-cert" (a client certificate from the other CA).
struct MeshPki {
  MeshPki();
  void PushAll(SecretStore& secrets) const;

  TestClock clock;
  TestCa ca;
  TestCa other_ca;
  TlsCertificate server;
  TlsCertificate client;
  TlsCertificate rogue_client;
};

// One runtime with the test PKI's secrets pushed: what most proxy tests start from.
struct Mesh {
  MeshPki pki;
  ProxyRuntime runtime{ProxyRuntime::Options{2}};
  Mesh() { pki.PushAll(runtime.secrets()); }
};

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct HopOptions {
  Protocol protocol = Protocol::kHttp;
  // The server listener's tls; nullopt: no tls block at all.
  std::optional<ListenerTls> server_tls = ListenerTls{TlsMode::kStrict, "server-cert", {}};
  std::optional<ClientTlsPolicy> policy;  // the client's effective client policy
  // The target as the client's cluster describes it; nullopt: derived from server_tls with no
  // auto validation (the file/sds rows).
  std::optional<TargetTls> target;
  bool via_tap = false;
  std::vector<std::string> markers;
  // The client cluster's source_address, and the tap's client_source_address; empty: neither.
  std::string client_source;
  TlsSettings tls;
  ErrorStyle error_style = ErrorStyle::kClassic;
  std::optional<RetryPolicy> retry;
  // The server listener's timeout (Listener::request_timeout, idle_timeout).
  Milliseconds server_request_timeout{15000};
  Milliseconds server_idle_timeout{0};
  AppConnectionPool server_connection_pool;  // the server listener's connectionPool
  // Both proxies' http.idle_timeout (connections, and HTTP/2 requests arriving whole).
  Milliseconds http_idle_timeout{300000};
  size_t http_max_body_bytes = 8 * 1024 * 1024;  // both proxies' http.max_body_bytes
  // The calling sidecar's http.accept_http_10; the server side keeps App Mesh's default, so
  // HTTP/1.0 from an app crosses the hop as HTTP/1.1 (as from Envoy) or meets a 426.
  bool http_accept_http_10 = false;
  // The client's route timeout (Route::timeout) and `timeout.idle` (Route::idle_timeout).
  Milliseconds route_timeout{15000};
  Milliseconds route_idle_timeout{0};
  // An app already listening on this port (a gRPC server) instead of a TestApp; 0: a TestApp.
  uint16_t external_app_port = 0;
};

// The policy most rows use: enforce, trust "mesh-ca", SAN rule by discovery name.
ClientTlsPolicy TrustMeshCa(std::vector<std::string> san_exact = {});

// Mutual TLS through a tap that watches for `marker` in the clear.
HopOptions TappedMutual(const std::string& marker);

class Hop {
 public:
  Hop(ProxyRuntime& runtime, const MeshPki& pki, HopOptions options);
  ~Hop();
  Hop(const Hop&) = delete;
  Hop& operator=(const Hop&) = delete;
  Hop(Hop&&) = delete;
  Hop& operator=(Hop&&) = delete;

  uint16_t client_port() const;  // the app-facing backend port of yelb-ui's sidecar
  uint16_t server_port() const;  // yelb-appserver's listener
  Proxy& client() { return *client_; }
  Proxy& server() { return *server_; }
  tap::Tap* tap() { return tap_.get(); }
  TestApp& app() { return *app_; }  // not with external_app_port
  std::string cluster() const { return ClusterName(options_.protocol); }
  std::string server_listener_prefix() const;  // "listener.127.0.0.1_<port>."

  // One request through the hop on a fresh connection.
  std::optional<RawHttpMessage> Get(const std::string& target = "/", const std::string& body = "");

 private:
  ProxyRuntime& runtime_;
  HopOptions options_;
  std::unique_ptr<TestApp> app_;
  std::shared_ptr<Proxy> server_;
  std::unique_ptr<tap::Tap> tap_;
  std::shared_ptr<Proxy> client_;
};

// Counters a proxy updates after it has already closed a connection (a timed-out handshake)
// can trail what the client sees: poll `read` until it returns `expected` or `wait` passes,
// and return the last value.
int64_t Eventually(const std::function<int64_t()>& read, int64_t expected,
                   std::chrono::milliseconds wait = std::chrono::seconds(5));

ProxyConfig ServerConfig(const std::string& name, uint16_t app_port, const HopOptions& options,
                         std::function<TimePoint()> clock);
ProxyConfig ClientConfig(const std::string& name, uint16_t endpoint_port, const HopOptions& options,
                         std::function<TimePoint()> clock);

}  // namespace crossmesh::proxy::testing
