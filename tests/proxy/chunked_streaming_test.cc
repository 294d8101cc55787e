// Bodies of unknown length (chunked, or lasting until the app closes) pass through the sidecars
// as they arrive, as Content-Length bodies do (streaming_test.cc): decoded from the app's
// framing and sent on in chunks to a keep-alive HTTP/1.1 client, through an HTTP/2 client's
// stream, or up to the close to an HTTP/1.0 client. So server-sent events reach their client
// event by event, and such bodies are not bound by http.max_body_bytes.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <thread>

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

// As SmallBodyLimit, with HTTP/1.0 accepted by the app's own sidecar (http.accept_http_10,
// which App Mesh never set); the server side keeps refusing it, so the hop carries HTTP/1.1.
HopOptions Http10Accepted() {
  HopOptions options = SmallBodyLimit();
  options.http_accept_http_10 = true;
  return options;
}

TEST_CASE("A chunked answer over the body limit streams through both hops intact") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());

  for (const std::string how : {"chunked", "chunks"}) {
    for (size_t bytes : {size_t{30000}, size_t{300000}}) {
      INFO(how << " " << bytes);
      std::optional<RawHttpMessage> reply = hop.Get("/bytes/" + std::to_string(bytes) + "/" + how);
      REQUIRE(reply.has_value());
      CHECK(reply->status == 200);
      CHECK(reply->Header("x-app") == "yelb-appserver");
      CHECK(reply->body == TestApp::PatternBytes(bytes));
    }
  }
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_5xx") == 0);
}

TEST_CASE("Server-sent events reach the client as the app sends them, not at the body's end") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/10/events", "", kService, true)));
  const auto start = std::chrono::steady_clock::now();
  const bool first_event = socket->WaitFor("data: first\n\n");
  const auto waited = std::chrono::steady_clock::now() - start;
  hop.app().Release();
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);

  CHECK(first_event);
  // The app holds the rest back for 10 s unless released: held whole, the event waits as long.
  CHECK(waited < milliseconds(5000));
  REQUIRE(reply.has_value());
  CHECK(reply->Header("transfer-encoding") == "chunked");
  CHECK(reply->Header("content-type") == "text/event-stream");
  CHECK(reply->body == "data: first\n\n" + TestApp::PatternBytes(10));
}

TEST_CASE("A body that lasts until the app closes reaches a keep-alive client in chunks") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  for (int i = 0; i < 2; ++i) {
    REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/200000/eof", "", kService, true)));
    std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
    REQUIRE(reply.has_value());
    CHECK(reply->Header("transfer-encoding") == "chunked");
    CHECK(reply->body == TestApp::PatternBytes(200000));
  }
  // Each answer's end closed its app connection, which is not reused.
  CHECK(hop.app().connections() == 2);
}

TEST_CASE("An HTTP/1.0 client gets a body of unknown length up to the close") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Http10Accepted());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll("GET /bytes/100000/chunks HTTP/1.0\r\nhost: " + std::string(kService) +
                           "\r\nconnection: keep-alive\r\n\r\n"));
  bool closed = false;
  const std::string got = socket->ReadUntilClosed(milliseconds(5000), closed);

  CHECK(closed);
  REQUIRE(got.find("\r\n\r\n") != std::string::npos);
  const std::string head = got.substr(0, got.find("\r\n\r\n"));
  CHECK(head.starts_with("HTTP/1.1 200"));
  CHECK(!Contains(head, "transfer-encoding"));
  CHECK(!Contains(head, "content-length"));
  CHECK(got.substr(head.size() + 4) == TestApp::PatternBytes(100000));
}

