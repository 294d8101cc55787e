// Bad input at a proxy listener: each bad connection is closed cleanly and counted, and the
// proxy keeps serving everybody else.
#include <openssl/bio.h>

#include <catch2/catch.hpp>

#include <thread>

#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

// The short handshake timeout of the tests about it. The others keep the proxies' own, as it
// bounds every mutual handshake of the hop too, which a loaded host can slow past a short one.
constexpr auto kHandshakeTimeout = std::chrono::milliseconds(1000);

HopOptions Guarded(std::chrono::milliseconds handshake_timeout = TlsSettings{}.handshake_timeout) {
  HopOptions options;
  options.policy = TrustMeshCa();
  options.tls.handshake_timeout = handshake_timeout;
  return options;
}

// A real ClientHello, taken from an OpenSSL client talking to memory.
std::string ClientHelloBytes() {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(context);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  SSL_connect(ssl);  // wants to read the ServerHello; the ClientHello is in `out`
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string hello(data, static_cast<size_t>(size));
  SSL_free(ssl);
  SSL_CTX_free(context);
  return hello;
}

// `bytes` on a fresh plaintext connection to `port`, and the answer read back.
std::optional<RawHttpMessage> SendRaw(uint16_t port, const std::string& bytes) {
  std::optional<RawSocket> socket = RawSocket::Connect(port);
  REQUIRE(socket.has_value());
  REQUIRE(socket->WriteAll(bytes));
  return socket->ReadMessage(true);
}

// Sends `bytes` (maybe none), then waits for the proxy to close the connection.
bool ClosedAfterSending(uint16_t port, const std::string& bytes, bool half_close = false) {
  std::optional<RawSocket> socket = RawSocket::Connect(port);
  REQUIRE(socket.has_value());
  if (!bytes.empty()) REQUIRE(socket->WriteAll(bytes));
  if (half_close) ::shutdown(socket->fd(), SHUT_WR);
  bool closed = false;
  socket->ReadUntilClosed(std::chrono::seconds(5), closed);
  return closed;
}

// The listener counter `stat`, once it has settled on `expected` (or 5 s have passed).
int64_t ListenerStat(Hop& hop, const std::string& stat, int64_t expected) {
  return Eventually([&] { return hop.server().StatValue(hop.server_listener_prefix() + stat); },
                    expected);
}

TEST_CASE("Garbage instead of a ClientHello is closed, counted, and others are still served") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded());
  CHECK(ClosedAfterSending(hop.server_port(), "GARBAGE GARBAGE GARBAGE\r\n\r\n"));
  CHECK(ClosedAfterSending(hop.server_port(), std::string("\x16\x03\x01\x00\x08junkjunk", 13)));
  CHECK(ListenerStat(hop, "ssl.connection_error", 2) == 2);
  REQUIRE(hop.Get()->status == 200);
}

TEST_CASE("A truncated handshake is closed whether the client leaves or stalls") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded(kHandshakeTimeout));
  const std::string hello = ClientHelloBytes();
  REQUIRE(hello.size() > 100);
  const std::string half = hello.substr(0, hello.size() / 2);

  CHECK(ClosedAfterSending(hop.server_port(), half, /*half_close=*/true));
  CHECK(ClosedAfterSending(hop.server_port(), half));  // stalls: the handshake timeout ends it
  CHECK(ListenerStat(hop, "downstream_cx_transport_socket_connect_timeout", 1) == 1);
  CHECK(ListenerStat(hop, "ssl.connection_error", 2) == 2);
  REQUIRE(hop.Get()->status == 200);
}

TEST_CASE("A client that never speaks is closed at the handshake timeout") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded(kHandshakeTimeout));
  const auto start = std::chrono::steady_clock::now();
  CHECK(ClosedAfterSending(hop.server_port(), ""));
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= kHandshakeTimeout - std::chrono::milliseconds(50));
  CHECK(took < std::chrono::seconds(4));
  CHECK(ListenerStat(hop, "downstream_cx_transport_socket_connect_timeout", 1) == 1);
}

