// The configuration contract: JSON round trips, strict parsing, validation messages.
#include <fmt/format.h>
#include <sys/stat.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "harness/proxy/config_json.h"
#include "harness/proxy/run_proxy.h"
#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy {
namespace {

ProxyConfig SampleConfig() {
  ProxyConfig config;
  config.name = "yelb-ui";
  config.mesh = "am-multi-account-mesh";
  Listener listener;
  listener.name = "ingress";
  listener.port = 15000;
  listener.tls = ListenerTls{TlsMode::kPermissive, "ui-cert",
                             ListenerValidation{"mesh-ca", {"a.local"}, true}};
  listener.app = Endpoint{"127.0.0.1", 80};
  config.listeners.push_back(listener);
  Cluster cluster;
  cluster.name = "cds_egress_m_yelb-appserver_http_4567";
  cluster.endpoints = {Endpoint{"127.0.2.5", 4567}};
  cluster.mesh_port = 4567;
  ClientTlsPolicy policy;
  policy.ports = {4567};
  policy.validation = PeerValidation{"mesh-ca", {}, "yelb-appserver.local"};
  policy.client_certificate_secret = "ui-client";
  cluster.tls_policy = policy;
  cluster.target_tls.mode = TlsMode::kStrict;
  config.clusters.push_back(cluster);
  Route route;
  route.name = "r";
  route.match.prefix = "/";
  route.match.headers = {HeaderMatch{"x-a", std::string("1"), {}, {}, {}, true, {}},
                         HeaderMatch{"x-n", {}, {}, {}, {}, false, IntRange{-5, 10}}};
  route.match.query_parameters = {{.name = "v", .exact = "2"}, {.name = "debug", .exact = {}}};
  route.targets = {WeightedTarget{cluster.name, 3}};
  route.retry = RetryPolicy{2, Milliseconds(250), {HttpRetryEvent::kGatewayError}, true};
  route.rewrite = RouteRewrite{.prefix = "/", .path = {}, .host = "yelb-appserver.local"};
  route.rewritten_match = RouteMatch{.prefix = "/v2",
                                     .path_exact = {},
                                     .path_regex = {},
                                     .method = "GET",
                                     .headers = {},
                                     .query_parameters = {}};
  config.virtual_services.push_back(
      VirtualService{"yelb-appserver.local", Protocol::kHttp, {route}});
  Outbound outbound;
  outbound.name = "appserver";
  outbound.virtual_service = "yelb-appserver.local";
  config.outbounds.push_back(outbound);
  config.file_secrets.push_back(FileSecret{"ui-file", "/tmp/chain.pem", "/tmp/key.pem", ""});
  AllowTls13BetweenProxies(config);
  config.error_style = ErrorStyle::kModern;
  return config;
}

TEST_CASE("A ProxyConfig survives a round trip through JSON") {
  ProxyConfig config = SampleConfig();
  config.http.max_headers_count = 250;
  config.http.accept_http_10 = true;
  Result<ProxyConfig> parsed = ConfigFromJson(ConfigToJson(config));
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  CHECK(parsed->http == config.http);
  CHECK(parsed->listeners == config.listeners);
  CHECK(parsed->clusters == config.clusters);
  CHECK(parsed->virtual_services == config.virtual_services);
  CHECK(parsed->outbounds == config.outbounds);
  CHECK(parsed->file_secrets == config.file_secrets);
  CHECK(parsed->tls == config.tls);
  CHECK(parsed->error_style == ErrorStyle::kModern);
}

TEST_CASE("A config file with a misspelt key is refused with the key's path") {
  nlohmann::json json = ConfigToJson(SampleConfig());
  json["clusters"][0]["tls_policy"]["enforced"] = true;
  Result<ProxyConfig> parsed = ConfigFromJson(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() ==
        "clusters[0].tls_policy: unknown key 'enforced'; did you mean 'enforce'? (keys here: "
        "client_certificate_secret, enforce, ports, validation)");
}

TEST_CASE("A connection_pool with a misspelt key or a negative limit is refused") {
  nlohmann::json json = ConfigToJson(SampleConfig());
  json["listeners"][0]["connection_pool"] = {{"max_conections", 3}};
  Result<ProxyConfig> parsed = ConfigFromJson(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().starts_with(
      "listeners[0].connection_pool: unknown key 'max_conections'; did you mean "
      "'max_connections'?"));

  json["listeners"][0]["connection_pool"] = {{"max_connections", -1}};
  parsed = ConfigFromJson(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().starts_with("listeners[0].connection_pool.max_connections"));
}

TEST_CASE("A config file with a bad enum or type names the field and the choices") {
  nlohmann::json json = ConfigToJson(SampleConfig());
  json["listeners"][0]["tls"]["mode"] = "MUTUAL";
  Result<ProxyConfig> parsed = ConfigFromJson(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() ==
        "listeners[0].tls.mode: 'MUTUAL' is not one of STRICT, PERMISSIVE, DISABLED");

  json = ConfigToJson(SampleConfig());
  json["clusters"][0]["tls_policy"]["ports"] = nlohmann::json::array({70000});
  parsed = ConfigFromJson(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() ==
        "clusters[0].tls_policy.ports[0] must be an integer from 0 "
        "to 65535, not a number (70000)");
}

TEST_CASE("http2 and grpc protocols and gRPC retry events survive the JSON round trip") {
  ProxyConfig config = SampleConfig();
  config.clusters[0].protocol = Protocol::kGrpc;
  nlohmann::json json = ConfigToJson(config);
  json["listeners"][0]["protocol"] = "http2";
  json["virtual_services"][0]["routes"][0]["retry"]["grpc_retry_events"] = {"unavailable",
                                                                            "cancelled"};
  Result<ProxyConfig> parsed = ConfigFromJson(json);
  REQUIRE(parsed.ok());
  CHECK(parsed->listeners[0].protocol == Protocol::kHttp2);
  CHECK(parsed->clusters[0].protocol == Protocol::kGrpc);
  CHECK(parsed->virtual_services[0].routes[0].retry->grpc_statuses == std::vector<unsigned>{14, 1});
  CHECK(ConfigToJson(*parsed)["virtual_services"][0]["routes"][0]["retry"]["grpc_retry_events"] ==
        nlohmann::json{"unavailable", "cancelled"});

  json["virtual_services"][0]["routes"][0]["retry"]["grpc_retry_events"] = {"aborted"};
  Result<ProxyConfig> refused = ConfigFromJson(json);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("'aborted' is not one of cancelled") != std::string::npos);
}

