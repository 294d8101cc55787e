// Bodies passed on as they arrive (BodyTail). A response body is never held whole on the way
// to an HTTP/1.1 client, so it is not bound by http.max_body_bytes; one that breaks off or
// stalls ends the client's connection, since its head is already sent. A request body over
// the limit streams to an HTTP/1.1 upstream instead of being refused, on one attempt. An
// HTTP/2 client gets such a response as it arrives too, through its stream.
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/proxy/h2_test_client.h"
#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

using std::chrono::milliseconds;

HopOptions SmallBodyLimit() {
  HopOptions options;
  options.policy = TrustMeshCa();
  options.http_max_body_bytes = 64 * 1024;
  return options;
}

int64_t ElapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - since).count();
}

// Reads one response's head and what follows until the proxy closes the connection.
std::string ReadUntilClosed(RawSocket& socket, bool& closed) {
  return socket.ReadUntilClosed(milliseconds(5000), closed);
}

TEST_CASE("A response body over the body limit streams through both hops intact") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());

  std::optional<RawHttpMessage> reply = hop.Get("/bytes/1048576");

  REQUIRE(reply.has_value());
  INFO(reply->body.substr(0, 300));
  CHECK(reply->status == 200);
  CHECK(reply->Header("x-app") == "yelb-appserver");
  CHECK(reply->body.size() == 1048576);
  CHECK(reply->body == TestApp::PatternBytes(1048576));
}

TEST_CASE("A streamed body under a route timeout of 0 has no deadline") {
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.route_timeout = milliseconds(0);
  Hop hop(mesh.runtime, mesh.pki, options);

  std::optional<RawHttpMessage> reply = hop.Get("/bytes/1048576/200/pause-50");

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body == TestApp::PatternBytes(1048576));
}

TEST_CASE("Streamed bodies leave their upstream connections open for the next request") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  for (int i = 0; i < 3; ++i) {
    REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/300000", "", kService, true)));
    std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
    REQUIRE(reply.has_value());
    CHECK(reply->body == TestApp::PatternBytes(300000));
  }

  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.handshake") == 1);
  CHECK(hop.app().connections() == 1);
}

TEST_CASE("An upstream that closes halfway through a body closes the client's connection") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/200000/cut", "", kService, true)));
  bool closed = false;
  const std::string got = ReadUntilClosed(*socket, closed);

  CHECK(closed);
  CHECK(got.starts_with("HTTP/1.1 200"));
  CHECK(Contains(got, "content-length: 200000"));
  CHECK(got.size() < 200000);  // the head went ahead; the body never completed
  const std::string broke_off = "cluster." + hop.cluster() + ".upstream_rq_rx_reset";
  CHECK(Eventually([&] { return hop.client().StatValue(broke_off); }, 1) == 1);
  std::optional<RawHttpMessage> next = hop.Get("/");
  REQUIRE(next.has_value());
  CHECK(next->status == 200);
}

// The client sidecar's counters of a body that stalled.
struct StallCounts {
  int64_t timeout = 0;       // its cluster's upstream_rq_timeout
  int64_t broke_off = 0;     // its cluster's upstream_rq_rx_reset
  int64_t idle_timeout = 0;  // http.egress.downstream_rq_idle_timeout
  bool operator==(const StallCounts&) const = default;
};

std::ostream& operator<<(std::ostream& out, const StallCounts& counts) {
  return out << "{timeout " << counts.timeout << ", broke_off " << counts.broke_off
             << ", idle_timeout " << counts.idle_timeout << "}";
}

// The limits the stalled body meets: the connects, the mutual handshake and the answer's head
// must fit in them on a loaded host, and the connection must still end well before the app
// goes on after its 3 s pause.
constexpr milliseconds kStallLimit{1000};