TEST_CASE("A chunked answer cut short or malformed closes the client's connection, counted") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());

  for (const std::string how : {"chunkcut", "chunkbad"}) {
    INFO(how);
    std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
    REQUIRE(socket.has_value());
    REQUIRE(socket->WriteAll(BuildRequest("GET", "/bytes/200000/" + how, "", kService, true)));
    bool closed = false;
    const std::string got = socket->ReadUntilClosed(milliseconds(5000), closed);

    CHECK(closed);
    CHECK(got.starts_with("HTTP/1.1 200"));
    CHECK(Contains(got, "transfer-encoding: chunked"));
    CHECK(!got.ends_with("0\r\n\r\n"));  // never completed: the client sees it cut short
  }
  const std::string broke_off = "cluster." + hop.cluster() + ".upstream_rq_rx_reset";
  CHECK(Eventually([&] { return hop.client().StatValue(broke_off); }, 2) == 2);
  std::optional<RawHttpMessage> next = hop.Get("/");
  REQUIRE(next.has_value());
  CHECK(next->status == 200);
}

TEST_CASE("Bytes an app sends after a chunked body never answer the next request") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  for (const std::string target : {"/bytes/100/chunkextra", "/bytes/100000/chunkextra"}) {
    INFO(target);
    REQUIRE(socket->WriteAll(BuildRequest("GET", target, "", kService, true)));
    std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
    REQUIRE(reply.has_value());
    CHECK(reply->body.size() == std::stoul(target.substr(7)));
    std::this_thread::sleep_for(milliseconds(100));  // the stray bytes reach the proxies

    REQUIRE(socket->WriteAll(BuildRequest("GET", "/second", "", kService, true)));
    std::optional<RawHttpMessage> second = socket->ReadMessage(true);
    REQUIRE(second.has_value());
    CHECK(second->body == "yelb-appserver got GET /second body=");
  }
}

TEST_CASE("A retriable chunked answer is kept within the body limit and streamed over it") {
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.retry = RetryPolicy{2, milliseconds(2000), {HttpRetryEvent::kGatewayError}, false};
  Hop hop(mesh.runtime, mesh.pki, options);

  for (size_t bytes : {size_t{30000}, size_t{100000}}) {
    INFO(bytes);
    const size_t before = hop.app().requests();
    std::optional<RawHttpMessage> reply =
        hop.Get("/bytes/" + std::to_string(bytes) + "/503/chunks");
    REQUIRE(reply.has_value());
    CHECK(reply->status == 503);
    CHECK(reply->Header("x-app") == "yelb-appserver");
    CHECK(reply->body == TestApp::PatternBytes(bytes));
    CHECK(hop.app().requests() - before == 3);
  }
}

TEST_CASE("An HTTP/2 client gets a chunked answer over the body limit as it arrives") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  H2TestClient client(hop.client_port(), /*initial_window=*/1 << 20);

  const int32_t chunks = client.Request("/bytes/300000/chunks", kService);
  const int32_t until_close = client.Request("/bytes/300000/eof", kService);
  REQUIRE(client.ReadUntil(
      [&] { return client.stream(chunks).closed && client.stream(until_close).closed; },
      milliseconds(10000)));

  for (int32_t id : {chunks, until_close}) {
    INFO(id);
    CHECK(client.stream(id).reset_code == 0);
    CHECK(client.stream(id).status == 200);
    CHECK(client.stream(id).body == TestApp::PatternBytes(300000));
  }
}

// A POST whose body is `body` sent in chunks of `piece` bytes, the last chunk after them.
std::string ChunkedUpload(const std::string& target, const std::string& body, size_t piece) {
  std::string wire = "POST " + target + " HTTP/1.1\r\nhost: " + std::string(kService) +
                     "\r\ntransfer-encoding: chunked\r\n\r\n";
  for (size_t at = 0; at < body.size(); at += piece) {
    const std::string part = body.substr(at, piece);
    wire += fmt::format("{:x}\r\n", part.size()) + part + "\r\n";
  }
  return wire + "0\r\n\r\n";
}