TEST_CASE("A misspelt protocol or gRPC retry event names the closest choice") {
  nlohmann::json json = ConfigToJson(SampleConfig());
  json["listeners"][0]["protocol"] = "GRPC";
  Result<ProxyConfig> protocol = ConfigFromJson(json);
  REQUIRE_FALSE(protocol.ok());
  CHECK(protocol.status().message().find("'GRPC' is not one of http, http2, grpc, tcp; did you "
                                         "mean 'grpc'?") != std::string::npos);

  json = ConfigToJson(SampleConfig());
  json["virtual_services"][0]["routes"][0]["retry"]["grpc_retry_events"] = {"unavailble"};
  Result<ProxyConfig> event = ConfigFromJson(json);
  REQUIRE_FALSE(event.ok());
  CHECK(event.status().message().find("did you mean 'unavailable'?") != std::string::npos);
}

TEST_CASE("Validation refuses routes to clusters of the wrong protocol and zero limits") {
  ProxyConfig config = SampleConfig();
  FillDefaults(config);
  config.clusters[0].protocol = Protocol::kTcp;
  Status to_tcp = ValidateConfig(config);
  REQUIRE_FALSE(to_tcp.ok());
  CHECK(to_tcp.message().find("is a tcp cluster, and virtual service 'yelb-appserver.local' "
                              "speaks http") != std::string::npos);

  ProxyConfig grpc_to_h1 = SampleConfig();
  FillDefaults(grpc_to_h1);
  grpc_to_h1.virtual_services[0].protocol = Protocol::kGrpc;
  CHECK(ValidateConfig(grpc_to_h1).message().find("speaks HTTP/1.1, and gRPC") !=
        std::string::npos);

  ProxyConfig no_connections = SampleConfig();
  FillDefaults(no_connections);
  no_connections.listeners[0].max_connections = 0;
  CHECK(ValidateConfig(no_connections).message().find("max_connections: 0 would refuse") !=
        std::string::npos);

  ProxyConfig no_body = SampleConfig();
  FillDefaults(no_body);
  no_body.http.max_body_bytes = 0;
  CHECK(ValidateConfig(no_body).message().find("http.max_body_bytes: 0 would refuse every "
                                               "request") != std::string::npos);

  ProxyConfig no_headers = SampleConfig();
  FillDefaults(no_headers);
  no_headers.http.max_headers_count = 0;
  CHECK(ValidateConfig(no_headers).message().find("http.max_headers_count: 0 would refuse") !=
        std::string::npos);
}

TEST_CASE("Validation refuses non-loopback addresses and dangling references") {
  ProxyConfig config = SampleConfig();
  FillDefaults(config);
  REQUIRE(ValidateConfig(config).ok());

  ProxyConfig remote = config;
  remote.clusters[0].endpoints[0].host = "10.0.0.5";
  CHECK(ValidateConfig(remote).message().find("'10.0.0.5' is not a loopback address") !=
        std::string::npos);

  ProxyConfig dangling = config;
  dangling.virtual_services[0].routes[0].targets[0].cluster = "nowhere";
  CHECK(ValidateConfig(dangling).message() ==
        "virtual_services[0].routes[0].targets[0].cluster: unknown cluster 'nowhere'; add it "
        "to clusters or name one that is there");

  ProxyConfig no_service = config;
  no_service.outbounds[0].virtual_service = "missing.local";
  CHECK(ValidateConfig(no_service).message() ==
        "outbounds[0].virtual_service: unknown virtual service 'missing.local'; add it to "
        "virtual_services or name one that is there");

  ProxyConfig no_deadline = config;
  no_deadline.tls.handshake_timeout = Milliseconds(0);
  CHECK_THAT(ValidateConfig(no_deadline).message(),
             Catch::StartsWith("tls.handshake_timeout_ms: 0 turns the handshake deadline off"));

  ProxyConfig no_version = config;
  no_version.tls.downstream = {.min = TlsVersion::kTls13, .max = TlsVersion::kTls12};
  CHECK_THAT(ValidateConfig(no_version).message(),
             Catch::StartsWith("tls.downstream_min: TLSv1.3 is above tls.downstream_max TLSv1.2"));
}