// Asks for a body that pauses for 3 s halfway: the proxies must end the connection first.
// Returns the counters once they read `expected` or two seconds have passed (some are
// counted only after the client's connection is closed).
StallCounts ExpectStalledBodyToEndConnection(const HopOptions& options,
                                             const StallCounts& expected) {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/200000/pause-3000", "", kService, true)));
  bool closed = false;
  const auto start = std::chrono::steady_clock::now();
  const std::string got = ReadUntilClosed(*socket, closed);

  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(2500));  // before the app goes on
  CHECK(got.starts_with("HTTP/1.1 200"));
  CHECK(got.size() < 200000);
  const std::string cluster = "cluster." + hop.cluster() + ".";
  const auto settled = [&](const std::string& name, int64_t value) {
    return Eventually([&] { return hop.client().StatValue(name); }, value, milliseconds(2000));
  };
  return {settled(cluster + "upstream_rq_timeout", expected.timeout),
          settled(cluster + "upstream_rq_rx_reset", expected.broke_off),
          settled("http.egress.downstream_rq_idle_timeout", expected.idle_timeout)};
}

TEST_CASE("A body that stalls past the app's request timeout ends the client's connection") {
  HopOptions options = SmallBodyLimit();
  options.server_request_timeout = kStallLimit;
  // Seen from the client's sidecar, its upstream broke the body off.
  const StallCounts expected{0, 1, 0};
  CHECK(ExpectStalledBodyToEndConnection(options, expected) == expected);
}

TEST_CASE("A body still arriving at the route timeout ends the connection, a timeout") {
  HopOptions options = SmallBodyLimit();
  options.route_timeout = kStallLimit;
  const StallCounts expected{1, 0, 0};
  CHECK(ExpectStalledBodyToEndConnection(options, expected) == expected);
}

TEST_CASE("A body silent for the route's idle timeout ends the client's connection") {
  HopOptions options = SmallBodyLimit();
  options.route_idle_timeout = kStallLimit;
  const StallCounts expected{0, 1, 1};
  CHECK(ExpectStalledBodyToEndConnection(options, expected) == expected);
}

// A connection to `port` whose receive buffer is small, so the proxy's writes wait on its reader.
std::optional<RawSocket> ConnectSmallWindow(uint16_t port) {
  return RawSocket::Connect(port, std::chrono::seconds(10), 8 * 1024);
}

// Reads a response through `socket` a little at a time, `piece` bytes every `pause`, until
// `body_bytes` of body have come; returns what arrived (head and body) and whether the proxy
// closed first.
std::string ReadSlowly(RawSocket& socket, size_t body_bytes, size_t piece, milliseconds pause,
                       bool& closed) {
  std::string got;
  std::vector<char> buffer(piece);
  closed = false;
  const auto give_up = std::chrono::steady_clock::now() + milliseconds(20000);
  const auto whole = [&got, body_bytes] {
    const size_t head_end = got.find("\r\n\r\n");
    return head_end != std::string::npos && got.size() - head_end - 4 >= body_bytes;
  };
  while (!whole() && std::chrono::steady_clock::now() < give_up) {
    const ssize_t n = recv(socket.fd(), buffer.data(), buffer.size(), 0);
    if (n <= 0) {
      closed = true;
      break;
    }
    got.append(buffer.data(), static_cast<size_t>(n));
    std::this_thread::sleep_for(pause);
  }
  return got;
}

TEST_CASE("A client reading a large answer slowly keeps it going past the route's idle time") {
  HopOptions options = SmallBodyLimit();
  options.route_idle_timeout = milliseconds(300);
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  // 64 KiB every 20 ms. Once the sidecar has filled its send buffer (megabytes, tuned by the
  // kernel), a write to this client waits for half of it to drain: longer than the idle time,
  // with bytes moving all along.
  const size_t body = 6 * 1024 * 1024;
  REQUIRE(
      socket->WriteAll(BuildRequest("GET", "/bytes/" + std::to_string(body), "", kService, true)));
  bool closed = false;
  const std::string got = ReadSlowly(*socket, body, 64 * 1024, milliseconds(20), closed);

  CHECK_FALSE(closed);
  REQUIRE(got.starts_with("HTTP/1.1 200"));
  CHECK(got.ends_with(TestApp::PatternBytes(body).substr(body - 1000)));
  const std::string cluster = "cluster." + hop.cluster() + ".";
  CHECK(hop.client().StatValue(cluster + "upstream_rq_rx_reset") == 0);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_idle_timeout") == 0);
}

