// Streaming gRPC calls through two sidecars: a real gRPC client and server (Debian's
// python3-grpcio) hold a bidirectional call message by message, so every message and reply has
// to cross both proxies and the mutual-TLS hop while the call is still open.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/proxy/grpc_peer.h"
#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

constexpr const char* kMarker = "grpc-stream-plaintext-marker";

HopOptions StreamingHop(uint16_t app_port) {
  HopOptions options = TappedMutual(kMarker);
  options.protocol = Protocol::kGrpc;
  options.external_app_port = app_port;
  return options;
}

nlohmann::json Chat(const Hop& hop, const std::vector<std::string>& messages) {
  return ChatGrpcAt("127.0.0.1:" + std::to_string(hop.client_port()), messages);
}

std::vector<std::string> Replies(const nlohmann::json& call) {
  return call.value("replies", std::vector<std::string>{});
}

// The server saw its call end within 3 s of `moment`, a time the client noted in `call`: soon,
// on a loaded host, yet before the client's connection ends (5 s later) or its deadline (10 s).
void CheckCallEndedSoonAfter(const GrpcServer& app, const nlohmann::json& call,
                             const std::string& moment) {
  const double ended = app.LastChatEnd(Milliseconds(5000));
  REQUIRE(ended > 0);
  CHECK(ended - call.value(moment, 0.0) < 3.0);
}

}  // namespace

TEST_CASE("A bidirectional gRPC call crosses two mutual-TLS sidecars reply by reply") {
  GrpcServer app;
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, StreamingHop(app.port()));
  const std::string secret = std::string(kMarker) + "-in-a-message";

  // Each message goes out only once the reply to the one before is back: a proxy holding the
  // request body until its end would stall this call until its deadline.
  nlohmann::json call = Chat(hop, {"one", secret, "three", "four", "five"});

  INFO(call.dump());
  CHECK(call.value("code", "") == "OK");
  CHECK(Replies(call) == std::vector<std::string>{"echo:one", "echo:" + secret, "echo:three",
                                                  "echo:four", "echo:five"});
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_2xx") == 1);
  tap::HopReport report = hop.tap()->Report();
  CHECK(report.encrypted);
  CHECK(report.tls_version == "TLSv1.2");
  CHECK_FALSE(report.plaintext_marker_seen);
}

TEST_CASE("Messages larger than an HTTP/2 window cross a bidirectional call both ways") {
  GrpcServer app;
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, StreamingHop(app.port()));

  // 3 MiB each way, three times: more than a stream's 1 MiB window, so every leg has to open
  // its window again as the next one takes the bytes.
  const std::string fill = "fill:" + std::to_string(3 * 1024 * 1024);
  nlohmann::json call = Chat(hop, {fill, fill, fill});

  INFO(call.dump());
  CHECK(call.value("code", "") == "OK");
  const std::string reply = "<" + std::to_string(5 + 3 * 1024 * 1024) + " bytes>";
  CHECK(Replies(call) == std::vector<std::string>{reply, reply, reply});
}

TEST_CASE("A gRPC stream the server ends with an error passes its replies, then its status") {
  GrpcServer app;
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, StreamingHop(app.port()));

  nlohmann::json call = Chat(hop, {"one", "two", "abort"});

  INFO(call.dump());
  CHECK(Replies(call) == std::vector<std::string>{"echo:one", "echo:two"});
  CHECK(call.value("code", "") == "INVALID_ARGUMENT");
  CHECK(call.value("details", "") == "told to stop");
}

TEST_CASE("A client that cancels a streaming gRPC call has it end at the server at once") {
  GrpcServer app;
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, StreamingHop(app.port()));

  // The client keeps its connection for 5 s after cancelling: only the stream's reset, not
  // the connection's end, can end the server's call before that.
  nlohmann::json call = Chat(hop, {"one", "two", "cancel", "pause:5000"});

  INFO(call.dump());
  CHECK(Replies(call) == std::vector<std::string>{"echo:one", "echo:two"});
  CHECK(call.value("code", "") == "CANCELLED");
  CheckCallEndedSoonAfter(app, call, "cancelled_at");
  CHECK(hop.client().StatValue("http.egress.downstream_rq_rx_reset") == 1);
}