TEST_CASE("A cluster's source_address survives JSON and must be loopback when set") {
  ProxyConfig config = SampleConfig();
  config.clusters[0].source_address = "127.0.1.7";
  nlohmann::json json = ConfigToJson(config);
  CHECK(json["clusters"][0]["source_address"] == "127.0.1.7");
  CHECK_FALSE(ConfigToJson(SampleConfig())["clusters"][0].contains("source_address"));
  Result<ProxyConfig> parsed = ConfigFromJson(json);
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  CHECK(parsed->clusters[0].source_address == "127.0.1.7");
  CHECK(parsed->clusters == config.clusters);
  FillDefaults(config);
  CHECK(ValidateConfig(config).ok());

  for (const char* bad : {"192.168.1.4", "pod-ip"}) {
    ProxyConfig remote = config;
    remote.clusters[0].source_address = bad;
    INFO(bad);
    CHECK(ValidateConfig(remote).message().find(
              fmt::format("clusters[0].source_address: '{}' is not a loopback address", bad)) !=
          std::string::npos);
  }

  json["clusters"][0]["source_address"] = 7;
  parsed = ConfigFromJson(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().find("clusters[0].source_address") != std::string::npos);
}

// A virtual gateway's listener: it routes by a virtual service instead of forwarding to an app.
ProxyConfig RoutingListenerConfig() {
  ProxyConfig config = SampleConfig();
  config.listeners[0].app = {};
  config.listeners[0].virtual_service = "yelb-appserver.local";
  return config;
}

TEST_CASE("A routing listener's virtual_service survives JSON, and it has no app") {
  ProxyConfig config = RoutingListenerConfig();
  nlohmann::json json = ConfigToJson(config);
  CHECK(json["listeners"][0]["virtual_service"] == "yelb-appserver.local");
  CHECK_FALSE(json["listeners"][0].contains("app"));
  CHECK_FALSE(json["listeners"][0].contains("app_cluster"));
  CHECK_FALSE(ConfigToJson(SampleConfig())["listeners"][0].contains("virtual_service"));

  Result<ProxyConfig> parsed = ConfigFromJson(json);
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  CHECK(parsed->listeners == config.listeners);
  FillDefaults(*parsed);
  CHECK(parsed->listeners[0].app_cluster.empty());  // no app, so no app cluster stats
  CHECK(ValidateConfig(*parsed).ok());
}

TEST_CASE("A routing listener is refused with the reason when its virtual_service is bad") {
  nlohmann::json json = ConfigToJson(RoutingListenerConfig());
  json["listeners"][0]["virtual_service"] = 7;
  Result<ProxyConfig> parsed = ConfigFromJson(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() ==
        "listeners[0].virtual_service must be a string, not a number (7)");

  ProxyConfig unknown = RoutingListenerConfig();
  unknown.listeners[0].virtual_service = "missing.local";
  CHECK(ValidateConfig(unknown).message() ==
        "listeners[0].virtual_service: unknown virtual service 'missing.local'; add it to "
        "virtual_services or name one that is there");

  ProxyConfig tcp = RoutingListenerConfig();
  tcp.listeners[0].protocol = Protocol::kTcp;
  CHECK(ValidateConfig(tcp).message() ==
        "listeners[0].protocol: only an http, http2 or grpc listener can route (virtual_service "
        "'yelb-appserver.local'); a tcp listener forwards to its app");

  json = ConfigToJson(RoutingListenerConfig());
  json["listeners"][0]["app"] = {{"host", "127.0.0.1"}, {"port", 80}};
  parsed = ConfigFromJson(json);
  REQUIRE(parsed.ok());
  CHECK(ValidateConfig(*parsed).message() ==
        "listeners[0]: give either an app or a virtual_service ('yelb-appserver.local') "
        "to route by, not both");

  json = ConfigToJson(RoutingListenerConfig());
  json["listeners"][0]["app_cluster"] = "cds_ingress_x";
  parsed = ConfigFromJson(json);
  REQUIRE(parsed.ok());
  CHECK(ValidateConfig(*parsed).message().find(
            "listeners[0].app_cluster: a routing listener (virtual_service "
            "'yelb-appserver.local') has no app to count") != std::string::npos);
}

TEST_CASE("A route rewrite is refused when it is ambiguous or has no prefix to replace") {
  nlohmann::json json = ConfigToJson(SampleConfig());
  json["virtual_services"][0]["routes"][0]["rewrite"]["path"] = "/new";
  Result<ProxyConfig> parsed = ConfigFromJson(json);
  REQUIRE(parsed.ok());
  CHECK(ValidateConfig(*parsed).message() ==
        "virtual_services[0].routes[0].rewrite: has both a prefix and a path; give one");

  ProxyConfig no_prefix = SampleConfig();
  no_prefix.virtual_services[0].routes[0].match.prefix.reset();
  CHECK(ValidateConfig(no_prefix).message() ==
        "virtual_services[0].routes[0].rewrite.prefix: replaces match.prefix, which the route "
        "lacks; add match.prefix or rewrite the path instead");

  json = ConfigToJson(SampleConfig());
  json["virtual_services"][0]["routes"][0]["rewrite"]["hostname"] = "x";
  parsed = ConfigFromJson(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() ==
        "virtual_services[0].routes[0].rewrite: unknown key 'hostname'; did you mean 'host'? "
        "(keys here: host, path, prefix)");
}