TEST_CASE("A client that stops reading a large answer is cut off after the route's idle time") {
  HopOptions options = SmallBodyLimit();
  options.route_idle_timeout = milliseconds(1000);
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = ConnectSmallWindow(hop.client_port());
  REQUIRE(socket.has_value());

  // Far more than the kernel buffers between app and client hold, whatever their tuning.
  const size_t body = 32 * 1024 * 1024;
  REQUIRE(
      socket->WriteAll(BuildRequest("GET", "/bytes/" + std::to_string(body), "", kService, true)));
  // A first piece shows the answer has begun; then nothing is read for 2.5 s.
  bool closed = false;
  const auto start = std::chrono::steady_clock::now();
  std::string got = ReadSlowly(*socket, 1, 4096, milliseconds(2500), closed);
  INFO("first read: " << got.size() << " bytes after " << ElapsedMs(start) << " ms, "
                      << (closed ? "closed" : "open") << ": " << got.substr(0, 200));
  REQUIRE(got.starts_with("HTTP/1.1 200"));
  REQUIRE_FALSE(closed);
  got += ReadUntilClosed(*socket, closed);

  INFO("in all: " << got.size() << " bytes, " << (closed ? "closed" : "open") << " after "
                  << ElapsedMs(start) << " ms");
  CHECK(closed);
  CHECK(got.size() < body);  // what the kernel's buffers held when the sidecar gave up
  const std::string idle = "http.egress.downstream_rq_idle_timeout";
  CHECK(Eventually([&] { return hop.client().StatValue(idle); }, 1) == 1);
}

TEST_CASE("A client that leaves partway through a large answer counts as a reset request") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  {
    std::optional<RawSocket> socket = ConnectSmallWindow(hop.client_port());
    REQUIRE(socket.has_value());
    REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/16777216", "", kService, true)));
    REQUIRE(socket->WaitFor("\r\n\r\n"));
  }  // closed with most of the answer unread

  CHECK(Eventually([&] { return hop.client().StatValue("http.egress.downstream_rq_rx_reset"); },
                   1) == 1);
  std::optional<RawHttpMessage> next = hop.Get("/");
  REQUIRE(next.has_value());
  CHECK(next->status == 200);
}

TEST_CASE("A large retriable answer is passed on whole when every retry fails too") {
  Mesh mesh;
  HopOptions options;
  options.policy = TrustMeshCa();
  options.retry = RetryPolicy{2, milliseconds(2000), {HttpRetryEvent::kGatewayError}, false};

  SECTION("within the body limit, the kept answer") {
    Hop hop(mesh.runtime, mesh.pki, options);
    std::optional<RawHttpMessage> reply = hop.Get("/bytes/100000/503");
    REQUIRE(reply.has_value());
    CHECK(reply->status == 503);
    CHECK(reply->body == TestApp::PatternBytes(100000));
    CHECK(hop.app().requests() == 3);
  }
  SECTION("over the body limit, the last attempt's answer, streamed") {
    options.http_max_body_bytes = 64 * 1024;
    Hop hop(mesh.runtime, mesh.pki, options);
    std::optional<RawHttpMessage> reply = hop.Get("/bytes/100000/503");
    REQUIRE(reply.has_value());
    CHECK(reply->status == 503);
    CHECK(reply->Header("x-app") == "yelb-appserver");
    CHECK(reply->body == TestApp::PatternBytes(100000));
    CHECK(hop.app().requests() == 3);
  }
}

TEST_CASE("A response whose head arrives before any of its body is passed on, small or large") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());

  for (size_t bytes : {size_t{5}, size_t{300000}}) {
    INFO(bytes);
    std::optional<RawHttpMessage> reply = hop.Get("/bytes/" + std::to_string(bytes) + "/split");
    REQUIRE(reply.has_value());
    CHECK(reply->status == 200);
    CHECK(reply->body == TestApp::PatternBytes(bytes));
  }
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_5xx") == 0);
}