TEST_CASE("Oversized request headers get 431 and a closed connection on both sides") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded());
  const std::string huge = "x-padding: " + std::string(100 * 1024, 'a') + "\r\n";

  // Inbound: straight at the server listener, over TLS.
  std::optional<RawSocket> tls = RawSocket::Connect(hop.server_port());
  REQUIRE(tls.has_value());
  SSL_CTX* context = MakeClientContext({mesh.pki.ca.certificate}, std::nullopt);
  REQUIRE(tls->StartTls(context).empty());
  REQUIRE(tls->WriteAll(BuildRequest("GET", "/", "", kService, true, huge)));
  std::optional<RawHttpMessage> reply = tls->ReadMessage(true);
  REQUIRE(reply.has_value());
  CHECK(reply->status == 431);
  SSL_CTX_free(context);
  CHECK(hop.server().StatValue("http.ingress.downstream_cx_protocol_error") == 1);
  CHECK(hop.server().StatValue("http.ingress.downstream_rq_4xx") == 1);
  CHECK(hop.server().StatValue("http.ingress.downstream_rq_total") == 1);

  // Outbound: from the app to its own sidecar.
  std::optional<RawSocket> plain = RawSocket::Connect(hop.client_port());
  REQUIRE(plain.has_value());
  plain->WriteAll(BuildRequest("GET", "/", "", kService, true, huge));
  reply = plain->ReadMessage(true);
  REQUIRE(reply.has_value());
  CHECK(reply->status == 431);
  CHECK(hop.client().StatValue("http.egress.downstream_cx_protocol_error") == 1);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_4xx") == 1);
  CHECK(hop.app().requests() == 0);
  REQUIRE(hop.Get()->status == 200);
}

TEST_CASE("A request of more than 100 headers gets 431, however small they are") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded());
  std::string many;
  for (int i = 0; i < 101; ++i) many += "x-empty-" + std::to_string(i) + ":\r\n";

  std::optional<RawHttpMessage> reply =
      SendRaw(hop.client_port(), BuildRequest("GET", "/", "", kService, true, many));

  REQUIRE(reply.has_value());
  CHECK(reply->status == 431);
  CHECK(hop.client().StatValue("http.egress.downstream_cx_protocol_error") == 1);
  CHECK(hop.app().requests() == 0);
  REQUIRE(hop.Get()->status == 200);
}

TEST_CASE("A Content-Length past 2^63 - 1 gets 400 and never reaches the app") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded());

  std::optional<RawHttpMessage> reply = SendRaw(
      hop.client_port(),
      BuildRequest("PUT", "/", "", kService, true, "Content-Length: 9223372036854775808\r\n"));

  REQUIRE(reply.has_value());
  CHECK(reply->status == 400);
  CHECK(hop.app().requests() == 0);
  REQUIRE(hop.Get()->status == 200);
}

TEST_CASE("An absolute-form target reaches the app in origin form, its authority the Host") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded());
  const std::string absolute =
      "GET http://" + std::string(kService) + "/votes?n=1 HTTP/1.1\r\nhost: other.example\r\n\r\n";

  std::optional<RawHttpMessage> reply = SendRaw(hop.client_port(), absolute);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(Contains(reply->body, "got GET /votes?n=1 "));
  CHECK(hop.app().last_host() == kService);
}

TEST_CASE("A target in neither origin nor absolute form gets 400 and never reaches the app") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded());

  for (const char* target : {"votes", "ftp://host/x", "http://user@host/x", "http:///x"}) {
    INFO(target);
    std::optional<RawHttpMessage> reply =
        SendRaw(hop.client_port(), BuildRequest("GET", target, "", kService, true));
    REQUIRE(reply.has_value());
    CHECK(reply->status == 400);
  }
  CHECK(hop.app().requests() == 0);
}

TEST_CASE("HTTP/1.1 request trailers are dropped, never read as headers") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded());
  const std::string chunked =
      "POST /votes HTTP/1.1\r\nhost: " + std::string(kService) +
      "\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nhost: evil.example\r\n"
      "authorization: Bearer admin\r\n\r\n";

  std::optional<RawHttpMessage> reply = SendRaw(hop.client_port(), chunked);

  REQUIRE(reply.has_value());
  INFO(reply->body);
  CHECK(reply->status == 200);
  CHECK(Contains(reply->body, "got POST /votes body=hello"));
  CHECK(hop.app().last_host() == kService);
}