// SampleConfig names ui-cert, mesh-ca and ui-client; ui-file is a file secret.
// A CA certificate's PEM, made once: inline secrets are read as the proxy will use them.
const std::string& SampleCaPem() {
  static const std::string pem =
      testing::MakeCa("sample-ca", Clock::now()).certificate.ToPem().value();
  return pem;
}

nlohmann::json SampleProxyFile() {
  return {{"proxy", ConfigToJson(SampleConfig())},
          {"secrets", {{{"name", "mesh-ca"}, {"trusted_ca_pem", SampleCaPem()}}}},
          {"sds_secrets", {"ui-cert", "ui-client"}},
          {"threads", 2}};
}

TEST_CASE("A standalone proxy file carries the config, inline secrets and SDS names") {
  nlohmann::json document = SampleProxyFile();
  Result<ProxyFile> file = ParseProxyFile(document);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  CHECK(file->threads == 2);
  REQUIRE(file->secrets.size() == 1);
  CHECK(file->secrets[0].trusted_ca_pem == SampleCaPem());
  CHECK(file->sds_secrets == std::vector<std::string>{"ui-cert", "ui-client"});
  CHECK(file->config.name == "yelb-ui");

  document.erase("proxy");
  Result<ProxyFile> missing = ParseProxyFile(document);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() ==
        "proxy: missing; the document needs a \"proxy\" object (the ProxyConfig)");
}