TEST_CASE("An answer's head and first bytes are passed on while the app pauses its small rest") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  // 3000 bytes, the app pausing 3 s after the first 1500: a long poll that answers at once
  // and finishes later. Holding the head until the body ends would show nothing for 3 s.
  REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/3000/200/pause-3000", "", kService, true)));
  bool closed = false;
  const std::string early = socket->ReadUntilClosed(milliseconds(2000), closed);

  REQUIRE_FALSE(closed);
  CHECK(early.starts_with("HTTP/1.1 200"));
  const size_t head_end = early.find("\r\n\r\n");
  REQUIRE(head_end != std::string::npos);
  CHECK(early.substr(head_end + 4) == TestApp::PatternBytes(3000).substr(0, 1500));
  CHECK(socket->WaitFor(TestApp::PatternBytes(3000).substr(2950)));
}

TEST_CASE("Bytes an upstream sends past its Content-Length never answer the next request") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  for (const std::string target : {"/bytes/100/extra", "/bytes/100000/extra"}) {
    INFO(target);
    REQUIRE(socket->WriteAll(BuildRequest("GET", target, "", kService, true)));
    REQUIRE(socket->ReadMessage(true).has_value());
    std::this_thread::sleep_for(milliseconds(100));  // the stray bytes reach the proxies

    REQUIRE(socket->WriteAll(BuildRequest("GET", "/second", "", kService, true)));
    std::optional<RawHttpMessage> second = socket->ReadMessage(true);
    REQUIRE(second.has_value());
    CHECK(second->body == "yelb-appserver got GET /second body=");
  }
}

TEST_CASE("An interim 100 Continue from the app is dropped and the final answer passed on") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/50000/interim", "", kService, true)));
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
  REQUIRE(socket->WriteAll(BuildRequest("GET", "/next", "", kService, true)));
  std::optional<RawHttpMessage> next = socket->ReadMessage(true);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body == TestApp::PatternBytes(50000));
  REQUIRE(next.has_value());
  CHECK(next->body == "yelb-appserver got GET /next body=");
}

TEST_CASE("A false terabyte Content-Length is streamed without reserving memory for it") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/5/lie-1000000000000", "", kService, true)));
  bool closed = false;
  const std::string got = ReadUntilClosed(*socket, closed);

  CHECK(closed);  // the app closed after 5 bytes
  CHECK(got.starts_with("HTTP/1.1 200"));
  CHECK(Contains(got, "content-length: 1000000000000"));
  CHECK(hop.Get("/")->status == 200);
}

TEST_CASE("A HEAD answer keeps the length the app told") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("HEAD", "/bytes/300000", "", kService, true)));
  REQUIRE(socket->WaitFor("\r\n\r\n"));  // the head, however late; then no body may follow
  bool closed = false;
  const std::string got = socket->ReadUntilClosed(milliseconds(500), closed);

  CHECK_FALSE(closed);
  CHECK(got.starts_with("HTTP/1.1 200"));
  CHECK(Contains(got, "content-length: 300000\r\n"));
  CHECK(got.ends_with("\r\n\r\n"));  // no body
}

std::string LargeBody(size_t bytes) {
  std::string body;
  for (int i = 0; body.size() < bytes; ++i) body += std::to_string(i) + ",";
  return body;
}

TEST_CASE("A request body over the body limit streams to the app intact") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  const std::string body = LargeBody(1024 * 1024);

  std::optional<RawHttpMessage> reply = hop.Get("/upload", body);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body == "yelb-appserver got POST /upload body=" + body);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_too_large") == 0);
}

TEST_CASE("An upload streams over a TLS 1.3 hop, whose session ticket is no early answer") {
  // A TLS 1.3 server sends a session ticket after the handshake: unread, it sits on the
  // upstream connection while the upload streams, and must not pass for an early answer.
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.tls.upstream = {TlsVersion::kTls13, TlsVersion::kTls13};
  Hop hop(mesh.runtime, mesh.pki, options);
  const std::string body = LargeBody(1024 * 1024);

  std::optional<RawHttpMessage> reply = hop.Get("/upload", body);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body == "yelb-appserver got POST /upload body=" + body);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".ssl.versions.TLSv1.3") == 1);
}

