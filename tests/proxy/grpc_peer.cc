#include "tests/proxy/grpc_peer.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

namespace crossmesh::proxy::testing {
namespace {

const std::string kPeer = std::string(CROSSMESH_SOURCE_DIR) + "/tests/proxy/grpc_peer.py";
constexpr const char* kPython = "/usr/bin/python3";

}  // namespace

GrpcServer::GrpcServer(int fail_first) {
  port_file_ = dir_.path() + "/port";
  const std::string& port_file = port_file_;
  yelb::ProcessSpec spec{.binary = kPython,
                         .args = {kPeer, "server", port_file, std::to_string(fail_first)},
                         .env = {"PATH=/usr/bin:/bin", "HOME=" + dir_.path()},
                         .log_path = dir_.path() + "/server.log",
                         .cwd = "/",
                         .run_as = std::nullopt};
  auto process = yelb::ChildProcess::Spawn(spec);
  REQUIRE(process.ok());
  process_ = std::move(process).value();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(port_file) && std::chrono::steady_clock::now() < deadline &&
         process_.Running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream in(port_file);
  int port = 0;
  in >> port;
  std::ifstream log(spec.log_path);
  const std::string log_text{std::istreambuf_iterator<char>(log), {}};
  INFO("the gRPC server did not start; its output:\n" << log_text);
  REQUIRE(port > 0);
  port_ = static_cast<uint16_t>(port);
}

GrpcServer::~GrpcServer() { process_.Stop(SIGTERM, std::chrono::seconds(2)); }

double GrpcServer::LastChatEnd(std::chrono::milliseconds wait) const {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    std::ifstream events(port_file_ + ".events");
    double last = 0;
    std::string word;
    double at = 0;
    while (events >> word >> at) last = word == "ended" ? at : last;
    if (last > 0 || std::chrono::steady_clock::now() >= deadline) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

nlohmann::json CallGrpcAt(const std::string& target, int count, size_t body_bytes,
                          const std::string& ca_file, const std::string& server_name,
                          const std::string& prefix) {
  std::vector<std::string> argv = {
      kPython, kPeer, "client", target, std::to_string(count), std::to_string(body_bytes)};
  if (!ca_file.empty()) {
    argv.push_back(ca_file);
    argv.push_back(server_name);
  }
  crossmesh::testing::CommandResult result = crossmesh::testing::RunCommand(
      argv, {"PATH=/usr/bin:/bin", "no_proxy=*", "GRPC_PEER_PREFIX=" + prefix});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return result.Json();
}

nlohmann::json ChatGrpcAt(const std::string& target, const std::vector<std::string>& messages) {
  std::vector<std::string> argv = {kPython, kPeer, "chat", target};
  argv.insert(argv.end(), messages.begin(), messages.end());
  crossmesh::testing::CommandResult result =
      crossmesh::testing::RunCommand(argv, {"PATH=/usr/bin:/bin", "no_proxy=*"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return result.Json();
}

}  // namespace crossmesh::proxy::testing