// One table for every kind of mistake a hand-written file can hold: each is refused before
// the start with the JSON path of the field, what is wrong, and what to do.
TEST_CASE("A proxy file's mistakes are refused with their JSON path and a fix") {
  struct Case {
    const char* what;
    std::function<void(nlohmann::json&)> spoil;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"unknown key",
       [](nlohmann::json& d) { d["proxy"]["listeners"][0]["tls"]["certficate_secret"] = "x"; },
       "proxy.listeners[0].tls: unknown key 'certficate_secret'; did you mean "
       "'certificate_secret'? (keys here: certificate_secret, mode, validation)"},
      {"unknown top-level key", [](nlohmann::json& d) { d["thread"] = 1; },
       "the document: unknown key 'thread'; did you mean 'threads'? (keys here: "
       "clock_offset_seconds, proxy, sds_secrets, secrets, threads)"},
      {"wrong type", [](nlohmann::json& d) { d["proxy"]["listeners"][0]["port"] = "8080"; },
       "proxy.listeners[0].port must be a non-negative integer, not a string (\"8080\")"},
      {"wrong type in a list", [](nlohmann::json& d) { d["sds_secrets"][1] = 7; },
       "sds_secrets[1] must be a string, not a number (7)"},
      {"object expected", [](nlohmann::json& d) { d["proxy"]["clusters"][0] = "x"; },
       "proxy.clusters[0] must be an object, not a string (\"x\")"},
      {"cross-field check",
       [](nlohmann::json& d) { d["proxy"]["outbounds"][0]["virtual_service"] = "nope"; },
       "proxy.outbounds[0].virtual_service: unknown virtual service 'nope'; add it to "
       "virtual_services or name one that is there"},
      {"undefined listener certificate",
       [](nlohmann::json& d) {
         nlohmann::json second = d["proxy"]["listeners"][0];
         second["name"] = "ingress_2";
         second["port"] = 15001;
         second["tls"]["certificate_secret"] = "typo-cert";
         d["proxy"]["listeners"].push_back(second);
       },
       "proxy.listeners[1].tls.certificate_secret: secret 'typo-cert' is defined nowhere; add "
       "it to \"secrets\" (PEM inline or *_file) or to proxy.file_secrets, or list it in "
       "\"sds_secrets\" if an SDS server will push it after the start"},
      {"undefined client certificate", [](nlohmann::json& d) { d["sds_secrets"] = {"ui-cert"}; },
       "proxy.clusters[0].tls_policy.client_certificate_secret: secret 'ui-client' is defined "
       "nowhere; add it to \"secrets\" (PEM inline or *_file) or to proxy.file_secrets, or "
       "list it in \"sds_secrets\" if an SDS server will push it after the start"},
      {"undefined trust", [](nlohmann::json& d) { d["secrets"][0]["name"] = "another-ca"; },
       "proxy.listeners[0].tls.validation.trust_secret: secret 'mesh-ca' is defined nowhere; "
       "add it to \"secrets\" (PEM inline or *_file) or to proxy.file_secrets, or list it in "
       "\"sds_secrets\" if an SDS server will push it after the start"},
      {"a certificate secret that holds CAs",
       [](nlohmann::json& d) {
         d["proxy"]["listeners"][0]["tls"]["certificate_secret"] = "mesh-ca";
       },
       "proxy.listeners[0].tls.certificate_secret: secret 'mesh-ca' (secrets[0]) holds trusted "
       "CAs, not a certificate and its key; name a secret with the certificate chain and "
       "private key"},
      {"a trust secret that holds a certificate",
       [](nlohmann::json& d) {
         d["proxy"]["listeners"][0]["tls"]["validation"]["trust_secret"] = "ui-file";
       },
       "proxy.listeners[0].tls.validation.trust_secret: secret 'ui-file' "
       "(proxy.file_secrets[0]) holds a certificate, not trusted CAs; name a secret with "
       "trusted_ca_pem, trusted_ca_file or trusted_ca_path"},
      {"mutual TLS with nothing to trust",
       [](nlohmann::json& d) {
         d["proxy"]["listeners"][0]["tls"]["validation"].erase("trust_secret");
       },
       "proxy.listeners[0].tls.validation.trust_secret: missing; client certificates are "
       "checked against it: name the secret holding the trusted CAs, or drop 'validation' "
       "for one-way TLS"},
      {"an empty name in a SAN list",
       [](nlohmann::json& d) {
         d["proxy"]["listeners"][0]["tls"]["validation"]["san_exact"] = {"a.local", ""};
       },
       "proxy.listeners[0].tls.validation.san_exact[1]: empty, so no certificate matches it; "
       "give the exact name, or leave the list out to check the chain only"},
      {"a secret defined twice",
       [](nlohmann::json& d) {
         d["secrets"].push_back({{"name", "ui-cert"}, {"trusted_ca_pem", SampleCaPem()}});
       },
       "secrets[1]: secret 'ui-cert' is defined by sds_secrets too; give each secret one name "
       "and one source"},
      {"a key without its certificate",
       [](nlohmann::json& d) {
         d["secrets"].push_back({{"name", "k"}, {"private_key_pem", "x"}});
       },
       "secrets[1].certificate_chain_pem: missing; a private key serves only with its "
       "certificate chain"},
      {"a secret holding a certificate and CAs at once",
       [](nlohmann::json& d) {
         d["secrets"][0]["certificate_chain_pem"] = SampleCaPem();
         d["secrets"][0]["private_key_pem"] = "x";
       },
       "secrets[0]: holds a certificate chain and trusted CAs at once; a secret is one or the "
       "other: split it into two secrets with names of their own"},
      {"a secret holding nothing",
       [](nlohmann::json& d) {
         d["secrets"].push_back({{"name", "empty"}});
       },
       "secrets[1]: holds nothing; give certificate_chain_pem and private_key_pem, or "
       "trusted_ca_pem (or their *_file forms, which read a file)"},
      {"a proxy with nothing to serve",
       [](nlohmann::json& d) {
         d["proxy"]["listeners"] = nlohmann::json::array();
         d["proxy"]["outbounds"] = nlohmann::json::array();
       },
       "proxy.listeners and proxy.outbounds: both empty, so the proxy would serve nothing; add "
       "a listener (in front of the app) or an outbound (a local port for the app's calls)"},
      {"a PEM given inline and as a file",
       [](nlohmann::json& d) { d["secrets"][0]["trusted_ca_file"] = "/etc/hostname"; },
       "secrets[0]: both trusted_ca_pem and trusted_ca_file are given; keep one of them"},
      {"an app that is the listener itself",
       [](nlohmann::json& d) { d["proxy"]["listeners"][0]["app"]["port"] = 15000; },
       "proxy.listeners[0].app: 127.0.0.1:15000 is this proxy's own listeners[0].port, so every "
       "request would come back to it in a loop; give the address the app listens on"},
      {"an app that is the listener itself, spelt otherwise",
       [](nlohmann::json& d) {
         d["proxy"]["listeners"][0]["address"] = "::1";
         d["proxy"]["listeners"][0]["app"] = {{"host", "0:0:0:0:0:0:0:1"}, {"port", 15000}};
       },
       "proxy.listeners[0].app: [0:0:0:0:0:0:0:1]:15000 is this proxy's own listeners[0].port, "
       "so every request would come back to it in a loop; give the address the app listens on"},
      {"an admin page on a listener's port",
       [](nlohmann::json& d) { d["proxy"]["admin"]["port"] = 15000; },
       "proxy.admin.port: 127.0.0.1:15000 is bound by listeners[0].port too; give one of them "
       "another port"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    nlohmann::json document = SampleProxyFile();
    c.spoil(document);
    Result<ProxyFile> file = ParseProxyFile(document);
    REQUIRE_FALSE(file.ok());
    CHECK(file.status().code() == kInvalidConfiguration);
    CHECK(file.status().message() == c.message);
  }
}