TEST_CASE("A streamed request body is sent once: retries need a body held whole") {
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.retry = RetryPolicy{2, milliseconds(2000), {HttpRetryEvent::kGatewayError}, false};
  Hop hop(mesh.runtime, mesh.pki, options);

  std::optional<RawHttpMessage> streamed = hop.Get("/status/503", LargeBody(200 * 1024));
  REQUIRE(streamed.has_value());
  CHECK(streamed->status == 503);
  CHECK(hop.app().requests() == 1);

  std::optional<RawHttpMessage> held = hop.Get("/status/503", LargeBody(1024));
  REQUIRE(held.has_value());
  CHECK(held->status == 503);
  CHECK(hop.app().requests() == 4);  // within the limit: the first try and two retries
}

TEST_CASE("A request body that stops arriving closes the connection after the idle time") {
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.http_idle_timeout = milliseconds(500);
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  const std::string head = std::string("POST /upload HTTP/1.1\r\nHost: ") + kService +
                           "\r\nContent-Length: 200000\r\n\r\n";
  REQUIRE(socket->WriteAll(head + std::string(100000, 'x')));
  bool closed = false;
  const auto start = std::chrono::steady_clock::now();
  ReadUntilClosed(*socket, closed);

  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(4000));
  std::optional<RawHttpMessage> next = hop.Get("/");
  REQUIRE(next.has_value());
  CHECK(next->status == 200);
  // The app's sidecar lost its client (the other sidecar) mid-upload: it answers no one, and
  // counts no 5xx. (The client's sidecar may count one: when the other's idle time ends first,
  // it sees its upstream close and answers its still-connected client 503.)
  CHECK(hop.server().StatValue("http.ingress.downstream_rq_5xx") == 0);
}

// An app that answers an upload's head without reading the body, then closes or just stops
// reading: the client gets that answer, then its connection ends (its body was not taken).
void ExpectEarlyAnswerPassedOn(TestApp::Kind kind) {
  TestApp app(kind, "yelb-appserver");
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.external_app_port = app.port();
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  const std::string head = std::string("POST /upload HTTP/1.1\r\nHost: ") + kService +
                           "\r\nContent-Length: 50000000\r\n\r\n";
  // Little enough to fit in socket buffers: the proxies stop reading once answered.
  REQUIRE(socket->WriteAll(head + std::string(256 * 1024, 'u')));
  const auto start = std::chrono::steady_clock::now();
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 413);
  CHECK(reply->body == "early");
  CHECK(reply->Header("connection") == "close");
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(3000));
}

TEST_CASE("An app that refuses an upload unread and closes has its answer passed on") {
  ExpectEarlyAnswerPassedOn(TestApp::Kind::kRefuseUpload);
}

TEST_CASE("An app that refuses an upload unread and stops reading has its answer passed on") {
  ExpectEarlyAnswerPassedOn(TestApp::Kind::kRefuseUploadAndWait);
}

TEST_CASE("An app that echoes an upload as it reads it gets it through both hops, full duplex") {
  // The app sends each piece back before it reads the next: a proxy that passed the answer on
  // only after the whole upload would fill every buffer on the way and stall both.
  TestApp app(TestApp::Kind::kHttpEcho, "yelb-appserver");
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.external_app_port = app.port();
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  const std::string body = TestApp::PatternBytes(8 * 1024 * 1024);

  // Written from a thread of its own while this one reads the echo, with a second request
  // right behind it: once the upload has ended whole, the connection carries on.
  std::thread writer([&] {
    socket->WriteAll(BuildRequest("POST", "/echo", body, kService, true) +
                     BuildRequest("POST", "/echo", "again", kService, true));
  });
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
  std::optional<RawHttpMessage> next = socket->ReadMessage(true);
  writer.join();

  REQUIRE(reply.has_value());
  CHECK(reply->status == 200);
  CHECK(reply->body.size() == body.size());
  CHECK(reply->body == body);
  CHECK(reply->Header("connection").empty());  // kept
  REQUIRE(next.has_value());
  CHECK(next->body == "again");
  CHECK(app.connections() == 1);  // and so did each sidecar's connection to the next
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_5xx") == 0);
}