TEST_CASE("A client that dies in the middle of a gRPC stream has the call end at the server") {
  GrpcServer app;
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, StreamingHop(app.port()));

  // The client process ends with its call open: no RST_STREAM, no GOAWAY, only the socket
  // closed by the system. The request can never be whole, so the sidecars reset its stream.
  nlohmann::json call = Chat(hop, {"one", "crash"});

  INFO(call.dump());
  CHECK(Replies(call) == std::vector<std::string>{"echo:one"});
  CheckCallEndedSoonAfter(app, call, "crashed_at");
  CHECK(hop.client().StatValue("http.egress.downstream_rq_rx_reset") == 1);
}

TEST_CASE("An app that dies in the middle of a gRPC stream fails the call at once") {
  GrpcServer app;
  Mesh mesh;
  Hop hop(mesh.runtime, mesh.pki, StreamingHop(app.port()));

  // "exit" is answered, then the server process ends with the stream open.
  nlohmann::json call = Chat(hop, {"one", "exit", "pause:1000", "after"});

  INFO(call.dump());
  CHECK(Replies(call) == std::vector<std::string>{"echo:one", "echo:exit"});
  // The broken upstream stream resets the caller's: a failure, not a wait for the deadline.
  const std::string code = call.value("code", "");
  CHECK(code != "OK");
  CHECK(code != "DEADLINE_EXCEEDED");
  // Counted as the upstream's doing, not as a reset from the caller.
  const std::string broke_off = "cluster." + hop.cluster() + ".upstream_rq_rx_reset";
  CHECK(Eventually([&] { return hop.client().StatValue(broke_off); }, 1) == 1);
  CHECK(hop.client().StatValue("http.egress.downstream_rq_rx_reset") == 0);
}

TEST_CASE("A gRPC stream lasts past the route timeout while its client is still sending") {
  GrpcServer app;
  Mesh mesh;
  HopOptions options = StreamingHop(app.port());
  // Envoy counts the route timeout from the end of the request; a call whose client keeps
  // its side open is not cut at it.
  options.route_timeout = Milliseconds(400);
  Hop hop(mesh.runtime, mesh.pki, options);

  nlohmann::json call =
      Chat(hop, {"one", "pause:300", "two", "pause:300", "three", "pause:300", "four"});

  INFO(call.dump());
  CHECK(call.value("code", "") == "OK");
  CHECK(Replies(call) ==
        std::vector<std::string>{"echo:one", "echo:two", "echo:three", "echo:four"});
}

TEST_CASE("A gRPC stream under a route timeout of 0 has no deadline") {
  GrpcServer app;
  Mesh mesh;
  HopOptions options = StreamingHop(app.port());
  options.route_timeout = Milliseconds(0);  // App Mesh's way to turn it off
  Hop hop(mesh.runtime, mesh.pki, options);

  const std::string fill = "fill:" + std::to_string(300 * 1024);
  nlohmann::json call = Chat(hop, {"one", "pause:50", fill, "pause:50", "three"});

  INFO(call.dump());
  CHECK(call.value("code", "") == "OK");
  CHECK(Replies(call).size() == 3);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_timeout") == 0);
}

TEST_CASE("A streaming gRPC call retried under grpcRetryEvents sends its messages again") {
  GrpcServer app(/*fail_first=*/0);
  Mesh mesh;
  HopOptions options = StreamingHop(app.port());
  options.retry = RetryPolicy{.max_retries = 2,
                              .per_retry_timeout = Milliseconds(5000),
                              .http_events = {},
                              .tcp_connection_error = false,
                              .grpc_statuses = {3}};  // INVALID_ARGUMENT, as "abort" ends it
  Hop hop(mesh.runtime, mesh.pki, options);

  // The server answers nothing before "abort": its status comes alone (trailers-only), which
  // a retry policy can act on, and every try is sent the same messages again.
  nlohmann::json call = Chat(hop, {"abort"});

  INFO(call.dump());
  CHECK(call.value("code", "") == "INVALID_ARGUMENT");
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_retry") == 2);
  CHECK(hop.client().StatValue("cluster." + hop.cluster() + ".upstream_rq_total") == 3);
}

}  // namespace crossmesh::proxy::testing