TEST_CASE("An inline secret's PEM is read before the start: garbage and a foreign key refused") {
  testing::MeshPki pki;
  nlohmann::json document = SampleProxyFile();
  document["secrets"][0]["trusted_ca_pem"] = "not PEM";
  Result<ProxyFile> garbage = ParseProxyFile(document);
  REQUIRE_FALSE(garbage.ok());
  CHECK_THAT(garbage.status().message(),
             Catch::StartsWith("secrets[0].trusted_ca_pem: ") &&
                 Catch::EndsWith("; give PEM that openssl x509 can read"));

  document = SampleProxyFile();
  document["secrets"].push_back({{"name", "ui-cert"},
                                 {"certificate_chain_pem", pki.server.chain[0].ToPem().value()},
                                 {"private_key_pem", pki.client.key->ToPem().value()}});
  document["sds_secrets"] = {"ui-client"};
  Result<ProxyFile> foreign = ParseProxyFile(document);
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.status().message() ==
        "secrets[1].private_key_pem: not the key of the chain's first certificate (serial " +
            pki.server.chain[0].serial_hex() +
            "); give that certificate's key, or the certificate issued for this key");

  document["secrets"][1]["certificate_chain_pem"] =
      pki.ca.certificate.ToPem().value() + pki.client.chain[0].ToPem().value();
  Result<ProxyFile> reversed = ParseProxyFile(document);
  REQUIRE_FALSE(reversed.ok());
  CHECK(reversed.status().message() ==
        "secrets[1].certificate_chain_pem: certificate 2 of the chain is the key's, not the "
        "first; put the leaf first, then its issuers");
}

TEST_CASE("A secret file that is a FIFO is refused instead of waiting for a writer") {
  const std::filesystem::path fifo =
      std::filesystem::temp_directory_path() / ("proxy_fifo_" + std::to_string(::getpid()));
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  nlohmann::json document = SampleProxyFile();
  document["secrets"][0].erase("trusted_ca_pem");
  document["secrets"][0]["trusted_ca_file"] = fifo.string();

  Result<ProxyFile> file = ParseProxyFile(document);
  std::filesystem::remove(fifo);

  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() ==
        "secrets[0].trusted_ca_file: " + fifo.string() +
            " is not a regular file (a FIFO or a device); give the path of a PEM file");
}

TEST_CASE("A proxy file that names a secret only as a file secret or as SDS is accepted") {
  nlohmann::json document = SampleProxyFile();
  document["proxy"]["listeners"][0]["tls"]["certificate_secret"] = "ui-file";
  document["sds_secrets"] = {"ui-client"};
  Result<ProxyFile> file = ParseProxyFile(document);
  INFO(file.status().ToString());
  CHECK(file.ok());

  // A DISABLED listener never uses its certificate, so its name is not checked.
  document["proxy"]["listeners"][0]["tls"] = {{"mode", "DISABLED"},
                                              {"certificate_secret", "unused"}};
  file = ParseProxyFile(document);
  INFO(file.status().ToString());
  CHECK(file.ok());
}

TEST_CASE("A proxy file that is not JSON is refused with nlohmann's line and column") {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("proxy_syntax_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << "{\n  \"proxy\": {\n    \"name\": \"ui\",\n  }\n}\n";
  Result<ProxyFile> file = LoadProxyFile(path.string());
  std::filesystem::remove(path);
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() ==
        path.string() +
            ": not valid JSON: parse error at line 4, column 3: syntax error while parsing "
            "object key - unexpected '}'; expected string literal");
}

// JSON keeps the last of two equal keys; a file that gives one twice is refused, not run with a
// value its author may not have meant.
TEST_CASE("A proxy file that gives a key twice, a number beyond range or deep nesting is refused") {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("proxy_twice_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << R"({"proxy": {"name": "ui", "listeners": [{"name": "a"},
                            {"name": "b", "port": 1, "name": "c"}], "name": "x"}})";
  Result<ProxyFile> file = LoadProxyFile(path.string());
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() == path.string() +
                                       ": proxy.listeners[1].name: this key is given twice in "
                                       "one object; keep one of them");

  std::ofstream(path) << R"({"proxy": {"name": "ui", "threads": 1e400}})";
  file = LoadProxyFile(path.string());
  REQUIRE_FALSE(file.ok());
  CHECK_THAT(file.status().message(), Catch::Contains("not valid JSON") &&
                                          Catch::Contains("number overflow parsing '1e400'"));

  // Nested past any config's shape: refused before nlohmann's recursive copies see it.
  std::ofstream(path) << R"({"proxy": {"name": "ui", "x": )" << std::string(100000, '[')
                      << std::string(100000, ']') << "}}";
  file = LoadProxyFile(path.string());
  std::filesystem::remove(path);
  REQUIRE_FALSE(file.ok());
  CHECK_THAT(file.status().message(),
             Catch::Contains("arrays and objects nest more than 512 deep at byte 540"));
}

TEST_CASE("A header range whose start is not below its end is refused") {
  ProxyConfig config = SampleConfig();
  FillDefaults(config);
  config.virtual_services[0].routes[0].match.headers[1].range = IntRange{10, 10};
  CHECK(ValidateConfig(config).message() ==
        "virtual_services[0].routes[0].match.headers[1].range: start 10 is not below end 10; "
        "the range is [start, end), so end must be greater");
}

}  // namespace
}  // namespace crossmesh::proxy