TEST_CASE("CONNECT gets 501, and a fragment or a Host that is not host:port gets 400") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded());
  struct Case {
    const char* what;
    std::string request;
    int status;
  };
  const std::string host = "host: " + std::string(kService) + "\r\n";
  const Case cases[] = {
      {"CONNECT", "CONNECT app.local:443 HTTP/1.1\r\nhost: app.local:443\r\n\r\n", 501},
      {"a fragment", "GET /a#frag HTTP/1.1\r\n" + host + "\r\n", 400},
      {"a Host with a space", "GET / HTTP/1.1\r\nhost: a b\r\n\r\n", 400},
      {"a Host with user info", "GET / HTTP/1.1\r\nhost: a/b@c\r\n\r\n", 400},
      {"a port past 65535", "GET http://a:99999/x HTTP/1.1\r\nhost: a\r\n\r\n", 400},
      {"an authority with quotes", "GET http://a\"<>/x HTTP/1.1\r\nhost: a\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    std::optional<RawHttpMessage> reply = SendRaw(hop.client_port(), c.request);
    REQUIRE(reply.has_value());
    CHECK(reply->status == c.status);
  }
  CHECK(hop.app().requests() == 0);
  REQUIRE(hop.Get()->status == 200);
}

TEST_CASE("Headers a Connection header names stay on their hop") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded());

  std::optional<RawHttpMessage> reply =
      SendRaw(hop.client_port(), BuildRequest("GET", "/", "", kService, true,
                                              "connection: x-secret, keep-alive\r\nx-secret: s\r\n"
                                              "x-kept: k\r\n"));

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(hop.app().last_header("x-secret").empty());
  CHECK(hop.app().last_header("x-kept") == "k");
}

TEST_CASE("A flood of idle connections is absorbed, timed out, and others are served") {
  constexpr int kFlood = 300;
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Guarded(std::chrono::milliseconds(1500)));
  std::vector<RawSocket> flood;
  for (int i = 0; i < kFlood; ++i) {
    std::optional<RawSocket> socket = RawSocket::Connect(hop.server_port());
    REQUIRE(socket.has_value());
    flood.push_back(std::move(*socket));
  }
  REQUIRE(hop.Get()->status == 200);  // served while the flood holds its connections

  int closed_count = 0;
  for (RawSocket& socket : flood) {
    bool closed = false;
    socket.ReadUntilClosed(std::chrono::seconds(10), closed);
    closed_count += closed ? 1 : 0;
  }
  CHECK(closed_count == kFlood);
  CHECK(ListenerStat(hop, "downstream_cx_transport_socket_connect_timeout", kFlood) == kFlood);
  CHECK(ListenerStat(hop, "downstream_cx_total", kFlood + 1) == kFlood + 1);
  REQUIRE(hop.Get()->status == 200);
}

TEST_CASE("Connections beyond a listener's limit are closed at once and counted") {
  constexpr int kFlood = 300;
  Mesh mesh;
  MeshPki& pki = mesh.pki;
  HopOptions options = Guarded(std::chrono::seconds(3));
  TestApp app(TestApp::Kind::kHttp, "limited");
  ProxyConfig config = ServerConfig("limited", app.port(), options, pki.clock.Function());
  config.listeners[0].max_connections = 50;
  auto proxy = mesh.runtime.Start(config);
  REQUIRE(proxy.ok());
  const uint16_t port = proxy.value()->ListenerPort("ingress");

  std::vector<RawSocket> flood;
  for (int i = 0; i < kFlood; ++i) {
    std::optional<RawSocket> socket = RawSocket::Connect(port);
    REQUIRE(socket.has_value());
    flood.push_back(std::move(*socket));
  }
  int closed_count = 0;
  for (RawSocket& socket : flood) {
    bool closed = false;
    socket.ReadUntilClosed(std::chrono::seconds(10), closed);
    closed_count += closed ? 1 : 0;
  }
  CHECK(closed_count == kFlood);
  const std::string prefix = "listener.127.0.0.1_" + std::to_string(port) + ".";
  const int64_t overflow = proxy.value()->StatValue(prefix + "downstream_cx_overflow");
  const int64_t timeouts = Eventually(
      [&] {
        return proxy.value()->StatValue(prefix + "downstream_cx_transport_socket_connect_timeout");
      },
      kFlood - overflow);
  CHECK(overflow >= 200);
  CHECK(overflow + timeouts == kFlood);
  mesh.runtime.Stop("limited");
}

}  // namespace
}  // namespace crossmesh::proxy::testing