TEST_CASE("A chunked upload is held whole within the body limit and streamed past it") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  // One client connection carries both, and more after them.
  for (size_t bytes : {size_t{30000}, size_t{1024 * 1024}, size_t{10}}) {
    INFO(bytes);
    const std::string body = TestApp::PatternBytes(bytes);
    REQUIRE(socket->WriteAll(ChunkedUpload("/upload", body, 10000)));
    std::optional<RawHttpMessage> reply = socket->ReadMessage(true);
    REQUIRE(reply.has_value());
    CHECK(reply->status == 200);
    CHECK(reply->body == "yelb-appserver got POST /upload body=" + body);
  }
  CHECK(hop.client().StatValue("http.egress.downstream_rq_too_large") == 0);
}

TEST_CASE("A request pipelined after a streamed chunked upload is answered in turn") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  const std::string body = TestApp::PatternBytes(200000);

  // One write: the proxy reads the next request's head with the upload's last chunk.
  REQUIRE(socket->WriteAll(ChunkedUpload("/upload", body, 50000) +
                           BuildRequest("GET", "/second", "", kService, true)));
  std::optional<RawHttpMessage> first = socket->ReadMessage(true);
  std::optional<RawHttpMessage> second = socket->ReadMessage(true);

  REQUIRE(first.has_value());
  CHECK(first->body == "yelb-appserver got POST /upload body=" + body);
  REQUIRE(second.has_value());
  CHECK(second->body == "yelb-appserver got GET /second body=");
}

TEST_CASE("A streamed chunked upload is sent once under a retry policy") {
  Mesh mesh;
  HopOptions options = SmallBodyLimit();
  options.retry = RetryPolicy{2, milliseconds(2000), {HttpRetryEvent::kGatewayError}, false};
  Hop hop(mesh.runtime, mesh.pki, options);
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(ChunkedUpload("/status/503", TestApp::PatternBytes(200000), 8192)));
  std::optional<RawHttpMessage> streamed = socket->ReadMessage(true);
  REQUIRE(socket->WriteAll(ChunkedUpload("/status/503", TestApp::PatternBytes(1000), 100)));
  std::optional<RawHttpMessage> held = socket->ReadMessage(true);

  REQUIRE(streamed.has_value());
  CHECK(streamed->status == 503);
  REQUIRE(held.has_value());
  CHECK(held->status == 503);
  CHECK(hop.app().requests() == 4);  // once, then the held one with its two retries
}

TEST_CASE("A malformed chunk in a streamed upload gets 400, and the app no whole request") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  const std::string upload = ChunkedUpload("/upload", TestApp::PatternBytes(100000), 10000);

  // Cut before its last chunk, and a size that is not hexadecimal instead.
  REQUIRE(socket->WriteAll(upload.substr(0, upload.size() - 5) + "zz\r\nmore\r\n"));
  bool closed = false;
  const std::string got = socket->ReadUntilClosed(milliseconds(5000), closed);

  CHECK(closed);
  CHECK(got.starts_with("HTTP/1.1 400"));
  CHECK(!Contains(got, "yelb-appserver got"));  // the app never got a whole request
  CHECK(hop.client().StatValue("http.egress.downstream_cx_protocol_error") == 1);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_4xx") == 1);
  std::optional<RawHttpMessage> next = hop.Get("/");
  REQUIRE(next.has_value());
  CHECK(next->status == 200);
}