namespace crossmesh::proxy::testing {
namespace {

// The app's sidecar as a proxy file: its listener "ingress" in front of `app_port`, with the
// server certificate inline.
nlohmann::json ServerDocument(const MeshPki& pki, const std::string& name, uint16_t app_port) {
  ProxyConfig config = ServerConfig(name, app_port, HopOptions{}, nullptr);
  return {{"proxy", ConfigToJson(config)},
          {"secrets",
           {{{"name", "server-cert"},
             {"certificate_chain_pem", pki.server.chain[0].ToPem().value()},
             {"private_key_pem", pki.server.key->ToPem().value()}}}}};
}

TEST_CASE("A proxy file with inline PEM secrets starts a proxy that serves TLS") {
  MeshPki pki;
  TestApp app(TestApp::Kind::kHttp, "standalone-app");
  nlohmann::json document = ServerDocument(pki, "standalone", app.port());
  document["threads"] = 1;
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("proxy_file_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << document.dump();

  Result<ProxyFile> file = LoadProxyFile(path.string());
  std::filesystem::remove(path);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  ProxyRuntime runtime(ProxyRuntime::Options{file->threads});
  Result<std::shared_ptr<Proxy>> proxy = StartProxyFile(runtime, file.value());
  INFO(proxy.status().ToString());
  REQUIRE(proxy.ok());

  std::optional<RawSocket> socket = RawSocket::Connect(proxy.value()->ListenerPort("ingress"));
  REQUIRE(socket.has_value());
  SSL_CTX* context = MakeClientContext({pki.ca.certificate}, std::nullopt);
  REQUIRE(socket->StartTls(context).empty());
  SSL_CTX_free(context);
  REQUIRE(socket->WriteAll(BuildRequest("GET", "/standalone", "", "x", false)));
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body.find("standalone-app got GET /standalone") != std::string::npos);
}

TEST_CASE("A proxy file whose certificate has expired on the proxy's clock logs so at the start") {
  MeshPki pki;
  TestApp app(TestApp::Kind::kHttp, "expired-app");
  nlohmann::json document = ServerDocument(pki, "expired", app.port());
  document["clock_offset_seconds"] = 400 * 24 * 3600;
  Result<ProxyFile> file = ParseProxyFile(document);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  std::ostringstream log;
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));

  ProxyRuntime runtime(ProxyRuntime::Options{1});
  Result<std::shared_ptr<Proxy>> proxy = StartProxyFile(runtime, file.value());
  const std::string logged = log.str();  // before any connection
  runtime.StopAll();
  spdlog::set_default_logger(previous);

  REQUIRE(proxy.ok());
  CHECK(logged.find("listener ingress: certificate serial " + pki.server.chain[0].serial_hex() +
                    " expired at ") != std::string::npos);
}

