// Zero-loss rotation: while a client sends requests without pause (part of them on fresh
// connections, so handshakes keep happening), the server's certificate is renewed and pushed.
// No request may fail, and every handshake after the push must present the new serial, as the
// client proxy records it and as the tap reads it off the wire.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "tests/proxy/mesh_fixture.h"

namespace crossmesh::proxy::testing {
namespace {

constexpr const char* kRotationMarker = "ROTATION-MARKER-51d2";
constexpr int kWorkers = 4;
constexpr int kRequestsPerWorker = 500;  // 2000 in all
constexpr int kFreshEvery = 4;           // every 4th request opens a new connection
constexpr int kPushAfter = 600;          // requests completed before the renewal is pushed
constexpr auto kTimeCap = std::chrono::seconds(120);

struct LoadResult {
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
};

void Worker(uint16_t port, int worker, LoadResult& result,
            std::chrono::steady_clock::time_point deadline) {
  std::optional<RawSocket> socket;
  for (int i = 0; i < kRequestsPerWorker && std::chrono::steady_clock::now() < deadline; ++i) {
    if (!socket || i % kFreshEvery == 0) socket = RawSocket::Connect(port);
    const std::string body = fmt::format("{}-{}-{}", kRotationMarker, worker, i);
    std::optional<RawHttpMessage> reply;
    if (socket && socket->WriteAll(BuildRequest("POST", "/vote", body, kService, true))) {
      reply = socket->ReadMessage(true);
    }
    if (!reply || reply->status != 200 || reply->body.find(body) == std::string::npos) {
      ++result.failed;
      socket.reset();
    }
    ++result.done;
  }
}

HopOptions TappedFullHandshakes() {
  HopOptions options = TappedMutual(kRotationMarker);
  // Every fresh connection a full handshake, so that the tap sees the certificate each time
  // (a resumed TLS 1.2 handshake sends none; resumption has its own test in tap_test.cc).
  options.tls.session_resumption = false;
  return options;
}

struct PushMoment {
  size_t client_records = 0;  // client handshakes done by the time the push was applied
  TimePoint wall;             // tap connections accepted after this reached the new context
};

// Runs the bounded load, pushing `renewed` once kPushAfter requests are done.
PushMoment RunLoadAndPush(ProxyRuntime& runtime, Hop& hop, const TlsCertificate& renewed,
                          LoadResult& result) {
  const auto deadline = std::chrono::steady_clock::now() + kTimeCap;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back(Worker, hop.client_port(), w, std::ref(result), deadline);
  }
  while (result.done < kPushAfter && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  PushMoment moment;
  REQUIRE(runtime.secrets().PushCertificate("server-cert", renewed).ok());
  // Counted once the push is applied (each new connection takes the new context from then on):
  // counted before it, a main thread held up between the count and the push would let the
  // workers finish any number of handshakes on the old certificate after the count.
  moment.client_records = hop.client().Handshakes().size();
  moment.wall = Clock::now();
  for (std::thread& worker : workers) worker.join();
  return moment;
}

TEST_CASE("A certificate pushed under load loses no request and new handshakes show it") {
  MeshPki pki;
  ProxyRuntime runtime{ProxyRuntime::Options{2}};
  pki.PushAll(runtime.secrets());
  Hop hop(runtime, pki, TappedFullHandshakes());
  const TlsCertificate renewed = IssueCertificate(pki.ca, {kService}, pki.clock.Now());
  const std::string old_serial = pki.server.chain[0].serial_hex();
  const std::string new_serial = renewed.chain[0].serial_hex();

  LoadResult result;
  const PushMoment pushed = RunLoadAndPush(runtime, hop, renewed, result);
  CHECK(result.done == kWorkers * kRequestsPerWorker);
  CHECK(result.failed == 0);

  const auto records = hop.client().Handshakes();
  CHECK(records.front().peer_certificate->serial_hex == old_serial);
  REQUIRE(records.size() > pushed.client_records + 50);
  // Handshakes already under way at the push may finish on the old certificate after it, at
  // most one per worker (each has one request in flight), and in any order among the new ones.
  int client_old = 0;
  for (size_t i = pushed.client_records; i < records.size(); ++i) {
    INFO("client handshake " << i);
    REQUIRE(records[i].ok);
    const std::string& serial = records[i].peer_certificate->serial_hex;
    if (serial == old_serial) {
      ++client_old;
    } else {
      CHECK(serial == new_serial);
    }
  }
  CHECK(client_old <= kWorkers);

  tap::HopReport report = hop.tap()->Report();
  CHECK(report.encrypted);
  CHECK_FALSE(report.plaintext_marker_seen);
  CHECK(report.server_cert_serial == new_serial);
  int wire_new = 0;
  int wire_old = 0;
  for (const tap::TapConnection& connection : report.connections) {
    REQUIRE(connection.certificates_visible);
    const std::string& serial = connection.server_chain.at(0).serial_hex;
    if (connection.started > pushed.wall) {
      CHECK(serial == new_serial);
      ++wire_new;
    } else {
      wire_old += serial == old_serial ? 1 : 0;
    }
  }
  CHECK(wire_new > 50);
  CHECK(wire_old > 50);
}

}  // namespace
}  // namespace crossmesh::proxy::testing
