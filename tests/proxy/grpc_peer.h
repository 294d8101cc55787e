// Real gRPC peers for the tests (tests/proxy/grpc_peer.py on Debian's python3-grpcio): an echo
// server on a loopback port, a client that makes concurrent unary calls, and one that holds a
// bidirectional call, message by message.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/yelb/child_process.h"
#include "tests/support/test_emulator.h"

namespace crossmesh::proxy::testing {

// The echo server, stopped by its PID when destroyed. The first `fail_first` calls fail with
// UNAVAILABLE; a message starting "sleep:<ms>;" is answered after that long.
class GrpcServer {
 public:
  explicit GrpcServer(int fail_first = 0);
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;
  GrpcServer(GrpcServer&&) = delete;
  GrpcServer& operator=(GrpcServer&&) = delete;

  uint16_t port() const { return port_; }
  // When the server saw its last Chat call end (unix time, seconds), waiting up to `wait` for
  // one to end; 0 when none did.
  double LastChatEnd(std::chrono::milliseconds wait) const;

 private:
  crossmesh::testing::TempDir dir_;
  std::string port_file_;
  yelb::ChildProcess process_;
  uint16_t port_ = 0;
};

// `count` concurrent unary calls over one channel to `target` ("127.0.1.2:port"): one JSON
// object per call, {"reply", "bytes"} or {"code", "details"}. With `ca_file`, over TLS trusting
// it and expecting `server_name`; each message starts with `prefix`.
nlohmann::json CallGrpcAt(const std::string& target, int count, size_t body_bytes = 16,
                          const std::string& ca_file = "", const std::string& server_name = "",
                          const std::string& prefix = "");

// One bidirectional Chat call to `target`: each of `messages` sent once the reply to the one
// before arrived ("cancel" cancels the call there, "pause:<ms>" waits). {"replies": [...],
// "code", "details"}.
nlohmann::json ChatGrpcAt(const std::string& target, const std::vector<std::string>& messages);

}  // namespace crossmesh::proxy::testing