TEST_CASE("/certs names the file a certificate or its CAs were read from, <inline> for PEM") {
  MeshPki pki;
  TestApp app(TestApp::Kind::kHttp, "file-app");
  HopOptions options;
  ProxyConfig config = ServerConfig("file-certs", app.port(), options, nullptr);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("proxy_file_certs_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "chain.pem") << pki.server.chain[0].ToPem().value();
  std::ofstream(dir / "key.pem") << pki.server.key->ToPem().value();
  config.file_secrets = {
      FileSecret{"server-cert", (dir / "chain.pem").string(), (dir / "key.pem").string(), ""}};
  config.listeners[0].tls->validation = ListenerValidation{"mesh-ca", {}, true};
  nlohmann::json document = {
      {"proxy", ConfigToJson(config)},
      {"secrets", {{{"name", "mesh-ca"}, {"trusted_ca_pem", pki.ca.certificate.ToPem().value()}}}}};
  Result<ProxyFile> file = ParseProxyFile(document);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  ProxyRuntime runtime(ProxyRuntime::Options{1});
  Result<std::shared_ptr<Proxy>> proxy = StartProxyFile(runtime, file.value());
  INFO(proxy.status().ToString());
  REQUIRE(proxy.ok());

  const nlohmann::json certs = proxy.value()->CertsJson();
  runtime.StopAll();

  // The same CAs read from a file by the secret's trusted_ca_file: /certs names that file, and
  // a file that is not PEM is refused naming the field and the file.
  std::ofstream(dir / "ca.pem") << pki.ca.certificate.ToPem().value();
  std::ofstream(dir / "notes.txt") << "not a certificate\n";
  document["secrets"][0].erase("trusted_ca_pem");
  document["secrets"][0]["trusted_ca_file"] = (dir / "ca.pem").string();
  Result<ProxyFile> from_file = ParseProxyFile(document);
  REQUIRE(from_file.ok());
  ProxyRuntime second(ProxyRuntime::Options{1});
  Result<std::shared_ptr<Proxy>> reading = StartProxyFile(second, from_file.value());
  REQUIRE(reading.ok());
  const nlohmann::json file_certs = reading.value()->CertsJson();
  second.StopAll();
  document["secrets"][0]["trusted_ca_file"] = (dir / "notes.txt").string();
  Result<ProxyFile> not_pem = ParseProxyFile(document);
  std::filesystem::remove_all(dir);

  REQUIRE(certs["certificates"].size() == 1);
  CHECK(certs["certificates"][0]["cert_chain"][0]["path"] == (dir / "chain.pem").string());
  CHECK(certs["certificates"][0]["ca_cert"][0]["path"] == "<inline>");
  REQUIRE(file_certs["certificates"].size() == 1);
  CHECK(file_certs["certificates"][0]["ca_cert"][0]["path"] == (dir / "ca.pem").string());
  REQUIRE_FALSE(not_pem.ok());
  CHECK_THAT(
      not_pem.status().message(),
      Catch::StartsWith("secrets[0].trusted_ca_file (" + (dir / "notes.txt").string() + "): ") &&
          Catch::EndsWith("; give PEM that openssl x509 can read"));
}

// A virtual gateway's proxy in its JSON form: listener "ingress_80" routes by "gateway_80".
nlohmann::json RoutingProxyDocument(uint16_t app_port) {
  ProxyConfig config;
  config.name = "gateway";
  config.mesh = "m";
  Cluster cluster;
  cluster.name = "cds_egress_m_app_http_80";
  cluster.endpoints = {Endpoint{"127.0.0.1", app_port}};
  config.clusters.push_back(cluster);
  Route route;
  route.name = "api";
  route.match.prefix = "/api";
  route.rewrite = RouteRewrite{.prefix = "/", .path = {}, .host = "app.local"};
  route.targets = {WeightedTarget{cluster.name, 1}};
  config.virtual_services.push_back(VirtualService{"gateway_80", Protocol::kHttp, {route}});
  Listener listener;
  listener.name = "ingress_80";
  listener.virtual_service = "gateway_80";
  config.listeners.push_back(listener);
  return {{"proxy", ConfigToJson(config)}, {"threads", 1}};
}

// The proxy a standalone file describes, started on `runtime` (which must outlive it).
std::shared_ptr<Proxy> StartDocument(ProxyRuntime& runtime, const nlohmann::json& document) {
  Result<ProxyFile> file = ParseProxyFile(document);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  Result<std::shared_ptr<Proxy>> proxy = StartProxyFile(runtime, file.value());
  INFO(proxy.status().ToString());
  REQUIRE(proxy.ok());
  return proxy.value();
}

std::optional<RawHttpMessage> Get(uint16_t port, const std::string& target) {
  std::optional<RawSocket> socket = RawSocket::Connect(port);
  if (!socket || !socket->WriteAll(BuildRequest("GET", target, "", "gw.example.com", false))) {
    return std::nullopt;
  }
  return socket->ReadMessage(true);
}

TEST_CASE("A proxy file's routing listener routes to a cluster and counts each request once") {
  TestApp app(TestApp::Kind::kHttp, "routed-app");
  ProxyRuntime runtime(ProxyRuntime::Options{1});
  std::shared_ptr<Proxy> proxy = StartDocument(runtime, RoutingProxyDocument(app.port()));
  const uint16_t port = proxy->ListenerPort("ingress_80");

  std::optional<RawHttpMessage> routed = Get(port, "/api/votes?x=1");
  REQUIRE(routed.has_value());
  CHECK(routed->status == 200);
  CHECK(routed->body == "routed-app got GET /votes?x=1 body=");
  CHECK(app.last_host() == "app.local");
  std::optional<RawHttpMessage> unrouted = Get(port, "/other");
  REQUIRE(unrouted.has_value());
  CHECK(unrouted->status == 404);

  const Proxy& p = *proxy;
  CHECK(p.StatValue("http.ingress.downstream_rq_total") == 2);
  CHECK(p.StatValue("http.ingress.no_route") == 1);
  CHECK(p.StatValue("cluster.cds_egress_m_app_http_80.upstream_rq_total") == 1);
  CHECK(p.StatValue("cluster.cds_egress_m_app_http_80.upstream_rq_2xx") == 1);
  const auto app_cluster = [](const std::string& name) {
    return name.find("cds_ingress") != std::string::npos;
  };
  CHECK(proxy->stats().RenderText(app_cluster).empty());  // no app cluster
}

TEST_CASE("A proxy file whose routing listener names an unknown virtual service does not start") {
  nlohmann::json document = RoutingProxyDocument(8080);
  document["proxy"]["listeners"][0]["virtual_service"] = "missing";
  Result<ProxyFile> file = ParseProxyFile(document);
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().code() == kInvalidConfiguration);
  CHECK(file.status().message() ==
        "proxy.listeners[0].virtual_service: unknown virtual service 'missing'; add it to "
        "virtual_services or name one that is there");
}

TEST_CASE("A proxy whose certificate is a declared SDS secret starts and waits for it") {
  TestApp app(TestApp::Kind::kHttp, "sds-app");
  HopOptions options;
  nlohmann::json document = {
      {"proxy", ConfigToJson(ServerConfig("waiting", app.port(), options, nullptr))},
      {"sds_secrets", {"server-cert"}},
      {"threads", 1}};
  ProxyRuntime runtime(ProxyRuntime::Options{1});
  std::shared_ptr<Proxy> proxy = StartDocument(runtime, document);

  // Not pushed yet: the handshake fails. Pushed: the next one succeeds.
  MeshPki pki;
  SSL_CTX* context = MakeClientContext({pki.ca.certificate}, std::nullopt);
  std::optional<RawSocket> early = RawSocket::Connect(proxy->ListenerPort("ingress"));
  REQUIRE(early.has_value());
  CHECK_FALSE(early->StartTls(context).empty());
  REQUIRE(runtime.secrets()
              .PushCertificate("server-cert", pki.server.chain[0].ToPem().value(),
                               pki.server.key->ToPem().value())
              .ok());
  std::optional<RawSocket> late = RawSocket::Connect(proxy->ListenerPort("ingress"));
  REQUIRE(late.has_value());
  CHECK(late->StartTls(context).empty());
  SSL_CTX_free(context);
}

}  // namespace
}  // namespace crossmesh::proxy::testing