TEST_CASE("A client that stops reading an echo of its upload is closed after the idle time") {
  TestApp app(TestApp::Kind::kHttpEcho, "yelb-appserver");
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.external_app_port = app.port();
  options.http_idle_timeout = milliseconds(500);
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  // Both directions stall once the buffers on the way are full; the client's send gives up
  // after 10 s of no progress (its socket's timeout) unless the proxy closes first.
  const auto start = std::chrono::steady_clock::now();
  const bool sent = socket->WriteAll(
      BuildRequest("POST", "/echo", TestApp::PatternBytes(64 * 1024 * 1024), kService, true));
  const auto took = std::chrono::steady_clock::now() - start;

  CHECK_FALSE(sent);
  CHECK(took < milliseconds(8000));
}

TEST_CASE("A request body over the limit for an HTTP/2 upstream gets 413 and a closed connection") {
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.protocol = Protocol::kHttp2;
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("POST", "/upload", LargeBody(200 * 1024), kService, true)));
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
  REQUIRE(reply.has_value());
  CHECK(reply->status == 413);
  CHECK(reply->Header("connection") == "close");
  CHECK(hop.client().StatValue("http.egress.downstream_rq_too_large") == 1);
}

}  // namespace
TEST_CASE("An HTTP/2 client gets an HTTP/1.1 app's answer over the body limit as it arrives") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  H2TestClient client(hop.client_port(), /*initial_window=*/1 << 20);

  // The hop between the sidecars is HTTP/1.1 (an http listener): the client's sidecar passes
  // the answer on to its HTTP/2 client through the stream as it arrives, not held whole.
  const int32_t big = client.Request("/bytes/3145728", kService);
  const int32_t small = client.Request("/", kService);

  REQUIRE(client.ReadUntil([&] { return client.stream(big).closed && client.stream(small).closed; },
                           milliseconds(10000)));
  CHECK(client.stream(big).reset_code == 0);
  CHECK(client.stream(big).status == 200);
  CHECK(client.stream(big).body.size() == 3145728);
  CHECK(client.stream(big).body == TestApp::PatternBytes(3145728));
  CHECK(client.stream(small).status == 200);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_2xx") == 2);
}

TEST_CASE("An HTTP/1.1 app breaking off a body resets the HTTP/2 client's stream only") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  H2TestClient client(hop.client_port(), /*initial_window=*/1 << 20);

  const int32_t cut = client.Request("/bytes/200000/200/cut", kService);
  REQUIRE(client.ReadUntil([&] { return client.stream(cut).closed; }, milliseconds(5000)));
  const int32_t next = client.Request("/", kService);
  REQUIRE(client.ReadUntil([&] { return client.stream(next).closed; }, milliseconds(5000)));

  CHECK(client.stream(cut).status == 200);  // the head went ahead
  CHECK(client.stream(cut).reset_code != 0);
  CHECK(client.stream(cut).body.size() < 200000);
  const std::string broke_off = "cluster." + hop.cluster() + ".upstream_rq_rx_reset";
  CHECK(Eventually([&] { return hop.client().StatValue(broke_off); }, 1) == 1);
  CHECK(client.stream(next).status == 200);  // the same connection goes on
}

TEST_CASE("An HTTP/2 client that half-closes gets a large answer to its last byte") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  H2TestClient client(hop.client_port(), /*initial_window=*/8 << 20);  // room for all of it

  const int32_t id = client.Request("/bytes/3145728", kService);
  client.HalfClose();

  REQUIRE(client.ReadUntil([&] { return client.stream(id).closed; }, milliseconds(10000)));
  CHECK(client.stream(id).reset_code == 0);
  CHECK(client.stream(id).body == TestApp::PatternBytes(3145728));
}

TEST_CASE("An answer a half-closed HTTP/2 client's window holds back is reset, not kept") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  H2TestClient client(hop.client_port());  // 64 KiB: the client must open it again to go on

  const int32_t id = client.Request("/bytes/3145728", kService);
  client.HalfClose();  // ... which it no longer can

  // Reset once the window is spent, not after the idle time (300 s), freeing its upstream.
  REQUIRE(client.ReadUntil([&] { return client.stream(id).closed; }, milliseconds(5000)));
  CHECK(client.stream(id).reset_code == 8);  // CANCEL
  CHECK(client.stream(id).body.size() == 65535);
}

}  // namespace crossmesh::proxy::testing