TEST_CASE("Chunk framing llhttp refuses gets an answer at once, held whole or streamed") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  const std::string head = "POST /upload HTTP/1.1\r\nhost: " + std::string(kService) +
                           "\r\ntransfer-encoding: chunked\r\n\r\n";
  // Past the body limit, so that the framing after it is read by the streamed tail's decoder.
  const std::string streamed = "10400\r\n" + std::string(0x10400, 'a') + "\r\n";

  for (const std::string& before : {std::string(), streamed}) {
    // A size past 2^63 - 1 is malformed; after other chunks, the sum passes 2^64 - 1 first.
    const std::string huge_size = before.empty() ? "HTTP/1.1 400" : "HTTP/1.1 413";
    for (const auto& [bad, status] : std::vector<std::pair<std::string, std::string>>{
             {"0\n\r\n", "HTTP/1.1 400"},
             {"5\nhello\r\n0\r\n\r\n", "HTTP/1.1 400"},
             {"0\r\nx-trailer: 1\n\r\n", "HTTP/1.1 400"},
             {"ffffffffffffffff\r\nhello", huge_size},
             // Chunk data must end in CRLF, and a size line start with a hexadecimal digit.
             {"3\r\nabcXX", "HTTP/1.1 400"},
             {"3\r\nabcX", "HTTP/1.1 400"},
             {"3\r\nabc\rX", "HTTP/1.1 400"},
             {"3\r\nabc\r\nX", "HTTP/1.1 400"},
             {"X", "HTTP/1.1 400"}}) {
      INFO((before.empty() ? "held whole: " : "streamed: ") << bad);
      std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
      REQUIRE(socket.has_value());
      REQUIRE(socket->WriteAll(head + before + bad));
      bool closed = false;
      // The client sends nothing more: before, the proxy waited for it until its idle time.
      const std::string got = socket->ReadUntilClosed(milliseconds(5000), closed);
      CHECK(closed);
      CHECK(got.starts_with(status));
    }
  }
  CHECK(hop.client().StatValue("http.egress.downstream_cx_protocol_error") == 17);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_too_large") == 1);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_4xx") == 18);
  CHECK(hop.app().requests() == 0);
  std::optional<RawHttpMessage> next = hop.Get("/");
  REQUIRE(next.has_value());
  CHECK(next->status == 200);
}

TEST_CASE("A transfer coding other than chunked alone is refused, and what follows is no request") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());

  // Read as having no body, the bytes after this head would pass for a second request. The
  // coding is refused at the head, before any of them is read.
  for (const auto& [coding, status] :
       std::vector<std::pair<std::string, std::string>>{{"chunked, gzip", "501"},
                                                        {"gzip", "501"},
                                                        {"identity", "501"},
                                                        {"gzip, chunked", "501"}}) {
    INFO(coding);
    std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
    REQUIRE(socket.has_value());
    REQUIRE(socket->WriteAll("POST /upload HTTP/1.1\r\nhost: " + std::string(kService) +
                             "\r\ntransfer-encoding: " + coding + "\r\n\r\n" +
                             BuildRequest("GET", "/smuggled", "", kService, true)));
    bool closed = false;
    const std::string got = socket->ReadUntilClosed(milliseconds(5000), closed);
    CHECK(closed);
    CHECK(got.starts_with("HTTP/1.1 " + status));
    CHECK(!Contains(got, "/smuggled"));
  }
  CHECK(hop.app().requests() == 0);
  CHECK(hop.client().StatValue("http.egress.downstream_cx_protocol_error") == 4);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_5xx") == 4);

  // A whole chunked body under gzip is refused as well: the coding would be lost.
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  REQUIRE(socket->WriteAll("POST /upload HTTP/1.1\r\nhost: " + std::string(kService) +
                           "\r\ntransfer-encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  std::optional<RawHttpMessage> refused = socket->ReadMessage(true);
  REQUIRE(refused.has_value());
  CHECK(refused->status == 501);
  CHECK(hop.app().requests() == 0);
}

TEST_CASE("An HTTP/1.0 request with a transfer coding ends its connection, whatever it asks") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Http10Accepted());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  // RFC 9112 6.1: its framing is faulty, so what follows it must not pass for a request.
  REQUIRE(socket->WriteAll("POST /a HTTP/1.0\r\nhost: " + std::string(kService) +
                           "\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n"
                           "0\r\n\r\n" +
                           BuildRequest("GET", "/smuggled", "", kService, true)));
  bool closed = false;
  const std::string got = socket->ReadUntilClosed(milliseconds(5000), closed);

  CHECK(closed);
  CHECK(Contains(got, "yelb-appserver got POST /a body="));
  CHECK(!Contains(got, "/smuggled"));
  CHECK(hop.app().requests() == 1);
}

