// An HTTP/2 app (prior knowledge, plaintext) that answers every request with a header block
// given as HPACK bytes, in one HEADERS frame that ends the stream. It writes raw frames, so it
// can send what no HTTP/2 library would (a :status of "000"), to test what a sidecar passes on.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace crossmesh::proxy::testing {

class H2RawApp {
 public:
  explicit H2RawApp(std::string header_block);
  ~H2RawApp();
  H2RawApp(const H2RawApp&) = delete;
  H2RawApp& operator=(const H2RawApp&) = delete;
  H2RawApp(H2RawApp&&) = delete;
  H2RawApp& operator=(H2RawApp&&) = delete;

  uint16_t port() const { return port_; }
  size_t answered() const { return answered_.load(); }

  // HPACK for ":status: <status>" as a literal, so any three characters go through.
  static std::string StatusField(const std::string& status);
  // HPACK for "<name>: <value>" as a literal with a new name, never indexed.
  static std::string Field(const std::string& name, const std::string& value);

 private:
  void AcceptLoop();
  void Serve(int fd);

  const std::string header_block_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> serving_fd_{-1};
  std::atomic<size_t> answered_{0};
  std::thread acceptor_;
};

}  // namespace crossmesh::proxy::testing