TEST_CASE("An app's answer under a transfer coding the proxy would drop is refused") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());

  // gzip would be lost on the way (each side frames the body its own way): never passed on
  // as if it were plain.
  std::optional<RawHttpMessage> reply = hop.Get("/bytes/1000/chunkgzip");

  REQUIRE(reply.has_value());
  CHECK(reply->status == 503);
  CHECK(reply->Header("x-app").empty());
}

TEST_CASE("A HEAD answer for a chunked resource tells no length, and the connection goes on") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());

  REQUIRE(socket->WriteAll(BuildRequest("HEAD", "/bytes/1000/chunked", "", kService, true)));
  REQUIRE(socket->WaitFor("\r\n\r\n"));
  REQUIRE(socket->WriteAll(BuildRequest("GET", "/second", "", kService, true)));
  REQUIRE(socket->WaitFor("yelb-appserver got GET /second body="));
  bool closed = false;
  const std::string got = socket->ReadUntilClosed(milliseconds(1000), closed);

  const std::string head = got.substr(0, got.find("\r\n\r\n"));
  CHECK(head.starts_with("HTTP/1.1 200"));
  CHECK(!Contains(head, "content-length"));
  CHECK(!Contains(head, "transfer-encoding"));
  CHECK(Contains(got, "yelb-appserver got GET /second body="));
}

TEST_CASE("An HTTP/1.0 request gets 426 with no body, as from App Mesh's Envoy") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());
  const std::string request =
      "GET / HTTP/1.0\r\nhost: " + std::string(kService) + "\r\nconnection: keep-alive\r\n\r\n";

  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  REQUIRE(socket->WriteAll(request));
  bool closed = false;
  const std::string got = socket->ReadUntilClosed(milliseconds(5000), closed);

  CHECK(closed);
  CHECK(got.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
  CHECK(Contains(got, "content-length: 0\r\n"));
  CHECK(got.ends_with("\r\n\r\n"));
  CHECK(hop.app().requests() == 0);
  CHECK(hop.client().StatValue("http.egress.downstream_cx_protocol_error") == 1);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_4xx") == 1);
}

TEST_CASE("An accepted HTTP/1.0 request without a Host gets 400, having nothing to route by") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Http10Accepted());

  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  REQUIRE(socket->WriteAll("GET / HTTP/1.0\r\n\r\n"));
  std::optional<RawHttpMessage> reply = socket->ReadMessage(true);

  REQUIRE(reply.has_value());
  CHECK(reply->status == 400);
  CHECK(hop.app().requests() == 0);
}

TEST_CASE("An HTTP/1.0 client that asks to keep its connection is told it is kept") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, Http10Accepted());
  std::optional<RawSocket> socket = RawSocket::Connect(hop.client_port());
  REQUIRE(socket.has_value());
  const std::string request = "GET /first HTTP/1.0\r\nhost: " + std::string(kService) +
                              "\r\nconnection: keep-alive\r\n\r\n";

  REQUIRE(socket->WriteAll(request));
  std::optional<RawHttpMessage> first = socket->ReadMessage(true);
  REQUIRE(socket->WriteAll(request));
  std::optional<RawHttpMessage> second = socket->ReadMessage(true);

  REQUIRE(first.has_value());
  CHECK(first->Header("connection") == "keep-alive");
  REQUIRE(second.has_value());
  CHECK(second->body == "yelb-appserver got GET /first body=");
}

TEST_CASE("An upstream status outside 100 to 599, or a 101 nobody asked for, is a 503") {
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, SmallBodyLimit());

  for (const char* target : {"/bytes/2/999", "/bytes/2/101"}) {
    INFO(target);
    std::optional<RawHttpMessage> got = hop.Get(target);

    REQUIRE(got.has_value());
    CHECK(got->status == 503);
    CHECK(Contains(got->body, "the upstream sent a malformed response"));
    std::optional<RawHttpMessage> next = hop.Get("/");
    REQUIRE(next.has_value());
    CHECK(next->status == 200);
  }
}

}  // namespace
}  // namespace crossmesh::proxy::testing
